/** One conversation in the sidebar: a link named by its title, with Rename and Delete. */
import { memo, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import type { Conversation } from "@/api/types";
import { EditIcon, TrashIcon } from "@/components/icons";

interface ConversationItemProps {
  conversation: Conversation;
  active: boolean;
  onNavigate: () => void;
  /** `byKey`: Enter ended the rename, so the focus stays on Rename. */
  onRename: (id: string, title: string, byKey: boolean) => void;
  onDelete: (conversation: Conversation) => void;
  /** Whether this chat, new here, is the one a rename left the focus with (see the sidebar). */
  claimFocus: (id: string) => boolean;
}

export const ConversationItem = memo(function ConversationItem({
  conversation,
  active,
  onNavigate,
  onRename,
  onDelete,
  claimFocus,
}: ConversationItemProps) {
  const [editing, setEditing] = useState(false);
  const title = conversation.title.trim() || "New chat";
  const renameButton = useRef<HTMLButtonElement>(null);
  const backToButton = useRef(false);

  // A rename ended with Enter or Esc gives the focus back to its Rename button (one ended by
  // leaving the field leaves the focus where it went).
  useEffect(() => {
    if (editing || !backToButton.current) return;
    backToButton.current = false;
    renameButton.current?.focus();
  }, [editing]);

  // A renamed chat the refreshed list moved to another day is a new element there: the focus,
  // lost with the old one, comes back to its Rename button.
  useEffect(() => {
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (lost && claimFocus(conversation.id)) renameButton.current?.focus();
  }, [claimFocus, conversation.id]);

  return (
    <li className="conversation-item" data-active={active || undefined}>
      {editing ? (
        <TitleEditor
          initial={title}
          onDone={(next, byKey) => {
            backToButton.current = byKey;
            setEditing(false);
            if (next !== null && next !== title) onRename(conversation.id, next, byKey);
          }}
        />
      ) : (
        <>
          <Link
            className="conversation-item__link"
            to={`/c/${encodeURIComponent(conversation.id)}`}
            aria-current={active ? "page" : undefined}
            title={title}
            onClick={onNavigate}
            dir="auto"
          >
            {title}
          </Link>
          <div className="conversation-item__actions">
            <button
              ref={renameButton}
              type="button"
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
