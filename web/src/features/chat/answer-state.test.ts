import { describe, expect, it } from "vitest";
import type { Message } from "@/api/types";
import {
  type AnswerAction,
  type AnswerState,
  answerReducer,
  idleAnswer,
  withLiveAnswer,
} from "@/features/chat/answer-state";
import { parseStreamEvent, type ReceivedEvent } from "@/features/chat/stream-events";

function frames(...lines: Array<[number | null, string]>): ReceivedEvent[] {
  return lines.map(([id, data]) => {
    const event = parseStreamEvent(data);
    if (!event) throw new Error(`bad frame ${data}`);
    return { id, event };
  });
}

const start = (id: number) =>
  [id, '{"type":"start","message_id":"a1","model":"m/x"}'] as [number, string];
const chunk = (id: number, text: string) =>
  [id, JSON.stringify({ type: "chunk", content: text })] as [number, string];

function run(...actions: AnswerAction[]): AnswerState {
  return actions.reduce(answerReducer, answerReducer(idleAnswer, { type: "open" }));
}

describe("answerReducer", () => {
  it("builds the answer from start, chunks, reasoning and done", () => {
    const state = run({
      type: "events",
      events: frames(
        start(1),
        [2, '{"type":"reasoning","content":"Let me think."}'],
        chunk(3, "Hel"),
        chunk(4, "lo"),
        [
          5,
          '{"type":"done","message_id":"a1","finish_reason":"stop","status":"complete","usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"cost":0.001}}',
        ],
      ),
    });
    expect(state.phase).toBe("complete");
    expect(state.messageId).toBe("a1");
    expect(state.model).toBe("m/x");
    expect(state.content).toBe("Hello");
    expect(state.reasoning).toBe("Let me think.");
    expect(state.usage?.total_tokens).toBe(5);
    expect(state.finishReason).toBe("stop");
  });

  it("skips chunks replayed after a reconnect with Last-Event-ID", () => {
    const state = run(
      { type: "events", events: frames(start(1), chunk(2, "A"), chunk(3, "B")) },
      { type: "connection", connection: "reconnecting" },
      { type: "connection", connection: "open" },
      { type: "events", events: frames(chunk(3, "B"), chunk(4, "C")) },
    );
    expect(state.content).toBe("ABC");
    expect(state.connection).toBe("open");
    expect(state.lastEventId).toBe(4);
  });

  it("shows a full replay from start exactly once", () => {
    const state = run(
      { type: "events", events: frames(start(1), chunk(2, "Hel")) },
      { type: "events", events: frames(start(1), chunk(2, "Hel"), chunk(3, "lo")) },
    );
    expect(state.content).toBe("Hello");
  });

  it("accepts a stored answer replayed as start, one chunk, done after a server restart", () => {
    const state = run(
      { type: "events", events: frames(start(1), chunk(2, "Hel"), chunk(3, "lo wor")) },
      {
        type: "events",
        events: frames(start(1), chunk(2, "Hello world"), [
          3,
          '{"type":"done","message_id":"a1","finish_reason":"stop","usage":null}',
        ]),
      },
    );
    expect(state.content).toBe("Hello world");
    expect(state.phase).toBe("complete");
  });

  it("keeps the partial text on error", () => {
    const state = run({
      type: "events",
      events: frames(start(1), chunk(2, "Partial"), [
        3,
        '{"type":"error","message":"Insufficient credits","code":402,"message_id":"a1"}',
      ]),
    });
    expect(state.phase).toBe("error");
    expect(state.content).toBe("Partial");
    expect(state.error).toEqual({ message: "Insufficient credits", code: 402 });
  });

  it("ignores events after the answer finished and malformed frames", () => {
    expect(parseStreamEvent("not json")).toBeNull();
    expect(parseStreamEvent('{"type":"mystery"}')).toBeNull();
    const state = run(
      { type: "events", events: frames(start(1), chunk(2, "Done"), [3, '{"type":"done"}']) },
      { type: "events", events: frames(chunk(4, " extra")) },
      { type: "connection", connection: "reconnecting" },
    );
    expect(state.content).toBe("Done");
    expect(state.connection).toBe("closed");
  });

  it("takes the stored partial text when stopped", () => {
    const stopped: Message = {
      id: "a1",
      message_id: "a1",
      role: "assistant",
      content: "Partial answer",
      model: "m/x",
      timestamp: "2024-01-01T00:00:00Z",
      status: "cancelled",
      error: null,
      usage: null,
    };
    const state = run(
      { type: "events", events: frames(start(1), chunk(2, "Partial")) },
      { type: "stopping", stopping: true },
      { type: "stopped", message: stopped },
    );
    expect(state.phase).toBe("cancelled");
    expect(state.content).toBe("Partial answer");
    expect(state.stopping).toBe(false);
  });
});

describe("withLiveAnswer", () => {
  const user: Message = {
    id: "u1",
    message_id: "u1",
    role: "user",
    content: "Hi",
    model: null,
    timestamp: "2024-01-01T00:00:00Z",
    status: "complete",
    error: null,
    usage: null,
  };

  it("appends a pending answer and then lays the live text over the stored one", () => {
    const waiting = answerReducer(idleAnswer, { type: "open" });
    const shown = withLiveAnswer([user], waiting);
    expect(shown.map((m) => [m.role, m.status])).toEqual([
      ["user", "complete"],
      ["assistant", "streaming"],
    ]);

    const stored: Message = {
      ...user,
      id: "a1",
      message_id: "a1",
      role: "assistant",
      content: "He",
      status: "streaming",
    };
    const live = answerReducer(answerReducer(idleAnswer, { type: "open", messageId: "a1" }), {
      type: "events",
      events: frames(start(1), chunk(2, "Hello")),
    });
    const merged = withLiveAnswer([user, stored], live);
    expect(merged).toHaveLength(2);
    expect(merged[1].content).toBe("Hello");
  });
});
