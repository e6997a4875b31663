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

/** As the app names models: a known id by its name, no id by the default model's. */
const names = (id: string | null | undefined) =>
  !id || id === "openai/gpt-4o-mini" ? "GPT-4o mini" : id;

const question = message({ id: "u1", role: "user", content: "Hi" });
const answer = (fields: Partial<Message>) =>
  chatMarkdown(
    chat([question, message({ id: "a1", role: "assistant", content: "", ...fields })]),
    names,
  );

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
          message({
            id: "a1",
            role: "assistant",
            content: "4",
            reasoning: "Add them.</details>Done.",
          }),
        ],
        { system_prompt: "- Be brief.\n\nUse numbers." },
      ),
      names,
    );
    expect(text).toContain("> **System prompt**\n>\n> - Be brief.\n>\n> Use numbers.");
    expect(text).toContain(
      "## GPT-4o mini\n\n<details>\n<summary>Thinking</summary>\n\nAdd them.&lt;/details>Done.\n\n</details>\n\n4",
    );
  });

  it("says how an answer ended when it did not complete", () => {
    expect(answer({ content: "Hel", status: "cancelled" })).toContain(
      "Hel\n\n_Stopped before the end._",
    );
    expect(answer({ content: "Hel", status: "interrupted" })).toContain(
      "Hel\n\n_Cut off: the server stopped while writing this answer._",
    );
    expect(answer({ content: "Hel", status: "streaming" })).toContain(
      "Hel\n\n_Still being written when this file was saved._",
    );
    expect(
      answer({ status: "error", error: "Out of *credits* <b>now</b>.", model: null }),
    ).toContain("## GPT-4o mini\n\n_The answer failed: Out of \\*credits\\* \\<b\\>now\\</b\\>._");
  });

  it("leaves out answers with nothing in them yet", () => {
    expect(answer({ status: "complete" })).toBe("# Lisbon weekend ideas\n\n## You\n\nHi\n");
  });

  it("keeps a message's headings under its author's, but not those inside code", () => {
    const text = answer({ content: "## Step 1\n\n```md\n# kept\n```\n\n   ##### Deep\n#hashtag" });
    expect(text).toContain(
      "## GPT-4o mini\n\n#### Step 1\n\n```md\n# kept\n```\n\n   ###### Deep\n#hashtag",
    );
    expect(answer({ content: "## You\n\nnot you" })).toContain("#### You\n\nnot you");
  });

  it("closes a code block an answer left open, so what follows is not code", () => {
    const text = answer({ content: "Here:\n\n````python\nprint(1)", status: "cancelled" });
    expect(text).toContain("````python\nprint(1)\n````\n\n_Stopped before the end._");
  });

  it("keeps the indentation that makes a message start with code", () => {
    expect(answer({ content: "\n\n    indented code\n" })).toContain(
      "## GPT-4o mini\n\n    indented code\n",
    );
  });

  it("lists a message's images by name, above its text", () => {
    const image = (id: string, name: string) => ({
      id,
      name,
      media_type: "image/png",
      size: 100,
      url: `/attachments/${id}`,
    });
    const text = chatMarkdown(
      chat([
        message({
          id: "u1",
          role: "user",
          content: "Which is older?",
          attachments: [image("f1", "map_1900.png"), image("f2", "map*2.png")],
        }),
        message({ id: "u2", role: "user", content: "", attachments: [image("f3", "alone.png")] }),
      ]),
      names,
    );
    expect(text).toContain(
      "## You\n\n*Image: map\\_1900.png*\n\n*Image: map\\*2.png*\n\nWhich is older?",
    );
    expect(text).toContain("## You\n\n*Image: alone.png*\n");
  });

  it("writes the title and names as text, not as markup", () => {
    const text = chatMarkdown(chat([question], { title: "*args and **kwargs [draft] #" }), names);
    expect(text.startsWith("# \\*args and \\*\\*kwargs \\[draft\\] \\#\n")).toBe(true);
  });
});

describe("markdownFileName", () => {
  it("keeps letters and digits of every script, joined by dashes", () => {
    expect(markdownFileName("Lisbon: a weekend (2 days)!")).toBe("lisbon-a-weekend-2-days.md");
    expect(markdownFileName("Crème brûlée")).toBe("creme-brulee.md");
    expect(markdownFileName("東京の天気")).toBe("東京の天気.md");
    expect(markdownFileName("ガイドブック")).toBe("ガイドブック.md");
    expect(markdownFileName("नमस्ते दुनिया")).toBe("नमस्ते-दुनिया.md");
    expect(markdownFileName("안녕하세요")).toBe("안녕하세요.md");
  });

  it("is never empty, nor longer than 60 characters before .md", () => {
    expect(markdownFileName("?!")).toBe("chat.md");
    expect(markdownFileName("a".repeat(100))).toBe(`${"a".repeat(60)}.md`);
    expect(markdownFileName(`${"a".repeat(59)}𠮷𠮷`)).toBe(`${"a".repeat(59)}𠮷.md`);
  });
});
