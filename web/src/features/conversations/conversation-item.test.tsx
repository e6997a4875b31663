import { fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import type { Conversation } from "@/api/types";
import { ConversationItem } from "@/features/conversations/conversation-item";

const conversation: Conversation = {
  id: "c1",
  title: "Trip plans",
  default_model: "openai/gpt-4o-mini",
  system_prompt: "",
  created_at: "2024-01-01T00:00:00Z",
  updated_at: "2024-01-01T00:00:00Z",
};

function item(onRename = vi.fn(), claimFocus = (_id: string) => false) {
  return (
    <MemoryRouter>
      <ul>
        <ConversationItem
          conversation={conversation}
          active={false}
          onNavigate={() => undefined}
          onRename={onRename}
          onDelete={() => undefined}
          claimFocus={claimFocus}
        />
      </ul>
    </MemoryRouter>
  );
}

function show() {
  const onRename = vi.fn();
  render(item(onRename));
  fireEvent.click(screen.getByRole("button", { name: "Rename" }));
  const field = screen.getByRole("textbox", { name: "Conversation title" });
  fireEvent.change(field, { target: { value: "Holiday plans" } });
  return { onRename, field };
}

describe("ConversationItem: Rename", () => {
  it("lets a title and its editor take their direction from the text", () => {
    const { field } = show();
    expect(field.getAttribute("dir")).toBe("auto");
    fireEvent.keyDown(field, { key: "Escape" });
    expect(screen.getByRole("link", { name: "Trip plans" }).getAttribute("dir")).toBe("auto");
  });

  it("saves on Enter and gives the focus back to Rename", () => {
    const { onRename, field } = show();
    fireEvent.keyDown(field, { key: "Enter" });
    expect(onRename).toHaveBeenCalledWith("c1", "Holiday plans", true);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Rename" }));
  });

  it("cancels on Esc, saving nothing, and keeps the Esc to itself", () => {
    const { onRename, field } = show();
    const outside = vi.fn();
    document.addEventListener("keydown", outside);
    fireEvent.keyDown(field, { key: "Escape" });
    document.removeEventListener("keydown", outside);
    expect(outside).not.toHaveBeenCalled();
    expect(screen.getByRole("link", { name: "Trip plans" })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Rename" }));
    expect(onRename).not.toHaveBeenCalled();
  });

  it("saves when the field is left, leaving the focus where it went", () => {
    const { onRename, field } = show();
    fireEvent.blur(field);
    expect(onRename).toHaveBeenCalledWith("c1", "Holiday plans", false);
    expect(document.activeElement).toBe(document.body);
  });

  it("takes the focus back when a rename moved it to another day's group, and only then", () => {
    const claimFocus = vi.fn((id: string) => id === "c1");
    const elsewhere = document.createElement("button");
    document.body.append(elsewhere);
    elsewhere.focus(); // the focus went on: the moved chat leaves it there
    const first = render(item(vi.fn(), claimFocus));
    expect(document.activeElement).toBe(elsewhere);
    first.unmount();
    elsewhere.remove(); // the focus was lost with the old element: the new one takes it
    render(item(vi.fn(), claimFocus));
    expect(claimFocus).toHaveBeenCalledWith("c1");
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Rename" }));
  });
});
