/**
 * GFM footnotes across the blocks an answer is split into: definitions (`[^label]: text`)
 * are taken out of the blocks and listed at the end, numbered in the order of their first
 * reference; each reference (`[^label]`) becomes a superscript number. A definition is
 * always shown, referenced or not, so no text of the answer is lost; a reference without a
 * definition stays as written.
 */
import type { ElementContent, Root } from "hast";
import { SKIP, visit } from "unist-util-visit";

export interface Footnote {
  label: string;
  number: number;
  source: string; // the definition's markdown, without its `[^label]:` marker
  referenced: boolean;
}

export interface FootnotedText {
  blocks: string[]; // the blocks, definitions taken out
  notes: Footnote[]; // in number order
  numbers: ReadonlyMap<string, number>; // label -> number, for the references
}

const DEFINITION = /^ {0,3}\[\^([^\]\s]+)\]:[ \t]?(.*)$/;
const REFERENCE = /\[\^([^\]\s]+)\]/g;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const CONTINUATION = /^(?: {1,4}|\t)/;

/** Whether a block may hold footnotes: the cheap test before any work. */
export function mayHaveFootnotes(text: string): boolean {
  return text.includes("[^");
}

/** Takes the definitions out of `blocks` and numbers them. */
export function collectFootnotes(blocks: string[]): FootnotedText {
  const kept: string[] = [];
  const definitions: { label: string; source: string }[] = [];
  for (const block of blocks) {
    if (!mayHaveFootnotes(block)) {
      kept.push(block);
      continue;
    }
    const { text, found } = takeDefinitions(block);
    if (text.trim()) kept.push(text);
    definitions.push(...found);
  }
  const firstSeen = new Map<string, number>();
  const defined = new Set(definitions.map((definition) => definition.label));
  for (const block of kept) {
    if (!mayHaveFootnotes(block)) continue;
    for (const match of withoutCode(block).matchAll(REFERENCE)) {
      const label = match[1];
      if (defined.has(label) && !firstSeen.has(label)) firstSeen.set(label, firstSeen.size);
    }
  }
  // Referenced ones first, in reference order; then the others, in the order written.
  const ordered = definitions
    .map((definition, index) => ({
      ...definition,
      rank: firstSeen.get(definition.label) ?? firstSeen.size + index,
    }))
    .sort((a, b) => a.rank - b.rank);
  const numbers = new Map<string, number>();
  const notes = ordered.map((definition, index) => {
    const number = index + 1;
    if (!numbers.has(definition.label)) numbers.set(definition.label, number);
    return {
      label: definition.label,
      number,
      source: definition.source,
      referenced: firstSeen.has(definition.label) && numbers.get(definition.label) === number,
    };
  });
  return { blocks: kept, notes, numbers };
}

/** The block without its definition lines (and their indented continuations). */
function takeDefinitions(block: string): {
  text: string;
  found: { label: string; source: string }[];
} {
  const text: string[] = [];
  const found: { label: string; lines: string[] }[] = [];
  let current: { label: string; lines: string[] } | null = null;
  let fenced = false;
  for (const line of block.split("\n")) {
    if (FENCE.test(line)) fenced = !fenced;
    const definition = fenced ? null : DEFINITION.exec(line);
    if (definition) {
      current = { label: definition[1], lines: [definition[2]] };
      found.push(current);
    } else if (!fenced && current && (CONTINUATION.test(line) || line.trim() === "")) {
      current.lines.push(line.replace(CONTINUATION, ""));
    } else {
      current = null;
      text.push(line);
    }
  }
  return {
    text: text.join("\n"),
    found: found.map(({ label, lines }) => ({ label, source: lines.join("\n").trim() })),
  };
}

/** The text without code (fenced blocks, inline spans), so `[^x]` written as code is no
 * reference. */
function withoutCode(text: string): string {
  let fenced = false;
  const prose = text.split("\n").map((line) => {
    const fence = FENCE.test(line);
    if (fence) fenced = !fenced;
    return fenced || fence ? "" : line;
  });
  return prose.join("\n").replace(/(`+)[\s\S]*?\1/g, (span) => " ".repeat(span.length));
}

const NOT_IN = new Set(["code", "pre", "a"]);

/** A rehype plugin: each `[^label]` with a definition becomes `<sup data-footnote-ref=N>`. */
export function rehypeFootnoteRefs(numbers: ReadonlyMap<string, number>) {
  return (tree: Root) => {
    visit(tree, (node, index, parent) => {
      if (node.type === "element" && NOT_IN.has(node.tagName)) return SKIP;
      if (node.type !== "text" || !parent || index === undefined) return;
      const parts = splitReferences(node.value, numbers);
      if (!parts) return;
      parent.children.splice(index, 1, ...parts);
      return index + parts.length;
    });
  };
}

function splitReferences(
  value: string,
  numbers: ReadonlyMap<string, number>,
): ElementContent[] | null {
  const parts: ElementContent[] = [];
  let last = 0;
  for (const match of value.matchAll(REFERENCE)) {
    const number = numbers.get(match[1]);
    if (number === undefined || match.index === undefined) continue;
    if (match.index > last) parts.push({ type: "text", value: value.slice(last, match.index) });
    parts.push({
      type: "element",
      tagName: "sup",
      properties: { dataFootnoteRef: String(number) },
      children: [{ type: "text", value: String(number) }],
    });
    last = match.index + match[0].length;
  }
  if (parts.length === 0) return null;
  if (last < value.length) parts.push({ type: "text", value: value.slice(last) });
  return parts;
}
