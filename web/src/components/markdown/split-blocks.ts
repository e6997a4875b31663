/**
 * Splits markdown into top-level blocks so a growing answer re-parses only its last block.
 *
 * A block ends at a blank line outside code fences and `$$` math blocks. A blank line is
 * not a boundary when what follows belongs to the block before: an indented line (a list
 * item's continuation or nested content) or the next item of the same list.
 */

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:\s|$)/;
const BLANK = /^\s*$/;

export interface Fence {
  char: string;
  length: number;
}

export function openingFence(line: string): Fence | null {
  const match = FENCE.exec(line);
  if (!match) return null;
  const marker = match[1];
  // A backtick fence's info string may not contain backticks (then it is inline code).
  if (marker[0] === "`" && line.slice(match[0].length).includes("`")) return null;
  return { char: marker[0], length: marker.length };
}

export function closesFence(line: string, fence: Fence): boolean {
  const trimmed = line.trim();
  if (trimmed.length < fence.length || line.length - line.trimStart().length > 3) return false;
  for (const ch of trimmed) if (ch !== fence.char) return false;
  return true;
}

function isMathFence(line: string): boolean {
  return line.trim() === "$$";
}

export function splitMarkdownBlocks(text: string): string[] {
  const lines = text.split("\n");
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: Fence | null = null;
  let inMath = false;
  let sawBlank = false;
  let currentIsList = false;

  const flush = () => {
    while (current.length > 0 && BLANK.test(current[current.length - 1])) current.pop();
    if (current.length > 0) blocks.push(current.join("\n"));
    current = [];
  };

  for (const line of lines) {
    if (fence) {
      current.push(line);
      if (closesFence(line, fence)) fence = null;
      continue;
    }
    if (inMath) {
      current.push(line);
      if (isMathFence(line)) inMath = false;
      continue;
    }
    if (BLANK.test(line)) {
      if (current.length > 0) sawBlank = true;
      current.push(line);
      continue;
    }
    if (sawBlank) {
      const continues = /^[ \t]/.test(line) || (currentIsList && LIST_ITEM.test(line));
      if (!continues) {
        flush();
        currentIsList = false;
      }
      sawBlank = false;
    }
    if (current.length === 0 || current.every((l) => BLANK.test(l))) {
      current = [];
      currentIsList = LIST_ITEM.test(line);
    }
    current.push(line);
    const opened = openingFence(line);
    if (opened) fence = opened;
    else if (isMathFence(line)) inMath = true;
  }
  flush();
  return blocks;
}

/**
 * Rewrites `\(…\)` and `\[…\]` (common in model output) to the `$…$` / `$$…$$` that
 * remark-math reads, leaving code fences and inline code alone.
 */
export function normaliseMathDelimiters(block: string): string {
  if (!block.includes("\\(") && !block.includes("\\[")) return block;
  if (FENCE.test(block)) return block;
  return block
    .split(/(`+[^`]*`+)/)
    .map((part, index) => {
      if (index % 2 === 1) return part;
      return part
        .replace(/\\\[([\s\S]+?)\\\]/g, (_m, tex: string) => `$$${tex}$$`)
        .replace(/\\\(([\s\S]+?)\\\)/g, (_m, tex: string) => `$${tex}$`);
    })
    .join("");
}
