/** One conversation in the sidebar: a link named by its title, with Rename and Delete. */
import { memo, useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import type { Conversation } from "@/api/types";
import { EditIcon, TrashIcon } from "@/components/icons";

interface ConversationItemProps {
  conversation: Conversation;
  active: boolean;
  onNavigate: () => void;
  onRename: (id: string, title: string) => void;
  onDelete: (conversation: Conversation) => void;
}

export const ConversationItem = memo(function ConversationItem({
  conversation,
  active,
  onNavigate,
  onRename,
  onDelete,
}: ConversationItemProps) {
  const [editing, setEditing] = useState(false);
  const title = conversation.title.trim() || "New chat";

  return (
    <li className="conversation-item" data-active={active || undefined}>
      {editing ? (
        <TitleEditor
          initial={title}
          onDone={(next) => {
            setEditing(false);
            if (next !== null && next !== title) onRename(conversation.id, next);
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
          >
            {title}
          </Link>
          <div className="conversation-item__actions">
            <button
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

/** Enter or leaving the field saves; Esc cancels. `onDone(null)` means cancelled. */
function TitleEditor({
  initial,
  onDone,
}: {
  initial: string;
  onDone: (title: string | null) => void;
}) {
  const [value, setValue] = useState(initial);
  const finished = useRef(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const finish = (title: string | null) => {
    if (finished.current) return;
    finished.current = true;
    const trimmed = title?.trim();
    onDone(trimmed ? trimmed : null);
  };

  return (
    <input
      ref={input}
      className="conversation-item__input"
      aria-label="Conversation title"
      value={value}
      maxLength={200}
      onChange={(event) => setValue(event.target.value)}
      onBlur={() => finish(value)}
      onKeyDown={(event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          finish(value);
        } else if (event.key === "Escape") {
          event.preventDefault();
          event.stopPropagation();
          finish(null);
        }
      }}
    />
  );
}
