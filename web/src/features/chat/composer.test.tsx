import { fireEvent, render, screen } from "@testing-library/react";
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
