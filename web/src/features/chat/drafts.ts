/**
 * The unsent text of each conversation's message box, kept while the page is open (not
 * stored: a draft may hold what was never meant to be kept).
 */
const drafts = new Map<string, string>();

export function draftOf(conversationId: string): string {
  return drafts.get(conversationId) ?? "";
}

export function keepDraft(conversationId: string, text: string): void {
  if (text) drafts.set(conversationId, text);
  else drafts.delete(conversationId);
}
