import { describe, expect, it } from "vitest";
import type { ConversationDetail, Message } from "@/api/types";
import { chatMarkdown, markdownFileName } from "@/features/export/chat-markdown";

function message(fields: Partial<Message> & Pick<Message, "id" | "role" | "content">): Message {
  return {
    message_id: fields.id,
    model: "openai/gpt-4o-mini",
    timestamp: "2026-11-26T12:00:00Z",
    status: "complete",
    error: null,
    usage: null,
    ...fields,
  };
}

function chat(messages: Message[], extra: Partial<ConversationDetail> = {}): ConversationDetail {
  return {
    id: "c1",
    title: "Lisbon  weekend\nideas",
    default_model: "openai/gpt-4o-mini",
    system_prompt: "",
    created_at: "2026-11-26T12:00:00Z",
    updated_at: "2026-11-26T12:00:00Z",
    messages,
    ...extra,
  };
}

const names = (id: string | null | undefined) =>
  id === "openai/gpt-4o-mini" ? "GPT-4o mini" : `${id}`;

describe("chatMarkdown", () => {
  it("writes the title, then each message under its author", () => {
    const text = chatMarkdown(
      chat([
        message({ id: "u1", role: "user", content: "Where should I eat?" }),
        message({
          id: "a1",
          role: "assistant",
          content: "Try **Time Out Market**.\n\n- pastel de nata",
        }),
      ]),
      names,
    );
    const blocks = [
      "# Lisbon weekend ideas",
      "## You",
      "Where should I eat?",
      "## GPT-4o mini",
      "Try **Time Out Market**.\n\n- pastel de nata",
    ];
    expect(text).toBe(`${blocks.join("\n\n")}\n`);
  });

  it("quotes the system prompt and keeps thinking in a closed block", () => {
    const text = chatMarkdown(
      chat(
        [
          message({ id: "u1", role: "user", content: "2+2?" }),
          message({ id: "a1", role: "assistant", content: "4", reasoning: "Add them." }),
        ],
        { system_prompt: "Be brief.\nUse numbers." },
      ),
      names,
    );
    expect(text).toContain("> **System prompt:** Be brief.\n> Use numbers.");
    expect(text).toContain(
      "## GPT-4o mini\n\n<details>\n<summary>Thinking</summary>\n\nAdd them.\n\n</details>\n\n4",
    );
  });

  it("says how an answer ended when it did not complete", () => {
    const text = chatMarkdown(
      chat([
        message({ id: "u1", role: "user", content: "Hi" }),
        message({ id: "a1", role: "assistant", content: "Hel", status: "cancelled" }),
        message({ id: "u2", role: "user", content: "Again" }),
        message({
          id: "a2",
          role: "assistant",
          content: "",
          status: "error",
          error: "Your OpenRouter account is out of credits.",
        }),
      ]),
      names,
    );
    expect(text).toContain("Hel\n\n_Stopped before the end._");
    expect(text).toContain(
      "## GPT-4o mini\n\n_The answer failed: Your OpenRouter account is out of credits._",
    );
  });

  it("leaves out answers with nothing in them yet", () => {
    const text = chatMarkdown(
      chat([
        message({ id: "u1", role: "user", content: "Hi" }),
        message({ id: "a1", role: "assistant", content: "", status: "streaming" }),
      ]),
      names,
    );
    expect(text).toBe("# Lisbon weekend ideas\n\n## You\n\nHi\n");
  });
});

describe("markdownFileName", () => {
  it("keeps letters and digits of any script, joined by dashes", () => {
    expect(markdownFileName("Lisbon: a weekend (2 days)!")).toBe("lisbon-a-weekend-2-days.md");
    expect(markdownFileName("Crème brûlée")).toBe("creme-brulee.md");
    expect(markdownFileName("東京の天気")).toBe("東京の天気.md");
  });

  it("is never empty, nor longer than 60 characters before .md", () => {
    expect(markdownFileName("?!")).toBe("chat.md");
    expect(markdownFileName("a".repeat(100))).toBe(`${"a".repeat(60)}.md`);
  });
});
