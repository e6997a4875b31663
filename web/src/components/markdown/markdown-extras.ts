/**
 * Loads the heavy renderers (KaTeX, highlight.js) only when an answer needs them.
 *
 * They are rehype plugins placed before the sanitiser; until they arrive, math shows as
 * its TeX source and code as plain text. Components subscribe and re-render once loaded.
 */
import { startTransition, useEffect, useState } from "react";
import type { PluggableList } from "unified";

interface Extras {
  math: PluggableList | null;
  highlight: PluggableList | null;
}

let extras: Extras = { math: null, highlight: null };
const listeners = new Set<() => void>();
let mathLoad: Promise<void> | null = null;
let highlightLoad: Promise<void> | null = null;

function update(next: Partial<Extras>): void {
  extras = { ...extras, ...next };
  for (const listener of listeners) listener();
}

export function loadMath(): Promise<void> {
  mathLoad ??= import("@/components/markdown/math-plugins").then(
    (module) => update({ math: module.mathPlugins }),
    () => {
      mathLoad = null;
    },
  );
  return mathLoad;
}

export function loadHighlight(): Promise<void> {
  highlightLoad ??= import("@/components/markdown/highlight-plugins").then(
    (module) => update({ highlight: module.highlightPlugins }),
    () => {
      highlightLoad = null;
    },
  );
  return highlightLoad;
}

export function needsMath(text: string): boolean {
  return /\$|\\\(|\\\[/.test(text);
}

export function needsHighlight(text: string): boolean {
  return /(^|\n) {0,3}(```|~~~)[ \t]*[\w+#.-]/.test(text);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The loaded extras; starts loading the ones `text` needs. Their arrival re-renders as a
 * transition, so re-rendering many answers at once never blocks input.
 */
export function useMarkdownExtras(text: string): Extras {
  const [current, setCurrent] = useState(extras);
  useEffect(() => {
    const sync = () => startTransition(() => setCurrent(extras));
    sync();
    return subscribe(sync);
  }, []);
  const wantsMath = current.math === null && needsMath(text);
  const wantsHighlight = current.highlight === null && needsHighlight(text);
  useEffect(() => {
    if (wantsMath) void loadMath();
    if (wantsHighlight) void loadHighlight();
  }, [wantsMath, wantsHighlight]);
  return current;
}
