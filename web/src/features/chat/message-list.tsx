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
  useRef,
  useState,
} from "react";
import type { Message } from "@/api/types";
import type { Connection } from "@/features/chat/answer-state";
import { type MessageControls, MessageItem } from "@/features/chat/message-item";
import { type EarlierAnswers, parentOf } from "@/features/chat/use-conversation";

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
}

export function MessageList({
  messages,
  busy,
  liveId,
  connection,
  controls,
  scroller,
  earlierAnswers,
}: MessageListProps) {
  const [shown, setShown] = useState(FIRST_PAINT);
  const sentinel = useRef<HTMLDivElement>(null);
  const anchor = useRef<number | null>(null);
  const start = Math.max(0, messages.length - shown);
  const visible = start > 0 ? messages.slice(start) : messages;

  let lastAnswer = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === "assistant") {
      lastAnswer = i;
      break;
    }
    if (messages[i].role === "user") break;
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
          earlierAnswers && message.role === "assistant" ? parentOf(messages, index) : null;
        return (
          <MessageItem
            key={message.id}
            message={message}
            isLastAnswer={index === lastAnswer}
            busy={busy}
            connection={live ? connection : null}
            controls={controls}
            earlier={parent ? earlierAnswers?.[parent] : undefined}
          />
        );
      })}
    </div>
  );
}
