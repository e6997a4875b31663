import { fireEvent, render, screen, within } from "@testing-library/react";
import { Suspense } from "react";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Message } from "@/api/types";
import { preloadMarkdown } from "@/components/markdown/lazy-markdown";
import { type AnswerControls, MessageItem } from "@/features/chat/message-item";

beforeAll(async () => {
  await preloadMarkdown();
});

function answer(overrides: Partial<Message>): Message {
  return {
    id: "a1",
    message_id: "a1",
    role: "assistant",
    content: "**Hi**",
    model: "openai/gpt-4o-mini",
    timestamp: "2024-01-01T00:00:00Z",
    status: "complete",
    error: null,
    error_code: null,
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost: 0.0001 },
    ...overrides,
  };
}

function controls(): AnswerControls {
  return { regenerate: vi.fn(), retry: vi.fn(), modelName: (id) => id ?? "?" };
}

function show(message: Message, extra: Partial<Parameters<typeof MessageItem>[0]> = {}) {
  const handlers = controls();
  render(
    <Suspense fallback={null}>
      <MessageItem
        message={message}
        isLastAnswer
        busy={false}
        connection={null}
        controls={handlers}
        {...extra}
      />
    </Suspense>,
  );
  return handlers;
}

describe("MessageItem", () => {
  it("marks role and status and renders the answer's markdown, usage and actions", () => {
    const handlers = show(answer({}));
    const item = screen.getByTestId("message");
    expect(item.dataset.role).toBe("assistant");
    expect(item.dataset.status).toBe("complete");
    expect(within(item).getByTestId("message-content").querySelector("strong")?.textContent).toBe(
      "Hi",
    );
    expect(within(item).getByTestId("usage").textContent).toBe("10 in · 5 out · $0.0001");
    fireEvent.click(within(item).getByRole("button", { name: "Regenerate" }));
    expect(handlers.regenerate).toHaveBeenCalled();
    expect(within(item).getByRole("button", { name: "Copy" })).toBeTruthy();
  });

  it("shows an upstream error in place, keeping the partial text, with Retry", () => {
    const handlers = show(
      answer({
        status: "error",
        content: "Partial",
        error: "Insufficient credits",
        error_code: 402,
      }),
    );
    expect(screen.getByTestId("message-content").textContent).toContain("Partial");
    expect(screen.getByRole("alert").textContent).toMatch(/out of credits/);
    expect(screen.queryByRole("button", { name: "Regenerate" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Retry" }));
    expect(handlers.retry).toHaveBeenCalled();
  });

  it("says when it is reconnecting and shows the thinking block", () => {
    show(answer({ status: "streaming", content: "", reasoning: "Hmm", usage: null }), {
      connection: "reconnecting",
    });
    expect(screen.getByText("Reconnecting…")).toBeTruthy();
    expect(document.querySelector("details summary")?.textContent).toMatch(/^Thinking/);
    expect(screen.queryByRole("button", { name: "Copy" })).toBeNull();
  });

  it("shows the person's text as typed, never as HTML", () => {
    show(answer({ role: "user", content: "<b>bold?</b>", usage: null }));
    const content = screen.getByTestId("message-content");
    expect(content.querySelector("b")).toBeNull();
    expect(content.textContent).toBe("<b>bold?</b>");
  });
});
