/** KaTeX as a rehype plugin, loaded on demand. `trust: false` keeps \href, \url and \html* inert. */
import "katex/dist/katex.min.css";
import rehypeKatex from "rehype-katex";
import type { PluggableList } from "unified";

export const mathPlugins: PluggableList = [
  [
    rehypeKatex,
    { trust: false, strict: "ignore", maxSize: 50, maxExpand: 500, output: "htmlAndMathml" },
  ],
];
