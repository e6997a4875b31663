/**
 * Renders untrusted model output as markdown, block by block.
 *
 * Pipeline: GFM + math syntax → (KaTeX, highlight.js when loaded) → rehype-sanitize
 * → React elements. Raw HTML is never rendered. The text is split into top-level blocks and
 * each block is memoised, so while an answer streams only its last block is parsed again.
 */
import { Component, memo, type ReactNode, useMemo } from "react";
import ReactMarkdown from "react-markdown";
import rehypeSanitize from "rehype-sanitize";
import type { PluggableList } from "unified";
import { markdownComponents, safeUrl } from "@/components/markdown/markdown-elements";
import {
  needsHighlight,
  needsMath,
  useMarkdownExtras,
} from "@/components/markdown/markdown-extras";
import { rehypeRawAsText } from "@/components/markdown/rehype-raw-as-text";
import { remarkAnswerSyntax } from "@/components/markdown/remark-syntax";
import { markdownSchema } from "@/components/markdown/sanitize-schema";
import { normaliseMathDelimiters, splitMarkdownBlocks } from "@/components/markdown/split-blocks";

const remarkPlugins: PluggableList = [remarkAnswerSyntax];

/** Plugin lists by what is loaded, so memoised blocks see the same array identity. */
const rehypeCache = new Map<string, PluggableList>();

function rehypePluginsFor(math: PluggableList | null, highlight: PluggableList | null) {
  const key = `${math ? 1 : 0}${highlight ? 1 : 0}`;
  let plugins = rehypeCache.get(key);
  if (!plugins) {
    // Sanitising comes last, so whatever KaTeX or highlight.js emit is checked too.
    plugins = [
      rehypeRawAsText,
      ...(math ?? []),
      ...(highlight ?? []),
      [rehypeSanitize, markdownSchema],
    ];
    rehypeCache.set(key, plugins);
  }
  return plugins;
}

interface BoundaryProps {
  source: string;
  children: ReactNode;
}

/** If a block fails to render, its source is shown as plain text instead. */
class BlockBoundary extends Component<BoundaryProps, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidUpdate(previous: BoundaryProps) {
    if (this.state.failed && previous.source !== this.props.source) {
      this.setState({ failed: false });
    }
  }

  render() {
    if (this.state.failed) return <p className="md-fallback">{this.props.source}</p>;
    return this.props.children;
  }
}

const MarkdownBlock = memo(function MarkdownBlock({
  source,
  math,
  highlight,
}: {
  source: string;
  math: PluggableList | null;
  highlight: PluggableList | null;
}) {
  // A block gets the heavy renderers only if it needs them, so their arrival re-renders
  // just the blocks with math or code.
  const rehypePlugins = rehypePluginsFor(
    needsMath(source) ? math : null,
    needsHighlight(source) ? highlight : null,
  );
  // Each block is its own box so the browser can skip laying out and painting the
  // blocks that are off screen (see `.md-block` in markdown.css).
  return (
    <div className="md-block">
      <BlockBoundary source={source}>
        <ReactMarkdown
          remarkPlugins={remarkPlugins}
          rehypePlugins={rehypePlugins}
          components={markdownComponents}
          urlTransform={safeUrl}
        >
          {normaliseMathDelimiters(source)}
        </ReactMarkdown>
      </BlockBoundary>
    </div>
  );
}, sameBlock);

/** Blocks re-render when their text changes or a renderer they use arrives. */
function sameBlock(
  a: { source: string; math: PluggableList | null; highlight: PluggableList | null },
  b: { source: string; math: PluggableList | null; highlight: PluggableList | null },
): boolean {
  if (a.source !== b.source) return false;
  if (a.math !== b.math && needsMath(b.source)) return false;
  if (a.highlight !== b.highlight && needsHighlight(b.source)) return false;
  return true;
}

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const blocks = useMemo(() => splitMarkdownBlocks(text), [text]);
  const { math, highlight } = useMarkdownExtras(text);
  return (
    <div className="markdown">
      {blocks.map((block, index) => (
        // Blocks only ever grow at the end, so the index is a stable key.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <MarkdownBlock key={index} source={block} math={math} highlight={highlight} />
      ))}
    </div>
  );
});
