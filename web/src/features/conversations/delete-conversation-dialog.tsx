/** Asks before a conversation and its messages are deleted for good. */
import { useEffect, useRef } from "react";
import type { Conversation } from "@/api/types";
import { Dialog } from "@/components/dialog";

interface DeleteConversationDialogProps {
  conversation: Conversation | null;
  deleting: boolean;
  onCancel: () => void;
  onConfirm: (conversation: Conversation) => void;
}

export function DeleteConversationDialog({
  conversation,
  deleting,
  onCancel,
  onConfirm,
}: DeleteConversationDialogProps) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (conversation) cancelRef.current?.focus();
  }, [conversation]);

  return (
    <Dialog open={conversation !== null} title="Delete chat?" onClose={onCancel}>
      <p className="dialog__text">
        This deletes <strong>{conversation?.title || "this chat"}</strong> and all of its messages.
        It can't be undone.
      </p>
      <div className="dialog__actions">
        <button ref={cancelRef} type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="button"
          className="button button--danger"
          disabled={deleting}
          onClick={() => conversation && onConfirm(conversation)}
        >
          Delete
        </button>
      </div>
    </Dialog>
  );
}
