/**
 * The allow-list applied to every rendered answer, after KaTeX and syntax highlighting ran.
 *
 * It extends GitHub's schema only with what those two renderers emit: class names on
 * `span`/`code`, KaTeX's inline `style` on `span`, MathML, and the plain SVG paths KaTeX
 * draws radicals and arrows with. Event handlers, `script`, `style` elements, `foreignObject`
 * and non-http(s)/mailto URLs never pass.
 */
import type { Options as SanitizeSchema } from "rehype-sanitize";
import { defaultSchema } from "rehype-sanitize";

const mathTags = [
  "math",
  "semantics",
  "annotation",
  "mrow",
  "mi",
  "mn",
  "mo",
  "ms",
  "mtext",
  "mspace",
  "msup",
  "msub",
  "msubsup",
  "mfrac",
  "msqrt",
  "mroot",
  "mover",
  "munder",
  "munderover",
  "mtable",
  "mtr",
  "mtd",
  "mpadded",
  "mphantom",
  "mstyle",
  "menclose",
  "mglyph",
];

const mathAttributes = [
  "xmlns",
  "display",
  "encoding",
  "mathvariant",
  "mathcolor",
  "mathsize",
  "mathbackground",
  "stretchy",
  "fence",
  "separator",
  "lspace",
  "rspace",
  "minsize",
  "maxsize",
  "largeop",
  "movablelimits",
  "accent",
  "accentunder",
  "symmetric",
  "linethickness",
  "scriptlevel",
  "displaystyle",
  "rowspacing",
  "columnspacing",
  "columnalign",
  "rowalign",
  "columnlines",
  "rowlines",
  "frame",
  "notation",
  "depth",
  "voffset",
  "width",
  "height",
];

const svgTags = ["svg", "path", "line", "g"];
const svgAttributes = [
  "viewBox",
  "preserveAspectRatio",
  "d",
  "x1",
  "x2",
  "y1",
  "y2",
  "strokeWidth",
  "width",
  "height",
  "xmlns",
];

const base = defaultSchema;
const baseAttributes = base.attributes ?? {};

export const markdownSchema: SanitizeSchema = {
  ...base,
  tagNames: [...(base.tagNames ?? []), ...mathTags, ...svgTags],
  attributes: {
    ...baseAttributes,
    // No ids or in-page links from model text; footnotes get theirs from the app.
    a: ["href", "ariaLabel", "title"],
    code: [["className", /^language-./, "hljs", "math-inline", "math-display"]],
    span: ["className", "style", "ariaHidden"],
    sup: [["dataFootnoteRef", /^\d+$/]], // set by footnotes.ts only: markdown cannot write it
    div: [...(baseAttributes.div ?? []), ["className", "math", "math-display"]],
    ...Object.fromEntries(mathTags.map((tag) => [tag, mathAttributes])),
    ...Object.fromEntries(svgTags.map((tag) => [tag, svgAttributes])),
  },
  protocols: {
    ...base.protocols,
    href: ["http", "https", "mailto"],
    src: ["http", "https"],
  },
  strip: ["script", "style"],
};
