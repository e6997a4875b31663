/**
 * Which version of a message is on view, and keeping its switch in place on screen: shared
 * by the versions of an edited message (MessageList) and of a regenerated answer
 * (MessageItem).
 */
import { type RefObject, useCallback, useLayoutEffect, useRef, useState } from "react";

// How long a switched version's place is kept while it lays out, in milliseconds.
const SETTLE_MS = 500;

/** A version picked for view (null: the newest), until `threadEnd` changes: the thread went
 * on (a message sent or edited, an answer regenerated) from the newest, which is then back
 * on view, as the server builds on it. */
export function usePickedVersion<T>(threadEnd: string | undefined) {
  const [picked, setPicked] = useState<T | null>(null);
  const [pickedAt, setPickedAt] = useState(threadEnd);
  if (pickedAt !== threadEnd) {
    setPickedAt(threadEnd);
    setPicked(null);
  }
  return [picked, setPicked] as const;
}

/**
 * `keepInPlace(control)` notes where a version switch is on screen and returns what moves
 * the view to keep it there once the other version is laid out; `onHold` stops the view
 * following the newest message meanwhile.
 */
export function useKeepInPlace(scroller: RefObject<HTMLElement | null>, onHold?: () => void) {
  const following = useRef<ResizeObserver | null>(null);
  return useCallback(
    (control: HTMLElement) => {
      const top = control.getBoundingClientRect().top;
      onHold?.();
      return () => {
        const root = scroller.current;
        if (!root) return;
        const keep = () => {
          if (control.isConnected) root.scrollTop += control.getBoundingClientRect().top - top;
        };
        keep();
        // A long answer's markdown lays out over a few frames: follow its message a moment,
        // until then or the next switch.
        following.current?.disconnect();
        const watch = new ResizeObserver(keep);
        following.current = watch;
        watch.observe(control.closest("article") ?? control);
        setTimeout(() => watch.disconnect(), SETTLE_MS);
      };
    },
    [onHold, scroller],
  );
}

/** Holds what `keepInPlace` returned, and runs it once `version` has changed and is laid out. */
export function useRestoreOnSwitch(version: unknown) {
  const restore = useRef<(() => void) | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each version switched
  useLayoutEffect(() => {
    restore.current?.();
    restore.current = null;
  }, [version]);
  return restore;
}
