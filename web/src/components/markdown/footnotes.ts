/**
 * GFM footnotes across the blocks an answer is split into: definitions (`[^label]: text`)
 * are taken out of the blocks and listed at the end, numbered in the order of their first
 * reference; each reference (`[^label]`) becomes a superscript number. A definition is
 * always shown, referenced or not, so no text of the answer is lost; a reference without a
 * definition stays as written. Code and math are left alone.
 */
import type { ElementContent, Root } from "hast";
import { SKIP, visit } from "unist-util-visit";
import { closesFence, type Fence, openingFence } from "@/components/markdown/split-blocks";

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

// A label as GFM has it: no brackets, no white space, at most 999 characters. (Allowing `[`
// made a long run of `[^` cost quadratic time on every streamed token.)
const LABEL = "[^[\\]\\s]{1,999}";
const DEFINITION = new RegExp(`^ {0,3}\\[\\^(${LABEL})\\]:[ \\t]?(.*?)\\r?$`);
const REFERENCE = new RegExp(`\\[\\^(${LABEL})\\]`, "g");
const INDENTED = /^(?: {4}|\t)/; // a continuation after a blank line

/** Labels match whatever their case, as in GFM. */
function key(label: string): string {
  return label.toLowerCase();
}

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
    for (const match of prose(block).matchAll(REFERENCE)) {
      const label = key(match[1]);
      if (defined.has(label) && !firstSeen.has(label)) firstSeen.set(label, firstSeen.size);
    }
  }
  // Cited ones first, in the order cited; then the others (a label's later definitions too),
  // in the order written.
  const seenLabels = new Set<string>();
  const ordered = definitions
    .map((definition, index) => {
      const first = !seenLabels.has(definition.label);
      seenLabels.add(definition.label);
      const cited = first ? firstSeen.get(definition.label) : undefined;
      return { ...definition, cited: cited !== undefined, rank: cited ?? firstSeen.size + index };
    })
    .sort((a, b) => a.rank - b.rank);
  const numbers = new Map<string, number>();
  const notes = ordered.map((definition, index) => {
    const number = index + 1;
    if (definition.cited) numbers.set(definition.label, number);
    return {
      label: definition.label,
      number,
      source: definition.source,
      referenced: definition.cited,
    };
  });
  return { blocks: kept, notes, numbers };
}

/** The block without its definitions: a definition runs on over the lines that follow it
 * (lazily, as a paragraph does) and, past a blank line, over lines indented by four. */
function takeDefinitions(block: string): {
  text: string;
  found: { label: string; source: string }[];
} {
  const text: string[] = [];
  const found: { label: string; lines: string[] }[] = [];
  let current: { label: string; lines: string[] } | null = null;
  let afterBlank = false;
  const lines = block.split("\n");
  const code = codeLines(lines);
  for (const [index, line] of lines.entries()) {
    const definition = code[index] ? null : DEFINITION.exec(line);
    const blank = line.trim() === "";
    if (definition) {
      current = { label: key(definition[1]), lines: [definition[2]] };
      found.push(current);
      afterBlank = false;
    } else if (current && !code[index] && (blank || (afterBlank ? INDENTED.test(line) : true))) {
      current.lines.push(line.replace(INDENTED, ""));
      afterBlank = afterBlank || blank;
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

/** For each line, whether it belongs to a fenced code block, its fences included. */
function codeLines(lines: string[]): boolean[] {
  let fence: Fence | null = null;
  return lines.map((line) => {
    if (fence) {
      if (closesFence(line, fence)) fence = null;
      return true;
    }
    fence = openingFence(line);
    return fence !== null;
  });
}

/** The text without code (fenced blocks, inline spans) or math, where `[^x]` is no reference. */
function prose(text: string): string {
  const lines = text.split("\n");
  const code = codeLines(lines);
  return lines
    .map((line, index) => (code[index] ? "" : line))
    .join("\n")
    .replace(/(`+)[\s\S]*?\1|\$\$[\s\S]*?\$\$|\$[^$\n]*\$/g, (span) => " ".repeat(span.length));
}

const NOT_IN = new Set(["code", "pre", "a", "math"]);

function skipped(node: ElementContent): boolean {
  if (node.type !== "element") return false;
  const classes = node.properties?.className;
  return NOT_IN.has(node.tagName) || (Array.isArray(classes) && classes.includes("katex"));
}

/** A rehype plugin: each `[^label]` with a note becomes `<sup data-footnote-ref=N>`; never in
 * code, links or math. It runs before sanitising, which checks what it makes. */
export function rehypeFootnoteRefs(numbers: ReadonlyMap<string, number>) {
  return (tree: Root) => {
    visit(tree, (node, index, parent) => {
      if (node.type === "element" && skipped(node)) return SKIP;
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
    const number = numbers.get(key(match[1]));
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
