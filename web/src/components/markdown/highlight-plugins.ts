/**
 * Syntax highlighting with highlight.js (common languages only), loaded on demand.
 *
 * A small rehype plugin in the spirit of rehype-highlight: it replaces the text of
 * `pre > code.language-x` with highlight.js's span tree. Unknown languages stay plain.
 */
import type { Element, Root } from "hast";
import { toText } from "hast-util-to-text";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import dockerfile from "highlight.js/lib/languages/dockerfile";
import go from "highlight.js/lib/languages/go";
import ini from "highlight.js/lib/languages/ini";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import kotlin from "highlight.js/lib/languages/kotlin";
import markdown from "highlight.js/lib/languages/markdown";
import php from "highlight.js/lib/languages/php";
import python from "highlight.js/lib/languages/python";
import ruby from "highlight.js/lib/languages/ruby";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import swift from "highlight.js/lib/languages/swift";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import { createLowlight } from "lowlight";
import type { PluggableList } from "unified";
import { visit } from "unist-util-visit";

const lowlight = createLowlight({
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  dockerfile,
  go,
  ini,
  java,
  javascript,
  json,
  kotlin,
  markdown,
  php,
  python,
  ruby,
  rust,
  shell,
  sql,
  swift,
  typescript,
  xml,
  yaml,
});

/** Longer code is left plain: highlighting it would cost more than it helps. */
const MAX_HIGHLIGHT_CHARS = 60_000;

function languageOf(node: Element): string | null {
  const classes = node.properties?.className;
  if (!Array.isArray(classes)) return null;
  for (const name of classes) {
    if (typeof name === "string" && name.startsWith("language-")) return name.slice(9);
  }
  return null;
}

function rehypeHighlightCode() {
  return (tree: Root) => {
    visit(tree, "element", (node, _index, parent) => {
      if (node.tagName !== "code" || !parent || parent.type !== "element") return;
      if (parent.tagName !== "pre") return;
      const language = languageOf(node)?.toLowerCase();
      if (!language || !lowlight.registered(language)) return;
      const text = toText(node, { whitespace: "pre" });
      if (text.length > MAX_HIGHLIGHT_CHARS) return;
      try {
        const result = lowlight.highlight(language, text);
        node.children = result.children as Element["children"];
        const classes = Array.isArray(node.properties.className) ? node.properties.className : [];
        node.properties.className = [...classes, "hljs"];
      } catch {
        // A grammar that chokes leaves the code plain.
      }
    });
  };
}

export const highlightPlugins: PluggableList = [rehypeHighlightCode];
