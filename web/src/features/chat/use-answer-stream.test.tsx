import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useAnswerStream } from "@/features/chat/use-answer-stream";

/** A stand-in for the browser's EventSource that the test drives by hand. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static all: FakeEventSource[] = [];
  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onmessage: ((event: MessageEvent<string>) => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(url: string) {
    this.url = url;
    FakeEventSource.all.push(this);
  }

  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }

  send(id: number, data: object) {
    this.onmessage?.(
      new MessageEvent("message", { data: JSON.stringify(data), lastEventId: String(id) }),
    );
  }

  fail(readyState: number) {
    this.readyState = readyState;
    this.onerror?.();
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
}

beforeEach(() => {
  FakeEventSource.all = [];
  vi.stubGlobal("EventSource", FakeEventSource);
  vi.useFakeTimers({
    toFake: [
      "setTimeout",
      "clearTimeout",
      "requestAnimationFrame",
      "cancelAnimationFrame",
      "performance",
    ],
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const latest = () => FakeEventSource.all[FakeEventSource.all.length - 1];

describe("useAnswerStream", () => {
  it("batches chunks and closes the source on done", () => {
    const { result } = renderHook(() => useAnswerStream("c1"));
    act(() => result.current.open());
    const source = latest();
    expect(source.url).toBe("/conversations/c1/stream");
    act(() => {
      source.open();
      source.send(1, { type: "start", message_id: "a1", model: "m" });
      source.send(2, { type: "chunk", content: "Hel" });
      source.send(3, { type: "chunk", content: "lo" });
    });
    // Not applied until the next batch.
    expect(result.current.state.content).toBe("");
    act(() => vi.advanceTimersByTime(100));
    expect(result.current.state.content).toBe("Hello");
    act(() =>
      source.send(4, { type: "done", message_id: "a1", finish_reason: "stop", usage: null }),
    );
    // The end is applied at once and the source is closed, so the browser will not reconnect.
    expect(result.current.state.phase).toBe("complete");
    expect(source.readyState).toBe(FakeEventSource.CLOSED);
  });

  it("shows Reconnecting while the browser reconnects, and resumes without duplicates", () => {
    const { result } = renderHook(() => useAnswerStream("c1"));
    act(() => result.current.open());
    const source = latest();
    act(() => {
      source.open();
      source.send(1, { type: "start", message_id: "a1", model: "m" });
      source.send(2, { type: "chunk", content: "A" });
      vi.advanceTimersByTime(100);
    });
    act(() => source.fail(FakeEventSource.CONNECTING));
    expect(result.current.state.connection).toBe("reconnecting");
    act(() => {
      source.open();
      source.send(2, { type: "chunk", content: "A" });
      source.send(3, { type: "chunk", content: "B" });
      vi.advanceTimersByTime(100);
    });
    expect(result.current.state.connection).toBe("open");
    expect(result.current.state.content).toBe("AB");
  });

  it("reconnects by itself with last_event_id when the browser gives up", () => {
    const { result } = renderHook(() => useAnswerStream("c1"));
    act(() => result.current.open());
    const first = latest();
    act(() => {
      first.open();
      first.send(1, { type: "start", message_id: "a1", model: "m" });
      first.send(2, { type: "chunk", content: "Part" });
      vi.advanceTimersByTime(100);
    });
    act(() => first.fail(FakeEventSource.CLOSED));
    expect(result.current.state.connection).toBe("reconnecting");
    act(() => vi.advanceTimersByTime(1000));
    const second = latest();
    expect(second).not.toBe(first);
    expect(second.url).toBe("/conversations/c1/stream?last_event_id=2");
    act(() => {
      second.open();
      second.send(3, { type: "chunk", content: "ial" });
      second.send(4, { type: "error", message: "Rate limited", code: 429, message_id: "a1" });
    });
    expect(result.current.state.phase).toBe("error");
    expect(result.current.state.content).toBe("Partial");
    expect(result.current.state.error).toEqual({ message: "Rate limited", code: 429 });
  });
});
