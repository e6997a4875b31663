/**
 * The unsent text of each conversation's message box, kept while the page is open (not
 * stored: a draft may hold what was never meant to be kept).
 */
const drafts = new Map<string, string>();

/** The draft of the page that starts a new chat (no conversation id is ever this). */
export const NEW_CHAT_DRAFT = "new-chat";

export function draftOf(conversationId: string): string {
  return drafts.get(conversationId) ?? "";
}

export function keepDraft(conversationId: string, text: string): void {
  if (text) drafts.set(conversationId, text);
  else drafts.delete(conversationId);
}
