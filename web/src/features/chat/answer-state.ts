/**
 * The state of the answer being streamed, driven by stream events.
 *
 * Replays are harmless: `start` resets the text (the server replays from the start when it
 * has no Last-Event-ID), and a chunk whose id is not newer than the last one seen is a
 * duplicate and skipped. `done`/`error` are final; an error keeps the partial text.
 */
import type { Message, MessageStatus, Usage } from "@/api/types";
import type { ReceivedEvent } from "@/features/chat/stream-events";

export type AnswerPhase = "idle" | "waiting" | "streaming" | "complete" | "cancelled" | "error";
export type Connection = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export interface AnswerError {
  message: string;
  code: number | null;
}

export interface AnswerState {
  phase: AnswerPhase;
  connection: Connection;
  messageId: string | null;
  model: string | null;
  content: string;
  reasoning: string;
  error: AnswerError | null;
  finishReason: string | null;
  usage: Usage | null;
  lastEventId: number;
  /** The answer was stopped here and the stop is being confirmed. */
  stopping: boolean;
}

export type AnswerAction =
  | { type: "open"; messageId?: string | null; model?: string | null }
  | { type: "events"; events: ReceivedEvent[] }
  | { type: "connection"; connection: Connection }
  | { type: "stopping"; stopping: boolean }
  | { type: "stopped"; message: Message }
  | { type: "failed"; error: AnswerError }
  | { type: "reset" };

export const idleAnswer: AnswerState = {
  phase: "idle",
  connection: "idle",
  messageId: null,
  model: null,
  content: "",
  reasoning: "",
  error: null,
  finishReason: null,
  usage: null,
  lastEventId: 0,
  stopping: false,
};

export function isFinished(phase: AnswerPhase): boolean {
  return phase === "complete" || phase === "cancelled" || phase === "error";
}

function applyEvents(state: AnswerState, events: ReceivedEvent[]): AnswerState {
  let next = state;
  for (const { id, event } of events) {
    if (isFinished(next.phase)) break;
    const seen = id !== null && id <= next.lastEventId;
    const lastEventId = id ?? next.lastEventId;
    switch (event.type) {
      case "start":
        next = {
          ...next,
          phase: "streaming",
          messageId: event.message_id,
          model: event.model ?? next.model,
          content: "",
          reasoning: "",
          lastEventId,
        };
        break;
      case "chunk":
        if (!seen)
          next = {
            ...next,
            phase: "streaming",
            content: next.content + event.content,
            lastEventId,
          };
        break;
      case "reasoning":
        if (!seen)
          next = {
            ...next,
            phase: "streaming",
            reasoning: next.reasoning + event.content,
            lastEventId,
          };
        break;
      case "done":
        next = {
          ...next,
          phase:
            event.status === "cancelled"
              ? "cancelled"
              : event.status === "error"
                ? "error"
                : "complete",
          messageId: event.message_id ?? next.messageId,
          finishReason: event.finish_reason,
          usage: event.usage,
          connection: "closed",
          stopping: false,
          lastEventId: Math.max(lastEventId, next.lastEventId),
        };
        break;
      case "error":
        next = {
          ...next,
          phase: "error",
          messageId: event.message_id ?? next.messageId,
          error: { message: event.message, code: event.code },
          connection: "closed",
          stopping: false,
          lastEventId: Math.max(lastEventId, next.lastEventId),
        };
        break;
    }
  }
  return next;
}

export function answerReducer(state: AnswerState, action: AnswerAction): AnswerState {
  switch (action.type) {
    case "open":
      return {
        ...idleAnswer,
        phase: "waiting",
        connection: "connecting",
        messageId: action.messageId ?? null,
        model: action.model ?? null,
      };
    case "events":
      return applyEvents(state, action.events);
    case "connection":
      if (isFinished(state.phase) || state.phase === "idle") return state;
      return state.connection === action.connection
        ? state
        : { ...state, connection: action.connection };
    case "stopping":
      return isFinished(state.phase) ? state : { ...state, stopping: action.stopping };
    case "stopped": {
      if (isFinished(state.phase)) return state;
      const message = action.message;
      // The server's stored partial text is authoritative, unless this tab already saw more.
      const content =
        message.content.length >= state.content.length ? message.content : state.content;
      return {
        ...state,
        phase: "cancelled",
        connection: "closed",
        stopping: false,
        messageId: message.id ?? state.messageId,
        content,
        usage: message.usage ?? state.usage,
      };
    }
    case "failed":
      if (isFinished(state.phase)) return state;
      return {
        ...state,
        phase: "error",
        connection: "closed",
        stopping: false,
        error: action.error,
      };
    case "reset":
      return idleAnswer;
  }
}

function statusOf(phase: AnswerPhase): MessageStatus {
  switch (phase) {
    case "complete":
      return "complete";
    case "cancelled":
      return "cancelled";
    case "error":
      return "error";
    default:
      return "streaming";
  }
}

/** The answer as a Message, the way the server will have stored it. */
export function answerMessage(state: AnswerState, base?: Message): Message {
  const id = state.messageId ?? base?.id ?? "pending-answer";
  return {
    id,
    message_id: id,
    role: "assistant",
    content: state.content,
    model: state.model ?? base?.model ?? null,
    timestamp: base?.timestamp ?? new Date().toISOString(),
    status: statusOf(state.phase),
    error: state.error?.message ?? null,
    error_code: state.error?.code ?? null,
    usage: state.usage ?? base?.usage ?? null,
    parent_id: base?.parent_id ?? null,
    reasoning: state.reasoning || null,
    finish_reason: state.finishReason,
  };
}

/**
 * The thread as shown: the stored messages with the live answer laid over its message
 * (found by id, or the trailing streaming answer it attaches to), or appended after them.
 */
export function withLiveAnswer(messages: Message[], state: AnswerState): Message[] {
  if (state.phase === "idle") return messages;
  let index = state.messageId ? messages.findIndex((m) => m.id === state.messageId) : -1;
  if (index === -1 && !state.messageId) {
    const last = messages.length - 1;
    if (last >= 0 && messages[last].role === "assistant" && messages[last].status === "streaming")
      index = last;
  }
  if (index === -1) return [...messages, answerMessage(state)];
  const copy = messages.slice();
  copy[index] = answerMessage(state, messages[index]);
  return copy;
}
