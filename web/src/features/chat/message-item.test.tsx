import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { Suspense } from "react";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Message } from "@/api/types";
import { preloadMarkdown } from "@/components/markdown/lazy-markdown";
import { type MessageControls, MessageItem } from "@/features/chat/message-item";

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

function controls(): MessageControls & Required<Pick<MessageControls, "edit">> {
  return {
    regenerate: vi.fn(),
    retry: vi.fn(),
    modelName: (id) => id ?? "?",
    edit: vi.fn(async () => true),
  };
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
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toMatch(/out of credits/);
    expect(screen.queryByRole("button", { name: "Regenerate" })).toBeNull();
    const retry = screen.getByRole("button", { name: "Retry" });
    // The alert announces the explanation only; Retry is beside it, not in it.
    expect(alert.contains(retry)).toBe(false);
    expect(alert.textContent).not.toMatch(/Retry/);
    fireEvent.click(retry);
    expect(handlers.retry).toHaveBeenCalled();
  });

  it("moves between the versions of a regenerated answer, starting on the newest", () => {
    const first = answer({
      id: "a0",
      content: "First version",
      status: "error",
      error: "Insufficient credits",
      error_code: 402,
      usage: null,
      model: "mistralai/codestral-2508",
    });
    const second = answer({ id: "a1b", content: "Second version", usage: null });
    const handlers = show(answer({ id: "a2", content: "Third version" }), {
      earlier: [first, second],
    });
    const item = screen.getByTestId("message");
    const content = () => within(item).getByTestId("message-content").textContent;
    const position = () => within(item).getByTestId("version-position").textContent;
    const previous = within(item).getByRole("button", { name: "Previous version" });
    const next = within(item).getByRole("button", { name: "Next version" });

    const spoken = () => within(item).getByTestId("version-spoken").textContent;
    expect(position()).toBe("3 / 3");
    expect(within(item).getByTestId("version-label").textContent).toBe("Version 3 of 3");
    expect(spoken()).toBe(""); // nothing said until the reader moves
    expect(content()).toBe("Third version");
    expect(next.getAttribute("aria-disabled")).toBe("true");
    fireEvent.click(next);
    expect(position()).toBe("3 / 3");
    expect(spoken()).toBe("");

    fireEvent.click(previous);
    expect(position()).toBe("2 / 3");
    expect(spoken()).toBe("Version 2 of 3");
    expect(content()).toBe("Second version");
    expect(within(item).queryByTestId("usage")).toBeNull();

    fireEvent.click(previous);
    expect(position()).toBe("1 / 3");
    expect(content()).toBe("First version");
    expect(item.dataset.status).toBe("error");
    expect(within(item).getByRole("alert").textContent).toMatch(/out of credits/);
    expect(within(item).getByText("mistralai/codestral-2508")).toBeTruthy();
    // No Retry on an earlier version: only the newest can be asked again.
    expect(within(item).queryByRole("button", { name: "Retry" })).toBeNull();
    expect(previous.getAttribute("aria-disabled")).toBe("true");

    fireEvent.click(next);
    fireEvent.click(next);
    expect(position()).toBe("3 / 3");
    expect(content()).toBe("Third version");
    expect(within(item).getByTestId("usage").textContent).toBe("10 in · 5 out · $0.0001");
    fireEvent.click(within(item).getByRole("button", { name: "Regenerate" }));
    expect(handlers.regenerate).toHaveBeenCalled();
  });

  it("shows no version switch for an answer with one version", () => {
    show(answer({}));
    expect(screen.queryByRole("button", { name: "Previous version" })).toBeNull();
    expect(screen.queryByTestId("version-position")).toBeNull();
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

  it("lets a question and its editor take their direction from the text", () => {
    show(answer({ id: "u1", role: "user", content: "שלום לכולם", usage: null }));
    expect(screen.getByTestId("message-content").getAttribute("dir")).toBe("auto");
    fireEvent.click(screen.getByRole("button", { name: "Edit message" }));
    expect(screen.getByRole("textbox", { name: "Edit message" }).getAttribute("dir")).toBe("auto");
  });

  it("edits a message the person wrote: Enter sends the new text, Esc keeps the old", async () => {
    const question = answer({ id: "u1", role: "user", content: "Hello there", usage: null });
    const handlers = show(question);
    const item = screen.getByTestId("message");
    const editButton = () => within(item).getByRole("button", { name: "Edit message" });
    const open = () => {
      fireEvent.click(editButton());
      return within(item).getByRole("textbox", { name: "Edit message" }) as HTMLTextAreaElement;
    };
    expect(within(item).getByRole("button", { name: "Copy message" })).toBeTruthy();

    let box = open();
    expect(box.value).toBe("Hello there");
    expect(document.activeElement).toBe(box);
    expect(box.getAttribute("aria-describedby")).toBeTruthy();
    fireEvent.change(box, { target: { value: "Discarded" } });
    fireEvent.keyDown(box, { key: "Escape", keyCode: 229 }); // the input method's own Esc
    expect(within(item).queryByRole("textbox")).not.toBeNull();
    fireEvent.keyDown(box, { key: "Escape" });
    expect(within(item).queryByRole("textbox")).toBeNull();
    expect(within(item).getByTestId("message-content").textContent).toBe("Hello there");
    expect(document.activeElement).toBe(editButton());

    box = open();
    expect(box.value).toBe("Hello there");
    fireEvent.keyDown(box, { key: "Enter" });
    await waitFor(() => expect(within(item).queryByRole("textbox")).toBeNull());
    expect(handlers.edit).not.toHaveBeenCalled(); // the same text asks nothing

    box = open();
    fireEvent.change(box, { target: { value: "   " } });
    expect(within(item).getByRole("button", { name: "Send" })).toHaveProperty("disabled", true);
    fireEvent.keyDown(box, { key: "Enter" });
    fireEvent.change(box, { target: { value: "Hello again\nsecond line" } });
    fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    fireEvent.keyDown(box, { key: "Enter", keyCode: 229 }); // confirms a conversion (Safari)
    expect(handlers.edit).not.toHaveBeenCalled();

    // Not stored (an error): the editor stays open with the text.
    vi.mocked(handlers.edit).mockResolvedValueOnce(false);
    fireEvent.click(within(item).getByRole("button", { name: "Send" }));
    await waitFor(() => expect(handlers.edit).toHaveBeenCalledTimes(1));
    await waitFor(() =>
      expect(within(item).getByRole("button", { name: "Send" })).toHaveProperty("disabled", false),
    );
    expect(box.value).toBe("Hello again\nsecond line");

    fireEvent.keyDown(box, { key: "Enter" });
    await waitFor(() => expect(within(item).queryByRole("textbox")).toBeNull());
    expect(handlers.edit).toHaveBeenLastCalledWith(question, "Hello again\nsecond line", undefined);
  });

  it("offers no edit while an answer is written, nor of a message not stored yet", () => {
    show(answer({ id: "u1", role: "user", content: "Hi", usage: null }), { busy: true });
    expect(screen.queryByRole("button", { name: "Edit message" })).toBeNull();
    expect(screen.getByRole("button", { name: "Copy message" })).toBeTruthy();
    cleanup();
    show(answer({ id: "local-1", role: "user", content: "Hi", usage: null }));
    expect(screen.queryByRole("button", { name: "Edit message" })).toBeNull();
  });

  describe("images", () => {
    const cat = {
      id: "f1",
      name: "cat.jpg",
      media_type: "image/jpeg",
      size: 12345,
      url: "/attachments/f1",
    };
    const dog = { ...cat, id: "f2", name: "dog.png", url: "/attachments/f2" };
    const question = (fields: Partial<Message>) =>
      answer({ id: "u1", role: "user", usage: null, content: "What is this?", ...fields });

    it("shows a message's images above its text, loaded lazily at a fixed size", () => {
      show(question({ attachments: [cat, dog] }));
      const item = screen.getByTestId("message");
      const images = within(item).getByRole("list", { name: "Images" });
      expect(images.className).toContain("message-images--grid");
      const shown = images.querySelectorAll("img");
      expect(Array.from(shown, (image) => [image.alt, image.getAttribute("src")])).toEqual([
        ["cat.jpg", "/attachments/f1"],
        ["dog.png", "/attachments/f2"],
      ]);
      expect(shown[0].getAttribute("loading")).toBe("lazy");
      expect(shown[0].getAttribute("decoding")).toBe("async");
      // Above the text.
      const text = within(item).getByTestId("message-content");
      expect(images.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    });

    it("opens an image whole in a dialog, and leaves it with Close", () => {
      show(question({ attachments: [cat] }));
      expect(screen.getByRole("list", { name: "Images" }).className).toContain(
        "message-images--single",
      );
      fireEvent.click(screen.getByRole("button", { name: "View cat.jpg" }));
      const dialog = screen.getByRole("dialog", { name: "cat.jpg" });
      const link = within(dialog).getByRole("link", { name: "Open in a new tab" });
      expect(link.getAttribute("href")).toBe("/attachments/f1");
      expect(link.getAttribute("rel")).toContain("noopener");
      fireEvent.click(within(dialog).getByRole("button", { name: "Close" }));
      expect(screen.queryByRole("dialog")).toBeNull();
      // Kept in the page, closed: the browser gives the focus back to the image's button.
      expect(document.querySelector("dialog.image-viewer")?.hasAttribute("open")).toBe(false);
    });

    it("shows a message of images only without an empty bubble or Copy", () => {
      show(question({ content: "", attachments: [cat] }));
      expect(screen.queryByTestId("message-content")).toBeNull();
      expect(screen.queryByRole("button", { name: "Copy message" })).toBeNull();
      expect(screen.getByRole("button", { name: "Edit message" })).toBeTruthy();
    });

    it("keeps the images in an edit unless taken out, and then needs no text", async () => {
      const message = question({ attachments: [cat, dog] });
      const handlers = show(message);
      vi.mocked(handlers.edit).mockResolvedValue(false); // not stored: the editor stays open
      fireEvent.click(screen.getByRole("button", { name: "Edit message" }));
      const box = screen.getByRole("textbox", { name: "Edit message" });
      const editor = box.closest("form") as HTMLElement;
      const send = within(editor).getByRole("button", { name: "Send" });
      expect(Array.from(editor.querySelectorAll("img"), (image) => image.alt)).toEqual([
        "cat.jpg",
        "dog.png",
      ]);
      fireEvent.change(box, { target: { value: "And these?" } });
      fireEvent.click(send);
      // Every image kept: the edit names none, and the server keeps them all.
      await waitFor(() =>
        expect(handlers.edit).toHaveBeenCalledWith(message, "And these?", undefined),
      );

      // Text taken out, images all kept: they are named, so the server takes a blank text.
      fireEvent.change(box, { target: { value: "" } });
      fireEvent.click(send);
      await waitFor(() => expect(handlers.edit).toHaveBeenLastCalledWith(message, "", [cat, dog]));

      fireEvent.click(within(editor).getByRole("button", { name: "Remove cat.jpg" }));
      fireEvent.change(box, { target: { value: " " } });
      expect(send).toHaveProperty("disabled", false); // an image alone is a message
      fireEvent.click(send);
      await waitFor(() => expect(handlers.edit).toHaveBeenLastCalledWith(message, " ", [dog]));

      fireEvent.click(within(editor).getByRole("button", { name: "Remove dog.png" }));
      expect(send).toHaveProperty("disabled", true); // nothing left to send
    });
  });
});
