import type { Message } from "@/api/types";

/** A stored, complete message for tests: its content names it (`text of u1`). */
export function storedMessage(
  id: string,
  role: Message["role"],
  parent: string | null = null,
): Message {
  return {
    id,
    message_id: id,
    role,
    content: `text of ${id}`,
    model: "openai/gpt-4o-mini",
    timestamp: "2024-01-01T00:00:00Z",
    status: "complete",
    error: null,
    usage: null,
    parent_id: parent,
    attachments: [],
  };
}
