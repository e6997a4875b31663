/**
 * Follows a conversation's answer stream with EventSource.
 *
 * The stream is a GET, so the browser's own reconnect (with Last-Event-ID) plus the
 * server's replay do the resuming; the server ends the response after `done`/`error`,
 * and the source is closed right then so the browser does not reconnect. When the browser
 * gives up (the source is CLOSED), this reconnects with `?last_event_id=` and a backoff.
 * Chunks are applied in batches, at most once per animation frame and ~25 times a second,
 * however fast they arrive.
 */
import { useCallback, useEffect, useReducer, useRef } from "react";
import { streamUrl } from "@/api/endpoints";
import type { Message } from "@/api/types";
import {
  type AnswerState,
  answerReducer,
  idleAnswer,
  isFinished,
} from "@/features/chat/answer-state";
import { eventIdOf, parseStreamEvent, type ReceivedEvent } from "@/features/chat/stream-events";

const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000];
/** At most one repaint of the growing answer per this many ms (about 25 per second). */
const MIN_FLUSH_INTERVAL_MS = 40;

export interface AnswerStream {
  state: AnswerState;
  /** Starts following the answer (a fresh answer, or the one `messageId` names). */
  open: (options?: { messageId?: string | null; model?: string | null }) => void;
  /** Marks the answer as being stopped (the stop request is in flight), or not any more. */
  markStopping: (stopping: boolean) => void;
  /** Ends the answer as stopped, with the message the server stored. */
  finishStopped: (message: Message) => void;
  /** Stops listening and forgets the answer. */
  reset: () => void;
}

export function useAnswerStream(conversationId: string): AnswerStream {
  const [state, dispatch] = useReducer(answerReducer, idleAnswer);
  const source = useRef<EventSource | null>(null);
  const pending = useRef<ReceivedEvent[]>([]);
  const frame = useRef<{ kind: "raf" | "timeout"; handle: number } | null>(null);
  const lastId = useRef(0);
  const retry = useRef<{ attempt: number; timer: number | undefined }>({
    attempt: 0,
    timer: undefined,
  });
  const active = useRef(false);

  const cancelFrame = useCallback(() => {
    const current = frame.current;
    if (!current) return;
    if (current.kind === "raf") cancelAnimationFrame(current.handle);
    else window.clearTimeout(current.handle);
    frame.current = null;
  }, []);

  const lastFlush = useRef(0);

  const flush = useCallback(() => {
    frame.current = null;
    const events = pending.current;
    if (events.length === 0) return;
    pending.current = [];
    lastFlush.current = performance.now();
    dispatch({ type: "events", events });
  }, []);

  const schedule = useCallback(() => {
    if (frame.current) return;
    const wait = MIN_FLUSH_INTERVAL_MS - (performance.now() - lastFlush.current);
    // Hidden tabs get no animation frames; a timer keeps the text current there.
    if (document.hidden) {
      frame.current = { kind: "timeout", handle: window.setTimeout(flush, 100) };
    } else if (wait > 4) {
      frame.current = {
        kind: "timeout",
        handle: window.setTimeout(() => {
          frame.current = { kind: "raf", handle: requestAnimationFrame(flush) };
        }, wait),
      };
    } else {
      frame.current = { kind: "raf", handle: requestAnimationFrame(flush) };
    }
  }, [flush]);

  const closeSource = useCallback(() => {
    source.current?.close();
    source.current = null;
    window.clearTimeout(retry.current.timer);
    retry.current.timer = undefined;
  }, []);

  const connect = useCallback(() => {
    closeSource();
    const es = new EventSource(streamUrl(conversationId, lastId.current));
    source.current = es;

    es.onopen = () => {
      retry.current.attempt = 0;
      dispatch({ type: "connection", connection: "open" });
    };

    es.onmessage = (message: MessageEvent<string>) => {
      const event = parseStreamEvent(message.data);
      if (!event) return;
      const id = eventIdOf(message.lastEventId);
      if (id !== null) lastId.current = event.type === "start" ? id : Math.max(lastId.current, id);
      pending.current.push({ id, event });
      if (event.type === "done" || event.type === "error") {
        // The server ends the response now; closing stops the browser from reconnecting.
        active.current = false;
        closeSource();
        cancelFrame();
        flush();
      } else {
        schedule();
      }
    };

    es.onerror = () => {
      if (source.current !== es || !active.current) return;
      if (es.readyState === EventSource.CONNECTING) {
        dispatch({ type: "connection", connection: "reconnecting" });
        return;
      }
      // The browser gave up (an HTTP error or a refused connection): retry with a backoff.
      source.current = null;
      const attempt = retry.current.attempt;
      if (attempt >= RETRY_DELAYS_MS.length) {
        active.current = false;
        flush();
        dispatch({
          type: "failed",
          error: { message: "Lost the connection to the server.", code: null },
        });
        return;
      }
      retry.current.attempt = attempt + 1;
      dispatch({ type: "connection", connection: "reconnecting" });
      retry.current.timer = window.setTimeout(() => {
        if (active.current) connect();
      }, RETRY_DELAYS_MS[attempt]);
    };
  }, [conversationId, closeSource, cancelFrame, flush, schedule]);

  const open = useCallback<AnswerStream["open"]>(
    (options) => {
      closeSource();
      cancelFrame();
      pending.current = [];
      lastId.current = 0;
      retry.current.attempt = 0;
      active.current = true;
      dispatch({ type: "open", messageId: options?.messageId, model: options?.model });
      connect();
    },
    [closeSource, cancelFrame, connect],
  );

  const reset = useCallback(() => {
    active.current = false;
    closeSource();
    cancelFrame();
    pending.current = [];
    dispatch({ type: "reset" });
  }, [closeSource, cancelFrame]);

  const markStopping = useCallback(
    (stopping: boolean) => dispatch({ type: "stopping", stopping }),
    [],
  );

  const finishStopped = useCallback(
    (message: Message) => {
      active.current = false;
      closeSource();
      cancelFrame();
      flush();
      dispatch({ type: "stopped", message });
    },
    [closeSource, cancelFrame, flush],
  );

  // Back online: retry at once instead of waiting out the backoff.
  useEffect(() => {
    const onOnline = () => {
      if (active.current && !source.current) connect();
    };
    window.addEventListener("online", onOnline);
    return () => window.removeEventListener("online", onOnline);
  }, [connect]);

  useEffect(
    () => () => {
      active.current = false;
      closeSource();
      cancelFrame();
    },
    [closeSource, cancelFrame],
  );

  useEffect(() => {
    if (isFinished(state.phase)) active.current = false;
  }, [state.phase]);

  return { state, open, markStopping, finishStopped, reset };
}
