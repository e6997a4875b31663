/**
 * Shows raw HTML from model output as the literal text it is, the way chat apps do
 * ("use <br> for a line break"), instead of dropping it. Text is escaped when rendered.
 */
import type { Root } from "hast";
import { visit } from "unist-util-visit";

export function rehypeRawAsText() {
  return (tree: Root) => {
    visit(tree, "raw", (node, index, parent) => {
      if (!parent || index === undefined) return;
      parent.children[index] = { type: "text", value: node.value };
    });
  };
}
