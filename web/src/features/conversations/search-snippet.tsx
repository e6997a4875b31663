/**
 * A found message's line in the sidebar, its words marked as the server matched them: each
 * word of the search at the start of a word (one or two ASCII letters or digits: a whole
 * word), in any case.
 */
import type { ReactNode } from "react";

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const SHORTEST_PREFIX = 3;
const ASCII = /^\p{ASCII}*$/u;

function isPrefix(word: string): boolean {
  return word.length >= SHORTEST_PREFIX || !ASCII.test(word);
}

/** The search's words, as the server takes them (letters, digits and their marks; eight). */
export function searchWords(query: string): string[] {
  const words = new Set((query.match(WORD) ?? []).map((word) => word.toLowerCase()));
  return [...words].slice(0, 8);
}

/** The text in pieces: plain strings, and the words of the query found, marked. */
export function markWords(text: string, query: string): ReactNode[] {
  const words = searchWords(query); // letters and digits only: nothing to escape
  if (words.length === 0) return [text];
  // Longest first, so that "tide tides" marks all of "tides".
  const alternatives = words
    .sort((a, b) => b.length - a.length)
    .map((word) => (isPrefix(word) ? word : `${word}(?![\\p{L}\\p{N}\\p{M}])`));
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])(?:${alternatives.join("|")})`, "giu");
  const pieces: ReactNode[] = [];
  let last = 0;
  for (const found of text.matchAll(pattern)) {
    const start = found.index ?? 0;
    if (start > last) pieces.push(text.slice(last, start));
    pieces.push(<mark key={start}>{found[0]}</mark>);
    last = start + found[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return pieces;
}

export function SearchSnippet({ text, query }: { text: string; query: string }) {
  return (
    <span className="conversation-item__snippet" dir="auto">
      {markWords(text, query)}
    </span>
  );
}
