/**
 * Ranks the model catalogue for a search: every word must match the id, name or author;
 * exact ids first, then prefixes of the id/name/author, then word starts, then substrings.
 */
import type { Model } from "@/api/types";
import { authorOf, isFree } from "@/features/models/model-format";

export interface ModelSearchOptions {
  freeOnly?: boolean;
}

function normalise(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "");
}

function wordStarts(haystack: string, needle: string): boolean {
  return new RegExp(`(^|[^a-z0-9])${needle.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`).test(haystack);
}

/** Score of one query word against one model; 0 means no match. */
function wordScore(word: string, id: string, name: string, author: string): number {
  const idTail = id.slice(id.indexOf("/") + 1);
  if (id === word || idTail === word) return 100;
  if (author === word) return 60;
  if (idTail.startsWith(word) || name.startsWith(word)) return 50;
  if (author.startsWith(word)) return 40;
  if (wordStarts(name, word) || wordStarts(idTail, word)) return 30;
  if (id.includes(word) || name.includes(word)) return 10;
  return 0;
}

export function searchModels(
  models: readonly Model[],
  query: string,
  options: ModelSearchOptions = {},
): Model[] {
  const pool = options.freeOnly ? models.filter((m) => isFree(m.pricing)) : models.slice();
  const q = normalise(query.trim());
  if (!q) return pool.sort((a, b) => a.name.localeCompare(b.name));
  const full = q.replace(/\s+/g, " ");
  const words = full.split(" ");
  const scored: Array<{ model: Model; score: number }> = [];
  for (const model of pool) {
    const id = normalise(model.id);
    const name = normalise(model.name);
    const author = normalise(authorOf(model));
    let score = 0;
    let matched = true;
    for (const word of words) {
      const s = wordScore(word, id, name, author);
      if (s === 0) {
        matched = false;
        break;
      }
      score += s;
    }
    if (!matched) continue;
    if (id === full || name === full) score += 200;
    else if (name.startsWith(full) || id.startsWith(full)) score += 20;
    scored.push({ model, score });
  }
  scored.sort((a, b) => b.score - a.score || a.model.name.localeCompare(b.model.name));
  return scored.map((entry) => entry.model);
}
