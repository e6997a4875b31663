/** One conversation with its current thread, and pure helpers to update the cached thread. */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { ApiError } from "@/api/client";
import { getConversation } from "@/api/endpoints";
import { queryKeys } from "@/api/query-keys";
import type { Message } from "@/api/types";

export function conversationQuery(id: string) {
  return queryOptions({
    queryKey: queryKeys.conversation(id),
    queryFn: () => getConversation(id),
    staleTime: 30_000,
    retry: (count, error) => !(error instanceof ApiError && error.status === 404) && count < 2,
  });
}

export function useConversation(id: string) {
  return useQuery(conversationQuery(id));
}

/** Replaces the message with the same id, or appends it. */
export function upsertMessage(messages: Message[], message: Message): Message[] {
  const index = messages.findIndex((m) => m.id === message.id);
  if (index === -1) return [...messages, message];
  const copy = messages.slice();
  copy[index] = message;
  return copy;
}

/** A regenerated answer takes the place of the thread's last answer. */
export function replaceLastAnswer(messages: Message[], answer: Message): Message[] {
  const last = messages[messages.length - 1];
  if (last && last.role === "assistant") return [...messages.slice(0, -1), answer];
  return [...messages, answer];
}
