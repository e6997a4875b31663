import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Message } from "@/api/types";
import {
  type ConversationData,
  parentOf,
  placeInThread,
  splitVersions,
  toConversationData,
  withEditedMessage,
  withRegeneratedAnswer,
} from "@/features/chat/use-conversation";
import { storedMessage as message } from "@/test/messages";

const ids = (messages: readonly Message[] | undefined) => (messages ?? []).map((m) => m.id);

function detail(messages: Message[], earlier?: ConversationData["earlierAnswers"]) {
  return {
    id: "c1",
    title: "Chat",
    default_model: "openai/gpt-4o-mini",
    system_prompt: "",
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    messages,
    earlierAnswers: earlier,
  } satisfies ConversationData;
}

describe("splitVersions", () => {
  it("keeps the newest answer to each question in the thread and the others as earlier", () => {
    const all = [
      message("u1", "user"),
      message("a1", "assistant", "u1"),
      message("a1b", "assistant", "u1"),
      message("a1c", "assistant", "u1"),
      message("u2", "user", "a1c"),
      message("a2", "assistant", "u2"),
    ];
    const { thread, earlier } = splitVersions(all);
    expect(ids(thread)).toEqual(["u1", "a1c", "u2", "a2"]);
    expect(ids(earlier.u1)).toEqual(["a1", "a1b"]);
    expect(earlier.u2).toBeUndefined();
  });

  it("returns a thread without versions as it was", () => {
    const all = [message("u1", "user"), message("a1", "assistant", "u1")];
    const { thread, earlier } = splitVersions(all);
    expect(thread).toBe(all);
    expect(earlier).toEqual({});
  });

  it("replays edits as the server does: an edited message takes its place, what followed leaves", () => {
    const all = [
      message("u1", "user"),
      message("a1", "assistant", "u1"),
      message("u2", "user"),
      message("a2", "assistant", "u2"),
      message("a2b", "assistant", "u2"),
      message("u3", "user"),
      message("a3", "assistant", "u3"),
      message("u2e", "user", "u2"), // u2 edited
      message("a4", "assistant", "u2e"),
      message("a4b", "assistant", "u2e"),
      message("a3late", "assistant", "u3"), // answers a message that left the thread
    ];
    const { thread, earlier } = splitVersions(all);
    expect(ids(thread)).toEqual(["u1", "a1", "u2e", "a4b"]);
    expect(ids(earlier.u2e)).toEqual(["a4"]);
    expect(ids(earlier.u2)).toEqual(["a2"]); // to read with the earlier version of u2
    expect(ids(splitVersions([...all, message("u1e", "user", "u1")]).thread)).toEqual(["u1e"]);
  });

  it("shapes a conversation response", () => {
    const data = toConversationData(
      detail([
        message("u1", "user"),
        message("a1", "assistant", "u1"),
        message("a2", "assistant", "u1"),
      ]),
    );
    expect(ids(data.messages)).toEqual(["u1", "a2"]);
    expect(ids(data.earlierAnswers?.u1)).toEqual(["a1"]);
  });
});

describe("parentOf", () => {
  it("uses parent_id, else the user message just before the answer", () => {
    const thread = [message("u1", "user"), message("a1", "assistant")];
    expect(parentOf(thread, 1)).toBe("u1");
    expect(parentOf([message("u1", "user"), message("a1", "assistant", "x")], 1)).toBe("x");
    expect(parentOf([message("a0", "assistant")], 0)).toBeNull();
  });
});

describe("withRegeneratedAnswer", () => {
  it("puts the new answer in the thread and keeps the old one as the newest earlier version", () => {
    const start = detail([message("u1", "user"), message("a1", "assistant", "u1")]);
    const once = withRegeneratedAnswer(start, { ...message("a2", "assistant", "u1"), content: "" });
    expect(ids(once.messages)).toEqual(["u1", "a2"]);
    expect(ids(once.earlierAnswers?.u1)).toEqual(["a1"]);
    const twice = withRegeneratedAnswer(once, message("a3", "assistant", "u1"));
    expect(ids(twice.messages)).toEqual(["u1", "a3"]);
    expect(ids(twice.earlierAnswers?.u1)).toEqual(["a1", "a2"]);
    // The input is not changed.
    expect(ids(once.earlierAnswers?.u1)).toEqual(["a1"]);
  });

  it("finds the question of an answer that has no parent_id yet", () => {
    const start = detail([message("u1", "user"), message("a1", "assistant")]);
    const next = withRegeneratedAnswer(start, message("a2", "assistant", "u1"));
    expect(ids(next.earlierAnswers?.u1)).toEqual(["a1"]);
  });

  it("keeps no version of an answer that was never stored", () => {
    const start = detail([message("u1", "user"), message("pending-answer", "assistant")]);
    const next = withRegeneratedAnswer(start, message("a2", "assistant", "u1"));
    expect(ids(next.messages)).toEqual(["u1", "a2"]);
    expect(next.earlierAnswers).toBeUndefined();
  });
});

