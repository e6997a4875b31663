/** The models picked most recently, newest first, kept in localStorage. */
import { readStoredJson, writeStored } from "@/lib/local-store";

const KEY = "openchat.recent-models";
const LIMIT = 5;

export function recentModels(): string[] {
  const value = readStoredJson<unknown>(KEY, []);
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === "string").slice(0, LIMIT)
    : [];
}

export function rememberModel(id: string): string[] {
  const next = [id, ...recentModels().filter((m) => m !== id)].slice(0, LIMIT);
  writeStored(KEY, JSON.stringify(next));
  return next;
}
