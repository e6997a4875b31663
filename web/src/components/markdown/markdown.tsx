/**
 * Renders untrusted model output as markdown, block by block.
 *
 * Pipeline: GFM + math syntax → (KaTeX, highlight.js when loaded) → footnote references
 * → rehype-sanitize → React elements. Raw HTML is never rendered. The text is split into
 * top-level blocks and each block is memoised, so while an answer streams only its last
 * block is parsed again. Footnote definitions are taken out of the blocks and listed last.
 */
import { Component, memo, type ReactNode, useId, useMemo } from "react";
import ReactMarkdown from "react-markdown";
import rehypeSanitize from "rehype-sanitize";
import type { PluggableList } from "unified";
import {
  FootnoteBack,
  FootnoteIds,
  footnoteId,
  useSteadyNumbers,
} from "@/components/markdown/footnote-elements";
import {
  collectFootnotes,
  type Footnote,
  mayHaveFootnotes,
  rehypeFootnoteRefs,
} from "@/components/markdown/footnotes";
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
import { directionOf, rehypeTextDirection } from "@/components/markdown/text-direction";

const remarkPlugins: PluggableList = [remarkAnswerSyntax];

type Numbers = ReadonlyMap<string, number>;

/** Plugin lists by what is loaded, so memoised blocks see the same array identity. */
const rehypeCache = new Map<string, PluggableList>();
const footnoteCache = new WeakMap<Numbers, Map<string, PluggableList>>();

function rehypePluginsFor(
  math: PluggableList | null,
  highlight: PluggableList | null,
  footnotes: Numbers | null,
) {
  const key = `${math ? 1 : 0}${highlight ? 1 : 0}`;
  let cache = rehypeCache;
  if (footnotes) {
    cache = footnoteCache.get(footnotes) ?? new Map();
    footnoteCache.set(footnotes, cache);
  }
  let plugins = cache.get(key);
  if (!plugins) {
    // Sanitising comes after what KaTeX, highlight.js or the references emit, so that is
    // checked too; only the text's direction, set by the app, comes after it.
    plugins = [
      rehypeRawAsText,
      ...(math ?? []),
      ...(highlight ?? []),
      ...(footnotes ? [[rehypeFootnoteRefs, footnotes] as PluggableList[number]] : []),
      [rehypeSanitize, markdownSchema],
      rehypeTextDirection,
    ];
    cache.set(key, plugins);
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

interface BlockProps {
  source: string;
  math: PluggableList | null;
  highlight: PluggableList | null;
  footnotes: Numbers | null;
}

const MarkdownBlock = memo(function MarkdownBlock({
  source,
  math,
  highlight,
  footnotes,
}: BlockProps) {
  // A block gets the heavy renderers only if it needs them, so their arrival re-renders
  // just the blocks with math or code.
  const rehypePlugins = rehypePluginsFor(
    needsMath(source) ? math : null,
    needsHighlight(source) ? highlight : null,
    footnotes && mayHaveFootnotes(source) ? footnotes : null,
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
function sameBlock(a: BlockProps, b: BlockProps): boolean {
  if (a.source !== b.source) return false;
  if (a.math !== b.math && needsMath(b.source)) return false;
  if (a.highlight !== b.highlight && needsHighlight(b.source)) return false;
  if (a.footnotes !== b.footnotes && mayHaveFootnotes(b.source)) return false;
  return true;
}

export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const split = useMemo(() => splitMarkdownBlocks(text), [text]);
  const footnoted = useMemo(
    () => (mayHaveFootnotes(text) ? collectFootnotes(split) : null),
    [split, text],
  );
  const numbers = useSteadyNumbers(
    footnoted && footnoted.numbers.size > 0 ? footnoted.numbers : null,
  );
  const blocks = footnoted ? footnoted.blocks : split;
  const { math, highlight } = useMarkdownExtras(text);
  const ids = useId();
  return (
    <FootnoteIds.Provider value={ids}>
      <div className="markdown">
        {blocks.map((block, index) => (
          <MarkdownBlock
            // biome-ignore lint/suspicious/noArrayIndexKey: blocks only ever grow at the end
            key={index}
            source={block}
            math={math}
            highlight={highlight}
            footnotes={numbers}
          />
        ))}
        {footnoted && footnoted.notes.length > 0 && (
          <Footnotes notes={footnoted.notes} ids={ids} math={math} highlight={highlight} />
        )}
      </div>
    </FootnoteIds.Provider>
  );
});

function Footnotes({
  notes,
  ids,
  math,
  highlight,
}: {
  notes: Footnote[];
  ids: string;
  math: PluggableList | null;
  highlight: PluggableList | null;
}) {
  return (
    <section className="footnotes" aria-label="Footnotes">
      <ol dir={directionOf(notes.map((note) => note.source).join(" "))}>
        {notes.map((note) => (
          <li
            key={note.number}
            id={footnoteId(ids, note.number)}
            value={note.number}
            dir={directionOf(note.source)}
          >
            <MarkdownBlock
              source={note.source}
              math={math}
              highlight={highlight}
              footnotes={null}
            />
            {note.referenced && <FootnoteBack number={note.number} />}
          </li>
        ))}
      </ol>
    </section>
  );
}
