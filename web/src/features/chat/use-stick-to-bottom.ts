/**
 * Keeps a scroller pinned to its bottom while its content grows, until the reader scrolls
 * up (wheel, touch, keys or the scrollbar) or the focus moves into the content away from the
 * bottom (an opened editor), or the app releases it (a version switched in place); scrolling
 * back down to the end pins it again.
 */
import { type RefObject, useCallback, useEffect, useRef, useState } from "react";

const NEAR_BOTTOM_PX = 64;

export function useStickToBottom(
  scroller: RefObject<HTMLElement | null>,
  content: RefObject<HTMLElement | null>,
) {
  const stick = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  const scrollToBottom = useCallback(() => {
    const node = scroller.current;
    stick.current = true;
    setAtBottom(true);
    if (node) node.scrollTop = node.scrollHeight;
  }, [scroller]);

  /** Stops following the bottom (a place of its own is on view) until the bottom is reached again. */
  const release = useCallback(() => {
    stick.current = false;
  }, []);

  useEffect(() => {
    const node = scroller.current;
    const inner = content.current;
    if (!node || !inner) return;

    const distance = () => node.scrollHeight - node.scrollTop - node.clientHeight;
    const onScroll = () => {
      const near = distance() <= NEAR_BOTTOM_PX;
      // Only the reader unpins (see below); reaching the end again re-pins.
      if (near) stick.current = true;
      setAtBottom(near || stick.current);
    };
    const unpin = () => {
      if (distance() > 1) {
        stick.current = false;
        setAtBottom(false);
      }
    };
    const onWheel = (event: WheelEvent) => {
      if (event.deltaY < 0) {
        stick.current = false;
        setAtBottom(false);
      }
    };
    const onKey = (event: KeyboardEvent) => {
      if (["ArrowUp", "PageUp", "Home"].includes(event.key)) {
        stick.current = false;
        setAtBottom(false);
      }
    };
    // Focus scrolls its element into view: stay there, not back at the bottom.
    const onFocusIn = () => unpin();
    const onPointerDown = (event: PointerEvent) => {
      // A press on the scrollbar (outside the content box) starts a manual scroll.
      if (event.target === node && event.offsetX > node.clientWidth) unpin();
    };

    const observer = new ResizeObserver(() => {
      if (stick.current) node.scrollTop = node.scrollHeight;
      else setAtBottom(distance() <= NEAR_BOTTOM_PX);
    });
    observer.observe(inner);
    node.addEventListener("scroll", onScroll, { passive: true });
    node.addEventListener("wheel", onWheel, { passive: true });
    node.addEventListener("touchmove", unpin, { passive: true });
    node.addEventListener("keydown", onKey);
    node.addEventListener("pointerdown", onPointerDown);
    inner.addEventListener("focusin", onFocusIn);
    return () => {
      inner.removeEventListener("focusin", onFocusIn);
      observer.disconnect();
      node.removeEventListener("scroll", onScroll);
      node.removeEventListener("wheel", onWheel);
      node.removeEventListener("touchmove", unpin);
      node.removeEventListener("keydown", onKey);
      node.removeEventListener("pointerdown", onPointerDown);
    };
  }, [scroller, content]);

  return { atBottom, scrollToBottom, release };
}