describe("withEditedMessage", () => {
  it("cuts the thread back to the edited message; what it cut becomes its earlier branch", () => {
    const thread = [
      message("u1", "user"),
      message("a1", "assistant", "u1"),
      message("u2", "user"),
      message("a2", "assistant", "u2"),
    ];
    const once = withEditedMessage(detail(thread), "u2", message("u2e", "user", "u2"));
    expect(ids(once.messages)).toEqual(["u1", "a1", "u2e"]);
    expect(once.earlierBranches?.u2e?.map(ids)).toEqual([["u2", "a2"]]);
    const answered = { ...once, messages: [...once.messages, message("a3", "assistant", "u2e")] };
    const twice = withEditedMessage(answered, "u2e", message("u2f", "user", "u2e"));
    expect(ids(twice.messages)).toEqual(["u1", "a1", "u2f"]);
    expect(twice.earlierBranches?.u2f?.map(ids)).toEqual([
      ["u2", "a2"],
      ["u2e", "a3"],
    ]);
  });
});

describe("splitVersions: earlier branches", () => {
  it("keeps what each edit cut, as it read then, by the message now in the thread", () => {
    const all = [
      message("u1", "user"),
      message("a1", "assistant", "u1"),
      message("u2", "user"),
      message("a2", "assistant", "u2"),
      message("u2e", "user", "u2"),
      message("a3", "assistant", "u2e"),
      message("u2f", "user", "u2e"),
      message("a4", "assistant", "u2f"),
    ];
    const { thread, branches } = splitVersions(all);
    expect(ids(thread)).toEqual(["u1", "a1", "u2f", "a4"]);
    expect(branches.u2f?.map(ids)).toEqual([
      ["u2", "a2"],
      ["u2e", "a3"],
    ]);
    expect(Object.keys(branches)).toEqual(["u2f"]);
  });

  it("is what the edits made live leave, after a reload too", () => {
    const all = [
      message("u1", "user"),
      message("a1", "assistant", "u1"),
      message("u2", "user"),
      message("a2", "assistant", "u2"),
      message("a2b", "assistant", "u2"), // regenerated, then its question edited
    ];
    const edit = message("u2e", "user", "u2");
    const live = withEditedMessage(toConversationData(detail(all)), "u2", edit);
    const loaded = toConversationData(detail([...all, edit]));
    expect(loaded.messages).toEqual(live.messages);
    expect(loaded.earlierBranches).toEqual(live.earlierBranches);
    expect(ids(loaded.earlierAnswers?.u2)).toEqual(["a2"]);
    expect(ids(live.earlierAnswers?.u2)).toEqual(["a2"]);
  });
});

/** The cases the server's own replay is tested with (tests/chat/test_threads.py). */
const REPLAY = JSON.parse(
  readFileSync(path.resolve(__dirname, "../../../../tests/chat/thread_replay_cases.json"), "utf8"),
) as {
  cases: { name: string; stored: [string, Message["role"], string | null][]; thread: string[] }[];
};

describe("splitVersions replays as the server does", () => {
  it.each(REPLAY.cases)("$name", ({ stored, thread }) => {
    const all = stored.map(([id, role, parent]) => message(id, role, parent));
    expect(ids(splitVersions(all).thread)).toEqual(thread);
  });
});

describe("placeInThread", () => {
  it("finds a message, an earlier answer's current version, and what an edit replaced", () => {
    const all = [
      message("u1", "user"),
      message("a1", "assistant", "u1"),
      message("a1b", "assistant", "u1"), // regenerated
      message("u2", "user", "a1b"),
      message("a2", "assistant", "u2"),
      message("u2e", "user", "u2"), // an edit of u2
      message("a2e", "assistant", "u2e"),
    ];
    const { thread, earlier, branches } = splitVersions(all);
    expect(ids(thread)).toEqual(["u1", "a1b", "u2e", "a2e"]);
    const place = (id: string) => placeInThread(id, thread, earlier, branches);
    expect(place("a2e")).toBe("a2e");
    expect(place("a1")).toBe("a1b");
    expect(place("u2")).toBe("u2e");
    expect(place("a2")).toBe("u2e");
    expect(place("gone")).toBeNull();
  });
});
