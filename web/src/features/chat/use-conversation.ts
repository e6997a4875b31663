/**
 * One conversation with its current thread and the earlier versions of its answers, and
 * pure helpers to update the cached copy.
 */
import { queryOptions, useQuery } from "@tanstack/react-query";
import { ApiError } from "@/api/client";
import { getConversation } from "@/api/endpoints";
import { queryKeys } from "@/api/query-keys";
import type { ConversationDetail, Message } from "@/api/types";

/** Earlier answer versions by the id of the user message they answer, oldest first. */
export type EarlierAnswers = Readonly<Record<string, readonly Message[]>>;

/**
 * What edits replaced, by the id of the message in the thread that replaced it, oldest first:
 * each the thread from the replaced version on, as it read just before the edit.
 */
export type EarlierBranches = Readonly<Record<string, readonly (readonly Message[])[]>>;

/** A conversation as the app keeps it: `messages` is the current thread. */
export interface ConversationData extends ConversationDetail {
  /** The versions a regenerated answer replaced (absent: none known). */
  earlierAnswers?: EarlierAnswers;
  /** What edited messages replaced (absent: none known). */
  earlierBranches?: EarlierBranches;
}

const NO_EARLIER: EarlierAnswers = Object.freeze({});
const NO_BRANCHES: EarlierBranches = Object.freeze({});

/**
 * Splits every stored message (oldest first) into the current thread, replayed as the
 * server's own thread is (a regenerated answer takes its earlier version's place; an edited
 * message, one whose parent is a user message, takes that one's place, and what followed it
 * leaves the thread), what each edit cut, and the earlier answers to the messages of both.
 * A list that is all thread comes back as it was.
 */
export function splitVersions(messages: Message[]): {
  thread: Message[];
  earlier: EarlierAnswers;
  branches: EarlierBranches;
} {
  const thread: Message[] = [];
  const place = new Map<string, number>();
  const answerAt = new Map<string, number>();
  const replaced: Record<string, Message[][]> = {};
  for (const message of messages) {
    const parent = message.parent_id ?? null;
    if (parent !== null && !place.has(parent)) continue;
    const at = parent === null ? undefined : answerAt.get(parent);
    if (message.role === "assistant" && at !== undefined) {
      place.delete(thread[at].id);
      thread[at] = message;
      place.set(message.id, at);
      continue;
    }
    const cut = parent === null ? undefined : place.get(parent);
    if (message.role === "user" && cut !== undefined && thread[cut].role === "user") {
      const tail = thread.splice(cut);
      for (const dropped of tail) {
        place.delete(dropped.id);
        if (dropped.role === "assistant" && dropped.parent_id) answerAt.delete(dropped.parent_id);
      }
      replaced[message.id] = [...(replaced[tail[0].id] ?? []), tail];
    } else if (message.role === "assistant" && parent !== null) answerAt.set(parent, thread.length);
    place.set(message.id, thread.length);
    thread.push(message);
  }
  if (thread.length === messages.length)
    return { thread: messages, earlier: NO_EARLIER, branches: NO_BRANCHES };
  const branches: Record<string, Message[][]> = {};
  const shown = new Set(place.keys()); // in the thread, or in an earlier branch of it
  for (const [id, tails] of Object.entries(replaced)) {
    if (!place.has(id)) continue;
    branches[id] = tails;
    for (const tail of tails) for (const message of tail) shown.add(message.id);
  }
  const earlier: Record<string, Message[]> = {};
  for (const message of messages) {
    const parent = message.parent_id;
    if (message.role !== "assistant" || !parent || shown.has(message.id) || !shown.has(parent))
      continue;
    const versions = earlier[parent] ?? [];
    versions.push(message);
    earlier[parent] = versions;
  }
  return { thread, earlier, branches };
}

/**
 * An edited message takes the place of the one it replaces; the thread from there on leaves
 * the view and becomes the newest earlier branch of the new message.
 */
export function withEditedMessage(
  detail: ConversationData,
  replacedId: string,
  message: Message,
): ConversationData {
  const index = detail.messages.findIndex((m) => m.id === replacedId);
  if (index === -1) return { ...detail, messages: [...detail.messages, message] };
  const branches = detail.earlierBranches ?? NO_BRANCHES;
  const tail = detail.messages.slice(index);
  return {
    ...detail,
    messages: [...detail.messages.slice(0, index), message],
    earlierBranches: { ...branches, [message.id]: [...(branches[replacedId] ?? []), tail] },
  };
}

/** A conversation response (with every version or only the thread) as the app keeps it. */
export function toConversationData(detail: ConversationDetail): ConversationData {
  const { thread, earlier, branches } = splitVersions(detail.messages);
  return { ...detail, messages: thread, earlierAnswers: earlier, earlierBranches: branches };
}

export function conversationQuery(id: string) {
  return queryOptions({
    queryKey: queryKeys.conversation(id),
    queryFn: async (): Promise<ConversationData> =>
      toConversationData(await getConversation(id, { allVersions: true })),
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

/** Whether a message exists only in this page (an optimistic copy, or an answer not yet named). */
function isLocal(message: Message): boolean {
  return message.id === "pending-answer" || message.id.startsWith("local-");
}

/** The id of the user message an answer at `index` of the thread answers. */
export function parentOf(messages: readonly Message[], index: number): string | null {
  const answer = messages[index];
  if (answer?.parent_id) return answer.parent_id;
  for (let i = index - 1; i >= 0; i--) {
    if (messages[i].role === "user") return messages[i].id;
    if (messages[i].role === "assistant") return null;
  }
  return null;
}

/**
 * A regenerated answer replaces the thread's last answer, which becomes the newest of the
 * earlier versions of that user message's answer.
 */
export function withRegeneratedAnswer(detail: ConversationData, answer: Message): ConversationData {
  const thread = detail.messages;
  const lastIndex = thread.length - 1;
  const last = thread[lastIndex];
  const messages = replaceLastAnswer(thread, answer);
  if (last?.role !== "assistant" || isLocal(last) || last.id === answer.id)
    return { ...detail, messages };
  const parent = answer.parent_id ?? parentOf(thread, lastIndex);
  if (!parent) return { ...detail, messages };
  const earlier = detail.earlierAnswers ?? NO_EARLIER;
  const before = earlier[parent] ?? [];
  const versions = before.some((m) => m.id === last.id) ? before : [...before, last];
  return { ...detail, messages, earlierAnswers: { ...earlier, [parent]: versions } };
}

/**
 * The message of the thread that stands in the place of message `id`: itself; for an earlier
 * version of an answer, the answer now given to its question; for what an edit replaced, the
 * edit. Null when the thread has no such place (not loaded yet, or deleted).
 */
export function placeInThread(
  id: string,
  messages: readonly Message[],
  earlierAnswers: EarlierAnswers = {},
  earlierBranches: EarlierBranches = {},
): string | null {
  if (messages.some((message) => message.id === id)) return id;
  for (const [question, answers] of Object.entries(earlierAnswers)) {
    if (!answers.some((answer) => answer.id === id)) continue;
    const at = messages.findIndex((message) => message.id === question);
    if (at === -1) continue; // a question an edit replaced: its branch is below
    const answer = messages[at + 1];
    return answer?.role === "assistant" ? answer.id : question;
  }
  for (const [edit, tails] of Object.entries(earlierBranches)) {
    if (tails.some((tail) => tail.some((message) => message.id === id))) return edit;
  }
  return null;
}
