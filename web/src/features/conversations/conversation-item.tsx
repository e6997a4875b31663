/** One conversation in the sidebar: a link named by its title, with Rename and Delete. */
import { memo, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Link } from "react-router";
import type { Conversation, ListedConversation } from "@/api/types";
import { EditIcon, TrashIcon } from "@/components/icons";
import { SearchSnippet } from "@/features/conversations/search-snippet";
import { foundMessageHash } from "@/lib/found-message";

/**
 * Carries the focus from a chat's row that an update removed to the chat's new row in the
 * same update: a chat that moves to another day's group (renamed, or newly answered) is a
 * new element there. The sidebar drops what no row took once the update is done.
 */
export class FocusCarry {
  private left: { id: string; control: string } | null = null;

  leave(id: string, control: string) {
    this.left = { id, control };
  }

  take(id: string): string | null {
    const left = this.left;
    if (left === null || left.id !== id) return null;
    this.left = null;
    return left.control;
  }

  clear() {
    this.left = null;
  }
}

interface ConversationItemProps {
  conversation: ListedConversation;
  /** The sidebar's search, if any: a chat found by a message shows that message's line. */
  query?: string;
  active: boolean;
  onNavigate: () => void;
  onRename: (id: string, title: string) => void;
  onDelete: (conversation: Conversation) => void;
  focusCarry: FocusCarry;
}

export const ConversationItem = memo(function ConversationItem({
  conversation,
  query,
  active,
  onNavigate,
  onRename,
  onDelete,
  focusCarry,
}: ConversationItemProps) {
  const [editing, setEditing] = useState(false);
  const title = conversation.title.trim() || "New chat";
  const match = query ? conversation.match : null;
  const row = useRef<HTMLLIElement>(null);
  const renameButton = useRef<HTMLButtonElement>(null);
  const backToButton = useRef(false);

  // A rename ended with Enter or Esc gives the focus back to its Rename button (one ended by
  // leaving the field leaves the focus where it went).
  useEffect(() => {
    if (editing || !backToButton.current) return;
    backToButton.current = false;
    renameButton.current?.focus();
  }, [editing]);

  // Removed with the focus in it (a layout effect's cleanup runs while the row is still in the
  // page): the row that takes its place elsewhere takes the focus back, on the same control.
  useLayoutEffect(() => {
    const node = row.current;
    return () => {
      const control = node?.contains(document.activeElement)
        ? document.activeElement?.getAttribute("data-control")
        : null;
      if (control) focusCarry.leave(conversation.id, control);
    };
  }, [conversation.id, focusCarry]);
  useEffect(() => {
    const control = focusCarry.take(conversation.id);
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (control && lost)
      row.current?.querySelector<HTMLElement>(`[data-control="${control}"]`)?.focus();
  }, [conversation.id, focusCarry]);

  return (
    <li ref={row} className="conversation-item" data-active={active || undefined}>
      {editing ? (
        <TitleEditor
          initial={title}
          onDone={(next, byKey) => {
            backToButton.current = byKey;
            setEditing(false);
            if (next !== null && next !== title) onRename(conversation.id, next);
          }}
        />
      ) : (
        <>
          <Link
            className="conversation-item__link"
            // A chat found by a message opens at that message.
            to={{
              pathname: `/c/${encodeURIComponent(conversation.id)}`,
              hash: match ? foundMessageHash(match.message_id) : "",
            }}
            aria-current={active ? "page" : undefined}
            data-control="link"
            title={title}
            onClick={onNavigate}
            dir="auto"
          >
            <span className="conversation-item__title" dir="auto">
              {title}
            </span>
            {match && query && <SearchSnippet text={match.snippet} query={query} />}
          </Link>
          <div className="conversation-item__actions">
            <button
              ref={renameButton}
              type="button"
              data-control="rename"
              className="icon-button icon-button--small"
              aria-label="Rename"
              title="Rename"
              onClick={() => setEditing(true)}
            >
              <EditIcon size={15} />
            </button>
            <button
              type="button"
              className="icon-button icon-button--small"
              aria-label="Delete"
              title="Delete"
              data-control="delete"
              onClick={() => onDelete(conversation)}
            >
              <TrashIcon size={15} />
            </button>
          </div>
        </>
      )}
    </li>
  );
});

/**
 * Enter or leaving the field saves; Esc cancels, and only that (a drawer around it stays
 * open). `onDone(null)` means cancelled; `byKey`, that Enter or Esc ended it.
 */
function TitleEditor({
  initial,
  onDone,
}: {
  initial: string;
  onDone: (title: string | null, byKey: boolean) => void;
}) {
  const [value, setValue] = useState(initial);
  const finished = useRef(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const finish = (title: string | null, byKey = false) => {
    if (finished.current) return;
    finished.current = true;
    const trimmed = title?.trim();
    onDone(trimmed ? trimmed : null, byKey);
  };

  return (
    <input
      ref={input}
      className="conversation-item__input"
      aria-label="Conversation title"
      dir="auto"
      value={value}
      maxLength={200}
      onChange={(event) => setValue(event.target.value)}
      onBlur={() => finish(value)}
      onKeyDown={(event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          finish(value, true);
        } else if (event.key === "Escape") {
          event.preventDefault();
          event.stopPropagation();
          finish(null, true);
        }
      }}
    />
  );
}
