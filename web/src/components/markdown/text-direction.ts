/**
 * Each block of an answer in the direction of its own first letter, so Arabic and Hebrew
 * read right to left whatever the language around them. An explicit `dir`, not `dir="auto"`:
 * `auto` skips children that have a `dir` of their own, so a list or quote of right-to-left
 * items would itself stay left to right, its bullets and border on the wrong side.
 */
import type { Element, ElementContent, Root } from "hast";
import { visit } from "unist-util-visit";

const BLOCKS = new Set([
  ...["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"],
  ...["ul", "ol", "li", "th", "td", "dt", "dd"],
]);
const LETTER = /\p{L}/u;
const RIGHT_TO_LEFT =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}]/u;

/** `rtl` or `ltr` by the first letter of `text`; undefined when it has none. */
export function directionOf(text: string): "rtl" | "ltr" | undefined {
  const letter = LETTER.exec(text)?.[0];
  if (letter === undefined) return undefined;
  return RIGHT_TO_LEFT.test(letter) ? "rtl" : "ltr";
}

function firstLetterDirection(nodes: ElementContent[]): "rtl" | "ltr" | undefined {
  for (const node of nodes) {
    const found =
      node.type === "text"
        ? directionOf(node.value)
        : node.type === "element"
          ? firstLetterDirection(node.children)
          : undefined;
    if (found) return found;
  }
  return undefined;
}

/** Runs after sanitising: the `dir` it sets is its own, never the model's. */
export function rehypeTextDirection() {
  return (tree: Root) => {
    visit(tree, "element", (node: Element) => {
      if (!BLOCKS.has(node.tagName)) return;
      const direction = firstLetterDirection(node.children);
      if (direction) node.properties.dir = direction;
    });
  };
}
