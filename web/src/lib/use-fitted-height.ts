/** A text box as tall as its text, up to `maxPx`; past that it scrolls. */
import { type RefObject, useLayoutEffect } from "react";

export function useFittedHeight(
  box: RefObject<HTMLTextAreaElement | null>,
  text: string,
  maxPx: number,
): void {
  // biome-ignore lint/correctness/useExhaustiveDependencies: the height follows the text through the DOM
  useLayoutEffect(() => {
    const node = box.current;
    if (!node) return;
    node.style.height = "auto";
    node.style.height = `${Math.min(node.scrollHeight, maxPx)}px`;
    node.style.overflowY = node.scrollHeight > maxPx ? "auto" : "hidden";
  }, [box, text, maxPx]);
}
