/** Saves a chat as a Markdown file, through the browser's own download. */
import type { ConversationDetail } from "@/api/types";
import { chatMarkdown, markdownFileName } from "@/features/export/chat-markdown";

export function downloadChat(
  chat: ConversationDetail,
  modelName: (id: string | null | undefined) => string,
): void {
  const text = chatMarkdown(chat, modelName);
  const url = URL.createObjectURL(new Blob([text], { type: "text/markdown;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = markdownFileName(chat.title);
  link.click(); // a link outside the page: the page behind a modal dialog is inert
  // The browser reads the file after this returns.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
