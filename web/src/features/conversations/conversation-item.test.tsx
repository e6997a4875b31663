import { fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import type { Conversation } from "@/api/types";
import { ConversationItem, FocusCarry } from "@/features/conversations/conversation-item";

const conversation: Conversation = {
  id: "c1",
  title: "Trip plans",
  default_model: "openai/gpt-4o-mini",
  system_prompt: "",
  created_at: "2024-01-01T00:00:00Z",
  updated_at: "2024-01-01T00:00:00Z",
};

/** The item in a day's group; a change of `group` moves it there, as the sidebar would. */
function item(onRename = vi.fn(), group = "Today", carry = new FocusCarry()) {
  return (
    <MemoryRouter>
      <section key={group} aria-label={group}>
        <ul>
          <ConversationItem
            conversation={conversation}
            active={false}
            onNavigate={() => undefined}
            onRename={onRename}
            onDelete={() => undefined}
            focusCarry={carry}
          />
        </ul>
      </section>
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
    expect(onRename).toHaveBeenCalledWith("c1", "Holiday plans");
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
    expect(onRename).toHaveBeenCalledWith("c1", "Holiday plans");
    expect(document.activeElement).toBe(document.body);
  });

  it("keeps the focus on the same control when the chat moves to another day's group", () => {
    const carry = new FocusCarry();
    const view = render(item(vi.fn(), "Yesterday", carry));
    screen.getByRole("button", { name: "Delete" }).focus();
    view.rerender(item(vi.fn(), "Today", carry)); // a new element in another group
    expect(screen.getByRole("region", { name: "Today" })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Delete" }));
  });

  it("leaves the focus alone when it was not in the chat that moved", () => {
    const carry = new FocusCarry();
    const elsewhere = document.createElement("button");
    document.body.append(elsewhere);
    const view = render(item(vi.fn(), "Yesterday", carry));
    elsewhere.focus();
    view.rerender(item(vi.fn(), "Today", carry));
    expect(document.activeElement).toBe(elsewhere);
    elsewhere.remove();
  });
});

describe("ConversationItem: found by a search", () => {
  const found = {
    ...conversation,
    match: { message_id: "m 7", role: "assistant" as const, snippet: "…pack light for the trip" },
  };

  function listed(query: string | undefined) {
    return render(
      <MemoryRouter>
        <ul>
          <ConversationItem
            conversation={found}
            query={query}
            active={false}
            onNavigate={() => undefined}
            onRename={() => undefined}
            onDelete={() => undefined}
            focusCarry={new FocusCarry()}
          />
        </ul>
      </MemoryRouter>,
    );
  }

  it("shows the found message's line, its words marked, and opens the chat at it", () => {
    listed("trip");
    const link = screen.getByRole("link");
    expect(link.textContent).toBe("Trip plans…pack light for the trip");
    expect([...link.querySelectorAll("mark")].map((mark) => mark.textContent)).toEqual(["trip"]);
    expect(link.getAttribute("href")).toBe("/c/c1#message-m%207");
  });

  it("is a plain link to the chat once the search is cleared", () => {
    listed(undefined);
    const link = screen.getByRole("link", { name: "Trip plans" });
    expect(link.getAttribute("href")).toBe("/c/c1");
    expect(link.querySelector(".conversation-item__snippet")).toBeNull();
  });
});
