/** Footnote references and back-references: in-page jumps within one answer, made by the app
 * (model text never makes in-page links). */
import { createContext, type MouseEvent, useContext, useMemo } from "react";

/** The answer's own prefix for its notes' ids, so two answers' note 1 never collide. */
export const FootnoteIds = createContext("");

export function footnoteId(ids: string, number: number | string): string {
  return `${ids}-fn-${number}`;
}

function scrollTo(target: Element | null | undefined) {
  target?.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

/** A reference: the note's number, linking down to it. */
export function FootnoteRef({ number }: { number: string }) {
  const target = footnoteId(useContext(FootnoteIds), number);
  const jump = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    scrollTo(document.getElementById(target));
  };
  return (
    <sup className="footnote-ref" data-footnote-ref={number}>
      <a href={`#${target}`} aria-label={`Footnote ${number}`} onClick={jump}>
        {number}
      </a>
    </sup>
  );
}

/** Back up to the note's first reference in the same answer. */
export function FootnoteBack({ number }: { number: number }) {
  const jump = (event: MouseEvent<HTMLButtonElement>) => {
    const answer = event.currentTarget.closest(".markdown");
    scrollTo(answer?.querySelector(`sup[data-footnote-ref="${number}"]`));
  };
  return (
    <button
      type="button"
      className="footnote-back"
      aria-label={`Back to reference ${number}`}
      onClick={jump}
    >
      ↩
    </button>
  );
}

/** The same map while the numbering stays the same, so blocks with references are not redrawn
 * as the rest of the answer streams in. */
export function useSteadyNumbers(
  numbers: ReadonlyMap<string, number> | null,
): ReadonlyMap<string, number> | null {
  const numbering = numbers ? [...numbers].map(([label, n]) => `${n}:${label}`).join("\n") : "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: the numbering decides, not the map's identity
  return useMemo(() => numbers, [numbering]);
}
