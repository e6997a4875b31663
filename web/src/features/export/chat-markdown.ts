/** A chat as a Markdown document, to keep or share outside Open Chat. */
import type { ConversationDetail, Message } from "@/api/types";
import { closesFence, type Fence, openingFence } from "@/components/markdown/split-blocks";

const ENDINGS: Partial<Record<Message["status"], string>> = {
  streaming: "_Still being written when this file was saved._",
  cancelled: "_Stopped before the end._",
  interrupted: "_Cut off: the server stopped while writing this answer._",
};
const ATX_HEADING = /^( {0,3})(#{1,6})(?=\s|$)/;
/** Characters that would make a title, a name or an error into something other than text. */
const INLINE_MARKUP = /[\\`*_[\]<>#!|~]/g;
const MAX_FILE_NAME = 60;

/** The chat's current thread, oldest first, each message under its author's name. */
export function chatMarkdown(
  chat: ConversationDetail,
  modelName: (id: string | null | undefined) => string,
): string {
  const parts = [`# ${plainText(chat.title) || "New chat"}`];
  if (chat.system_prompt.trim())
    parts.push(quote(`**System prompt**\n\n${tidy(chat.system_prompt)}`));
  for (const message of chat.messages) {
    if (message.role === "system") continue;
    const blocks: string[] = [];
    const reasoning = tidy(message.reasoning ?? "");
    if (reasoning)
      blocks.push(
        // A `</details>` of the model's own would close the block early.
        `<details>\n<summary>Thinking</summary>\n\n${reasoning.replaceAll("</details", "&lt;/details")}\n\n</details>`,
      );
    // The images by name: their bytes stay on the server.
    for (const image of message.attachments ?? []) blocks.push(`*Image: ${plainText(image.name)}*`);
    const content = tidy(message.content);
    if (content) blocks.push(content);
    if (message.status === "error")
      blocks.push(`_The answer failed: ${plainText(message.error ?? "unknown error")}_`);
    const ending = ENDINGS[message.status];
    if (ending) blocks.push(ending);
    if (blocks.length === 0) continue; // an answer with nothing in it yet
    const author = message.role === "user" ? "You" : modelName(message.model);
    parts.push(`## ${plainText(author)}`, ...blocks);
  }
  return `${parts.join("\n\n")}\n`;
}

/** A file name from the chat's title: letters, digits and dashes, never empty. */
export function markdownFileName(title: string): string {
  const words = title
    // Accents off Latin letters (é → e); every other script keeps its marks.
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  // Cut by characters, not UTF-16 units, so no character is cut in half.
  const cut = Array.from(words).slice(0, MAX_FILE_NAME).join("").replace(/-+$/, "");
  return `${cut || "chat"}.md`;
}

/**
 * A message's Markdown, made to sit under its author's heading: its own headings two levels
 * lower (an answer's `## Step 1` is not an author), and a code fence left open (an answer
 * stopped mid-code) closed, so that what follows is not code.
 */
function tidy(text: string): string {
  const out: string[] = [];
  let fence: Fence | null = null;
  for (const line of text
    .replace(/^(\s*\n)+/, "")
    .trimEnd()
    .split("\n")) {
    if (fence) {
      if (closesFence(line, fence)) fence = null;
      out.push(line);
    } else {
      fence = openingFence(line);
      out.push(fence ? line : line.replace(ATX_HEADING, demoted));
    }
  }
  if (fence) out.push(fence.char.repeat(fence.length));
  return out.join("\n");
}

function demoted(_: string, indent: string, hashes: string): string {
  return indent + "#".repeat(Math.min(hashes.length + 2, 6));
}

/** One line of text with its Markdown characters escaped. */
function plainText(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .replace(INLINE_MARKUP, (character) => `\\${character}`);
}

function quote(text: string): string {
  return text
    .split("\n")
    .map((line) => (line ? `> ${line}` : ">"))
    .join("\n");
}
