import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Composer } from "@/features/chat/composer";

describe("Composer", () => {
  it("sends on Enter and keeps Shift+Enter for new lines", () => {
    const onSend = vi.fn();
    render(<Composer busy={false} onSend={onSend} onStop={() => undefined} />);
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.change(box, { target: { value: "Hello" } });
    fireEvent.keyDown(box, { key: "Enter", shiftKey: true });
    expect(onSend).not.toHaveBeenCalled();
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).toHaveBeenCalledWith("Hello");
    expect((box as HTMLTextAreaElement).value).toBe("");
  });

  it("does not send blank text", () => {
    const onSend = vi.fn();
    render(<Composer busy={false} onSend={onSend} onStop={() => undefined} />);
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.change(box, { target: { value: "   " } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Send message" })).toHaveProperty("disabled", true);
  });

  it("offers Stop instead of Send while an answer is written", () => {
    const onStop = vi.fn();
    const onSend = vi.fn();
    render(<Composer busy onSend={onSend} onStop={onStop} />);
    expect(screen.queryByRole("button", { name: "Send message" })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Stop generating" }));
    expect(onStop).toHaveBeenCalled();
    const box = screen.getByRole("textbox", { name: "Message" });
    fireEvent.change(box, { target: { value: "next" } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onSend).not.toHaveBeenCalled();
  });
});

describe("Composer: drafts and direction", () => {
  it("keeps each conversation's unsent text until it is sent", () => {
    const onSend = vi.fn();
    const box = () => screen.getByRole("textbox", { name: "Message" }) as HTMLTextAreaElement;
    const shown = (id: string) =>
      render(<Composer busy={false} onSend={onSend} onStop={() => undefined} draftKey={id} />);

    const first = shown("c1");
    fireEvent.change(box(), { target: { value: "Half a thought" } });
    first.unmount();
    const second = shown("c2");
    expect(box().value).toBe("");
    second.unmount();

    shown("c1");
    expect(box().value).toBe("Half a thought");
    fireEvent.keyDown(box(), { key: "Enter" });
    expect(onSend).toHaveBeenCalledWith("Half a thought");
    cleanup();
    shown("c1");
    expect(box().value).toBe("");
  });

  it("takes its direction from the text typed in it", () => {
    render(<Composer busy={false} onSend={() => undefined} onStop={() => undefined} />);
    expect(screen.getByRole("textbox", { name: "Message" }).getAttribute("dir")).toBe("auto");
  });
});
