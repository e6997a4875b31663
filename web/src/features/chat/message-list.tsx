/**
 * The thread. A long conversation first renders its last few messages, then (as an
 * interruptible transition, so no long task blocks input) some more, and earlier ones as
 * the reader scrolls up, keeping the view still. Opening one costs the same at 500
 * messages as at 50; off-screen messages skip layout with `content-visibility: auto`.
 */
import {
  type RefObject,
  startTransition,
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
} from "@/features/chat/use-conversation";

const FIRST_PAINT = 8;
const SOON_AFTER = 30;
const MORE = 30;

interface MessageListProps {
  messages: Message[];
  busy: boolean;
  liveId: string | null;
  connection: Connection;
  controls: MessageControls;
  scroller: RefObject<HTMLElement | null>;
  /** Earlier versions of regenerated answers, by the user message they answer. */
  earlierAnswers?: EarlierAnswers;
  /** What edits replaced, by the edited message: shown in its place when picked. */
  earlierBranches?: EarlierBranches;
}

export function MessageList({
  messages,
  busy,
  liveId,
  connection,
  controls,
  scroller,
  earlierAnswers,
  earlierBranches,
}: MessageListProps) {
  const [shown, setShown] = useState(FIRST_PAINT);
  const sentinel = useRef<HTMLDivElement>(null);
  const anchor = useRef<number | null>(null);
  // Which earlier version of an edited message is on view, by the message that replaced it.
  // A view only: a new answer shows the thread again.
  const [picked, setPicked] = useState<Readonly<Record<string, number>>>({});
  useEffect(() => {
    if (busy) setPicked({});
  }, [busy]);
  const readOnly = useMemo(() => ({ ...controls, edit: undefined }), [controls]);

  // The first message on view at an earlier version shows that version's thread after it.
  let display = messages;
  let branchAt = -1;
  if (earlierBranches && Object.keys(picked).length > 0) {
    for (let i = 0; i < messages.length; i++) {
      const tail = earlierBranches[messages[i].id]?.[picked[messages[i].id] ?? -1];
      if (tail) {
        display = [...messages.slice(0, i), ...tail];
        branchAt = i;
        break;
      }
    }
  }
  const start = Math.max(0, display.length - shown);
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
    <div className="message-list">
      {start > 0 && <div ref={sentinel} className="message-list__more" aria-hidden="true" />}
      {visible.map((message, offset) => {
        const index = start + offset;
        const live = message.id === liveId || (liveId === null && message.status === "streaming");
        const parent =
          earlierAnswers && message.role === "assistant" ? parentOf(display, index) : null;
        // An edited message (or its earlier version on view) moves between its versions.
        const edited = index < messages.length && (branchAt === -1 || index <= branchAt);
        const owner = edited ? messages[index] : null;
        const tails = owner ? earlierBranches?.[owner.id] : undefined;
        return (
          <MessageItem
            // An earlier version takes the same place (and keeps the focus on its switch).
            key={owner ? owner.id : message.id}
            message={message}
            isLastAnswer={index === lastAnswer}
            busy={busy}
            connection={live ? connection : null}
            controls={branchAt !== -1 && index >= branchAt ? readOnly : controls}
            earlier={parent ? earlierAnswers?.[parent] : undefined}
            versions={
              owner && tails
                ? {
                    index: picked[owner.id] ?? tails.length,
                    count: tails.length + 1,
                    onPick: (at) => setPicked((all) => ({ ...all, [owner.id]: at })),
                  }
                : undefined
            }
          />
        );
      })}
    </div>
  );
}
