/** A chat as a Markdown document, to keep or share outside Open Chat. */
import type { ConversationDetail, Message } from "@/api/types";

const ENDINGS: Partial<Record<Message["status"], string>> = {
  cancelled: "_Stopped before the end._",
  interrupted: "_Cut off: the server stopped while writing this answer._",
};

/** The chat's current thread, oldest first, each message under its author's name. */
export function chatMarkdown(
  chat: ConversationDetail,
  modelName: (id: string | null | undefined) => string,
): string {
  const parts = [`# ${oneLine(chat.title) || "New chat"}`];
  if (chat.system_prompt.trim())
    parts.push(quote(`**System prompt:** ${chat.system_prompt.trim()}`));
  for (const message of chat.messages) {
    if (message.role === "system") continue;
    const author = message.role === "user" ? "You" : modelName(message.model);
    const body: string[] = [`## ${oneLine(author)}`];
    if (message.reasoning?.trim())
      body.push(
        `<details>\n<summary>Thinking</summary>\n\n${message.reasoning.trim()}\n\n</details>`,
      );
    if (message.content.trim()) body.push(message.content.trim());
    if (message.status === "error")
      body.push(`_The answer failed: ${oneLine(message.error ?? "unknown error")}_`);
    const ending = ENDINGS[message.status];
    if (ending) body.push(ending);
    if (body.length > 1) parts.push(body.join("\n\n"));
  }
  return `${parts.join("\n\n")}\n`;
}

/** A file name from the chat's title: letters, digits and dashes, never empty. */
export function markdownFileName(title: string): string {
  const words = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return `${words || "chat"}.md`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function quote(text: string): string {
  return text
    .split("\n")
    .map((line) => (line ? `> ${line}` : ">"))
    .join("\n");
}
