import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { type ComponentProps, createRef, Suspense } from "react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Message } from "@/api/types";
import { preloadMarkdown } from "@/components/markdown/lazy-markdown";
import type { MessageControls } from "@/features/chat/message-item";
import { MessageList } from "@/features/chat/message-list";
import { splitVersions } from "@/features/chat/use-conversation";
import { storedMessage as message } from "@/test/messages";

beforeAll(async () => {
  await preloadMarkdown();
  // jsdom has no IntersectionObserver; the list only asks it for more of a long thread.
  vi.stubGlobal(
    "IntersectionObserver",
    class {
      observe() {}
      disconnect() {}
    },
  );
});

const controls: MessageControls = {
  regenerate: vi.fn(),
  retry: vi.fn(),
  modelName: (id) => id ?? "?",
  edit: vi.fn(async () => true),
};

/** 60 exchanges; the 35th question edited and answered: 70 in the thread, 52 cut. */
function stored(): Message[] {
  const all: Message[] = [];
  for (let n = 1; n <= 60; n++)
    all.push(message(`u${n}`, "user"), message(`a${n}`, "assistant", `u${n}`));
  all.push(message("u35e", "user", "u35"), message("a35e", "assistant", "u35e"));
  return all;
}

/** The list of `messages` in a scroller, with `props`; returns how to show another thread. */
function show(
  messages: Message[],
  props: Partial<ComponentProps<typeof MessageList>> = {},
): (thread: Message[]) => void {
  const scroller = createRef<HTMLDivElement>();
  const list = (thread: Message[]) => (
    <Suspense fallback={null}>
      <div ref={scroller}>
        <MessageList
          messages={thread}
          busy={false}
          liveId={null}
          connection="open"
          controls={controls}
          scroller={scroller}
          {...props}
        />
      </div>
    </Suspense>
  );
  const view = render(list(messages));
  return (thread: Message[]) => view.rerender(list(thread));
}

const contents = () => screen.getAllByTestId("message-content").map((node) => node.textContent);

describe("MessageList: the versions of an edited message", () => {
  it("shows an earlier version in place with what followed it, to read only", async () => {
    const { thread, branches } = splitVersions(stored());
    expect(thread).toHaveLength(70);
    const rerender = show(thread, { earlierBranches: branches });
    await act(async () => {}); // the list grows past its first paint
    const edited = () => screen.getByText("text of u35e").closest("article") as HTMLElement;
    expect(within(edited()).getByTestId("version-position").textContent).toBe("2 / 2");

    const previous = within(edited()).getByRole("button", { name: "Previous version" });
    previous.focus();
    fireEvent.click(previous);
    const earlier = screen.getByText("text of u35").closest("article") as HTMLElement;
    expect(within(earlier).getByTestId("version-position").textContent).toBe("1 / 2");
    expect(document.activeElement).toBe(previous); // the same switch, still in the list
    expect(within(earlier).getByText(/An earlier version/)).toBeTruthy();
    expect(contents().slice(-4)).toEqual([
      "text of u59",
      "text of a59",
      "text of u60",
      "text of a60",
    ]);
    expect(screen.queryByText("text of u35e")).toBeNull();
    // Nothing from the switched message on can be edited or regenerated.
    const editable = screen.getAllByRole("button", { name: "Edit message" });
    const above = (node: Node) =>
      (earlier.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING) !== 0;
    expect(editable.length).toBeGreaterThan(0);
    expect(editable.every(above)).toBe(true);
    expect(screen.queryByRole("button", { name: "Regenerate" })).toBeNull();

    // A message sent meanwhile shows the thread as it now reads.
    rerender([...thread, message("local-1", "user")]);
    expect(screen.getByText("text of u35e")).toBeTruthy();
    expect(screen.queryByText("text of u60")).toBeNull();
  });
});

describe("MessageList: the versions of a regenerated answer", () => {
  it("shows the newest version again once the thread goes on, as the server builds on it", () => {
    const { thread, earlier, branches } = splitVersions([
      message("u1", "user"),
      message("a1", "assistant", "u1"),
      message("a1b", "assistant", "u1"),
    ]);
    const rerender = show(thread, { earlierBranches: branches, earlierAnswers: earlier });
    const answer = () => screen.getAllByTestId("message")[1];
    fireEvent.click(within(answer()).getByRole("button", { name: "Previous version" }));
    expect(within(answer()).getByTestId("version-position").textContent).toBe("1 / 2");
    expect(contents()).toEqual(["text of u1", "text of a1"]);

    rerender([...thread, message("local-1", "user")]);
    expect(within(answer()).getByTestId("version-position").textContent).toBe("2 / 2");
    expect(contents()).toEqual(["text of u1", "text of a1b", "text of local-1"]);
  });
});

describe("MessageList: a message to reveal (opened from a search)", () => {
  afterEach(() => {
    Reflect.deleteProperty(Element.prototype, "scrollIntoView");
  });

  function reveal(
    id: string,
    thread: Message[],
    branches?: ReturnType<typeof splitVersions>["branches"],
  ) {
    const scrolled: Element[] = [];
    // jsdom lays nothing out and has no scrollIntoView: note which element asked.
    Element.prototype.scrollIntoView = function (this: Element) {
      scrolled.push(this);
    };
    const onHoldView = vi.fn();
    const onRevealed = vi.fn();
    const props = { onHoldView, earlierBranches: branches, reveal: id, onRevealed };
    return { scrolled, onHoldView, onRevealed, rerender: show(thread, props) };
  }

  const article = (text: string) => screen.getByText(text).closest("article") as HTMLElement;

  it("renders an early message with all after it, scrolls to it and marks it, once", async () => {
    const { scrolled, onHoldView, onRevealed } = reveal("u3", stored().slice(0, 120));
    await act(async () => {});
    expect(scrolled).toEqual([article("text of u3")]);
    expect(article("text of u3").classList.contains("message--found")).toBe(true);
    expect(onHoldView).toHaveBeenCalledTimes(1); // the view leaves the newest message
    expect(onRevealed).toHaveBeenCalledTimes(1);
    expect(contents()).toHaveLength(120 - 4); // u3 and everything after it
  });

  it("waits for a message the thread does not have yet, and reveals it once it does", async () => {
    const thread = stored().slice(0, 120);
    const { scrolled, onRevealed, rerender } = reveal("u61", thread);
    await act(async () => {});
    expect(scrolled).toEqual([]);
    expect(onRevealed).not.toHaveBeenCalled();
    rerender([...thread, message("u61", "user"), message("a61", "assistant", "u61")]);
    await act(async () => {});
    expect(scrolled).toEqual([article("text of u61")]);
    expect(onRevealed).toHaveBeenCalledTimes(1);
  });

  it("reveals what an edit replaced at the place of the edit", async () => {
    const { thread, branches } = splitVersions(stored());
    const { scrolled, onRevealed } = reveal("a40", thread, branches); // after u35, edited
    await act(async () => {});
    expect(scrolled).toEqual([article("text of u35e")]);
    expect(onRevealed).toHaveBeenCalledTimes(1);
  });
});
