/**
 * How untrusted markdown elements render: safe links, click-to-load images, code blocks with
 * a header, scrolling tables.
 */
import type { Element, ElementContent } from "hast";
import { type ReactNode, useState } from "react";
import type { Components } from "react-markdown";
import { CopyButton } from "@/components/copy-button";
import { ImageIcon } from "@/components/icons";
import { FootnoteRef } from "@/components/markdown/footnote-elements";
import { useScrollsSideways } from "@/lib/use-scrolls-sideways";

const SAFE_HREF = /^(https?:|mailto:)/i;
const SAFE_SRC = /^https?:/i;

/** Keeps only absolute http(s) and mailto URLs; everything else (javascript:, data:, relative) is dropped. */
export function safeUrl(url: string, key: string): string | null {
  const trimmed = url.trim();
  if (key === "src") return SAFE_SRC.test(trimmed) ? trimmed : null;
  return SAFE_HREF.test(trimmed) ? trimmed : null;
}

function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.host : null;
  } catch {
    return null;
  }
}

export function SafeLink({ href, children }: { href?: string; children?: ReactNode }) {
  if (!href || !SAFE_HREF.test(href)) return <span className="md-link-removed">{children}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

/** An image from model output is fetched only after a click, so hidden images can't leak data. */
export function ImagePlaceholder({ src, alt }: { src?: string; alt?: string }) {
  const [shown, setShown] = useState(false);
  const host = src ? hostOf(src) : null;
  const label = alt?.trim() || "Image";
  if (!src || !host) {
    return <span className="image-placeholder image-placeholder--blocked">[{label}]</span>;
  }
  if (shown) {
    return (
      <img
        className="md-image"
        src={src}
        alt={alt ?? ""}
        referrerPolicy="no-referrer"
        decoding="async"
      />
    );
  }
  return (
    <button
      type="button"
      className="image-placeholder"
      aria-label={`Load image from ${host}`}
      title={label}
      onClick={() => setShown(true)}
    >
      <ImageIcon size={16} />
      <span className="image-placeholder__alt">{label}</span>
      <span className="image-placeholder__host">Load image from {host}</span>
    </button>
  );
}

function textOf(node: ElementContent): string {
  if (node.type === "text") return node.value;
  if (node.type === "element") return node.children.map(textOf).join("");
  return "";
}

function languageOf(code: Element | undefined): string | null {
  const classes = code?.properties?.className;
  if (!Array.isArray(classes)) return null;
  for (const name of classes) {
    if (typeof name === "string" && name.startsWith("language-")) return name.slice(9);
  }
  return null;
}

export function CodeBlock({ node, children }: { node?: Element; children?: ReactNode }) {
  const code = node?.children.find(
    (child): child is Element => child.type === "element" && child.tagName === "code",
  );
  const language = languageOf(code);
  const [box, scrolls] = useScrollsSideways<HTMLPreElement>();
  return (
    <div className="code-block">
      <div className="code-block__header">
        <span className="code-block__lang">{language ?? "text"}</span>
        <CopyButton
          className="code-block__copy"
          label="Copy code"
          showText
          text={() => (code ? textOf(code) : "").replace(/\n$/, "")}
        />
      </div>
      <pre ref={box} tabIndex={scrolls ? 0 : undefined}>
        {children}
      </pre>
    </div>
  );
}

/** A table too wide for the column scrolls sideways, by keyboard too (a Tab stop only then). */
export function TableWrap({ children }: { children?: ReactNode }) {
  const [box, scrolls] = useScrollsSideways<HTMLElement>();
  return (
    // A named section is a region, so a screen reader says what the focus is in.
    <section ref={box} className="table-wrap" tabIndex={scrolls ? 0 : undefined} aria-label="Table">
      <table>{children}</table>
    </section>
  );
}

export const markdownComponents: Components = {
  a: ({ href, children }) => <SafeLink href={href}>{children}</SafeLink>,
  img: ({ src, alt }) => (
    <ImagePlaceholder src={typeof src === "string" ? src : undefined} alt={alt} />
  ),
  pre: ({ node, children }) => <CodeBlock node={node}>{children}</CodeBlock>,
  sup: ({ node, children }) => {
    const number = node?.properties?.dataFootnoteRef;
    return typeof number === "string" ? <FootnoteRef number={number} /> : <sup>{children}</sup>;
  },
  table: ({ children }) => <TableWrap>{children}</TableWrap>,
};
