/** Typed calls to each endpoint of the API, shared by the features. */
import { http } from "@/api/client";
import type {
  Conversation,
  ConversationDetail,
  ConversationDraft,
  ConversationPage,
  ConversationPatch,
  Health,
  Message,
  ModelList,
  SendMessageBody,
} from "@/api/types";

const enc = encodeURIComponent;

export async function getHealth(): Promise<Health> {
  return (await http.get<Health>("/health")).data;
}

export async function listModels(): Promise<ModelList> {
  return (await http.get<ModelList>("/models")).data;
}

export async function listConversations(params: {
  cursor?: string | null;
  q?: string;
  limit?: number;
}): Promise<ConversationPage> {
  const query: Record<string, string | number> = { limit: params.limit ?? 50 };
  if (params.cursor) query.cursor = params.cursor;
  if (params.q) query.q = params.q;
  return (await http.get<ConversationPage>("/conversations", { params: query })).data;
}

export async function createConversation(draft: ConversationDraft): Promise<Conversation> {
  return (await http.post<Conversation>("/conversations", draft)).data;
}

/** The path of a conversation with every stored answer version (as public/boot.js asks for it). */
export function conversationPath(id: string): string {
  return `/conversations/${enc(id)}?versions=all`;
}

/**
 * A conversation with its current thread, or with `allVersions` every stored version of
 * every answer (oldest first).
 */
export async function getConversation(
  id: string,
  options: { allVersions?: boolean } = {},
): Promise<ConversationDetail> {
  const url = options.allVersions ? conversationPath(id) : `/conversations/${enc(id)}`;
  return (await http.get<ConversationDetail>(url)).data;
}

export async function updateConversation(
  id: string,
  patch: ConversationPatch,
): Promise<Conversation> {
  return (await http.patch<Conversation>(`/conversations/${enc(id)}`, patch)).data;
}

export async function deleteConversation(id: string): Promise<void> {
  await http.delete(`/conversations/${enc(id)}`);
}

/** Images take longer to send than the client's usual limit allows on a slow line. */
const UPLOAD_TIMEOUT_MS = 300_000;

function timeoutFor(body: SendMessageBody) {
  const uploads = body.attachments?.some((item) => "data" in item);
  return uploads ? { timeout: UPLOAD_TIMEOUT_MS } : undefined;
}

export async function sendMessage(id: string, body: SendMessageBody): Promise<Message> {
  const path = `/conversations/${enc(id)}/messages`;
  return (await http.post<Message>(path, body, timeoutFor(body))).data;
}

/** A new version of a message the person wrote; its answer starts at once. */
export async function editMessage(
  id: string,
  messageId: string,
  body: SendMessageBody,
): Promise<Message> {
  const path = `/conversations/${enc(id)}/messages/${enc(messageId)}/edit`;
  return (await http.post<Message>(path, body, timeoutFor(body))).data;
}

export async function regenerateAnswer(id: string, model?: string): Promise<Message> {
  const body = model ? { model } : {};
  return (await http.post<Message>(`/conversations/${enc(id)}/regenerate`, body)).data;
}

export async function stopAnswer(id: string): Promise<Message> {
  return (await http.post<Message>(`/conversations/${enc(id)}/stop`)).data;
}

/** The EventSource URL of a conversation's answer stream. */
export function streamUrl(id: string, lastEventId?: number): string {
  const base = `/conversations/${enc(id)}/stream`;
  return lastEventId && lastEventId > 0 ? `${base}?last_event_id=${lastEventId}` : base;
}
