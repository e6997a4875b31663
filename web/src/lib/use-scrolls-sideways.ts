/**
 * Whether an element's content is wider than the element, kept up to date: a box that
 * scrolls sideways must be a Tab stop for keyboard users, and one that does not need not be.
 */
import { type RefObject, useLayoutEffect, useRef, useState } from "react";

export function useScrollsSideways<T extends HTMLElement>(): [RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [scrolls, setScrolls] = useState(false);
  // On every render (the content may have grown, as an answer streams in) ...
  useLayoutEffect(() => {
    const element = ref.current;
    if (element) setScrolls(element.scrollWidth > element.clientWidth);
  });
  // ... and whenever the box or its content changes size (a narrower window).
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() =>
      setScrolls(element.scrollWidth > element.clientWidth),
    );
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return [ref, scrolls];
}
