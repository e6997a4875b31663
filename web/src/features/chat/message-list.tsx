/**
 * The thread. A long conversation first renders its last few messages, then (as an
 * interruptible transition, so no long task blocks input) some more, and earlier ones as
 * the reader scrolls up, keeping the view still. Opening one costs the same at 500
 * messages as at 50; off-screen messages skip layout with `content-visibility: auto`.
 * A message to reveal (a search's match) is rendered with all that follows it, scrolled to
 * and marked for a moment; an earlier version, at the place of the version now shown.
 */
import {
  type RefObject,
  startTransition,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import type { Message } from "@/api/types";
import type { Connection } from "@/features/chat/answer-state";
import { type MessageControls, MessageItem } from "@/features/chat/message-item";
import {
  type EarlierAnswers,
  type EarlierBranches,
  parentOf,
  placeInThread,
} from "@/features/chat/use-conversation";
import { useKeepInPlace, usePickedVersion, useRestoreOnSwitch } from "@/features/chat/version-view";

const FIRST_PAINT = 8;
const SOON_AFTER = 30;
const MORE = 30;
const FOUND_MARK_MS = 2400;

interface MessageListProps {
  messages: Message[];
  busy: boolean;
  liveId: string | null;
  connection: Connection;
  controls: MessageControls;
  scroller: RefObject<HTMLElement | null>;
  /** Stops the view following the newest message: a version switched keeps its place. */
  onHoldView?: () => void;
  /** Earlier versions of regenerated answers, by the user message they answer. */
  earlierAnswers?: EarlierAnswers;
  /** What edits replaced, by the edited message: shown in its place when picked. */
  earlierBranches?: EarlierBranches;
  /** A message to scroll to once, then onRevealed; one the thread does not have yet waits. */
  reveal?: string | null;
  onRevealed?: () => void;
}

export function MessageList({
  messages,
  busy,
  liveId,
  connection,
  controls,
  scroller,
  onHoldView,
  earlierAnswers,
  earlierBranches,
  reveal,
  onRevealed,
}: MessageListProps) {
  const [shown, setShown] = useState(FIRST_PAINT);
  const sentinel = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const anchor = useRef<number | null>(null);
  // The earlier version of an edited message on view (by the message that replaced it), if
  // any: a view only, gone as soon as the thread changes at its end (a message is sent).
  const lastId = messages.at(-1)?.id;
  const [picked, setPicked] = usePickedVersion<{ id: string; index: number }>(lastId);
  const keepInPlace = useKeepInPlace(scroller, onHoldView);
  const restorePlace = useRestoreOnSwitch(picked);
  const pickVersion = useCallback(
    (id: string, index: number, control: HTMLElement) => {
      restorePlace.current = keepInPlace(control);
      setPicked(index < 0 ? null : { id, index });
    },
    [keepInPlace, restorePlace, setPicked],
  );
  const readOnly = useMemo(() => ({ ...controls, edit: undefined }), [controls]);

  // The message on view at an earlier version shows that version's thread after it.
  let display = messages;
  let branchAt = -1;
  const tail = picked ? earlierBranches?.[picked.id]?.[picked.index] : undefined;
  if (picked && tail) {
    branchAt = messages.findIndex((m) => m.id === picked.id);
    if (branchAt !== -1) display = [...messages.slice(0, branchAt), ...tail];
  }
  // Counted on the thread, so switching moves nothing above; the switched message stays in.
  const target = reveal ? placeInThread(reveal, messages, earlierAnswers, earlierBranches) : null;
  const revealAt = target ? messages.findIndex((m) => m.id === target) : -1;
  const needed = revealAt === -1 ? 0 : messages.length - revealAt;
  const base = Math.max(0, messages.length - Math.max(shown, needed));
  const start = branchAt === -1 ? base : Math.min(base, branchAt);
  const visible = start > 0 ? display.slice(start) : display;

  let lastAnswer = -1;
  for (let i = display.length - 1; i >= 0 && branchAt === -1; i--) {
    if (display[i].role === "assistant") {
      lastAnswer = i;
      break;
    }
    if (display[i].role === "user") break;
  }

  useEffect(() => {
    startTransition(() => setShown((count) => Math.max(count, SOON_AFTER)));
  }, []);

  // Rendered now (see `needed`), kept rendered, scrolled to, marked, and done with: before the
  // first paint, so that the view never shows the newest message first.
  useLayoutEffect(() => {
    if (!target) return;
    const rendered = list.current?.querySelectorAll<HTMLElement>("[data-message-id]") ?? [];
    const node = [...rendered].find((item) => item.dataset.messageId === target);
    if (node) {
      setShown((count) => Math.max(count, needed));
      onHoldView?.(); // the view stays on it, not at the newest message
      node.scrollIntoView({ block: "center" });
      node.classList.add("message--found");
      window.setTimeout(() => node.classList.remove("message--found"), FOUND_MARK_MS);
    }
    onRevealed?.();
  }, [target, needed, onHoldView, onRevealed]);

  useEffect(() => {
    const node = sentinel.current;
    const root = scroller.current;
    if (!node || !root || start === 0) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        anchor.current = root.scrollHeight - root.scrollTop;
        startTransition(() => setShown((count) => count + MORE));
      },
      { root, rootMargin: "600px 0px 0px 0px" },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [scroller, start]);

  // Earlier messages were added above: keep what the reader sees where it was.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each batch of earlier messages
  useLayoutEffect(() => {
    const root = scroller.current;
    if (anchor.current === null || !root) return;
    root.scrollTop = root.scrollHeight - anchor.current;
    anchor.current = null;
  }, [shown, scroller]);

  return (
    <div className="message-list" ref={list}>
      {start > 0 && <div ref={sentinel} className="message-list__more" aria-hidden="true" />}
      {visible.map((message, offset) => {
        const index = start + offset;
        const live = message.id === liveId || (liveId === null && message.status === "streaming");
        const parent =
          earlierAnswers && message.role === "assistant" ? parentOf(display, index) : null;
        const earlier = parent ? earlierAnswers?.[parent] : undefined;
        // An edited message (or its earlier version on view) moves between its versions.
        const owner = index < messages.length && (branchAt === -1 || index <= branchAt);
        const ownerId = owner ? messages[index].id : null;
        const tails = ownerId ? earlierBranches?.[ownerId] : undefined;
        return (
          <MessageItem
            // An earlier version takes the same place (and keeps the focus on its switch).
            key={ownerId ?? message.id}
            message={message}
            isLastAnswer={index === lastAnswer}
            busy={busy}
            connection={live ? connection : null}
            controls={branchAt !== -1 && index >= branchAt ? readOnly : controls}
            earlier={earlier}
            threadEnd={earlier ? lastId : undefined}
            keepInPlace={earlier ? keepInPlace : undefined}
            versionOf={tails ? (ownerId ?? undefined) : undefined}
            versionIndex={tails ? (index === branchAt ? picked?.index : tails.length) : undefined}
            versionCount={tails ? tails.length + 1 : undefined}
            onPickVersion={tails ? pickVersion : undefined}
          />
        );
      })}
    </div>
  );
}
