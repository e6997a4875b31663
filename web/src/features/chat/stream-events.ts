/** The events of an answer stream (mirrors the server's chat/events.py) and their parser. */
import type { Usage } from "@/api/types";

export type StreamEvent =
  | { type: "start"; message_id: string; model: string | null }
  | { type: "chunk"; content: string }
  | { type: "reasoning"; content: string }
  | {
      type: "done";
      message_id: string | null;
      finish_reason: string | null;
      usage: Usage | null;
      status: string | null;
    }
  | { type: "error"; message: string; code: number | null; message_id: string | null };

/** An event as received: `id` is the SSE event id (null when the frame had none). */
export interface ReceivedEvent {
  id: number | null;
  event: StreamEvent;
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function usageOf(value: unknown): Usage | null {
  if (!value || typeof value !== "object") return null;
  const raw = value as Record<string, unknown>;
  return {
    prompt_tokens: num(raw.prompt_tokens),
    completion_tokens: num(raw.completion_tokens),
    total_tokens: num(raw.total_tokens),
    cost: num(raw.cost),
  };
}

/** Parses one `data:` payload; anything malformed or unknown yields null and is ignored. */
export function parseStreamEvent(data: string): StreamEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== "object") return null;
  const event = raw as Record<string, unknown>;
  switch (event.type) {
    case "start": {
      const messageId = str(event.message_id);
      return messageId ? { type: "start", message_id: messageId, model: str(event.model) } : null;
    }
    case "chunk":
    case "reasoning": {
      const content = str(event.content);
      return content === null ? null : { type: event.type, content };
    }
    case "done":
      return {
        type: "done",
        message_id: str(event.message_id),
        finish_reason: str(event.finish_reason),
        usage: usageOf(event.usage),
        status: str(event.status),
      };
    case "error":
      return {
        type: "error",
        message: str(event.message) ?? "The answer failed.",
        code: num(event.code),
        message_id: str(event.message_id),
      };
    default:
      return null;
  }
}

/** The numeric SSE id of a MessageEvent, or null. */
export function eventIdOf(lastEventId: string): number | null {
  if (!lastEventId) return null;
  const id = Number(lastEventId);
  return Number.isInteger(id) ? id : null;
}
