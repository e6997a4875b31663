/** The sidebar: new chat, a filter, and the conversations grouped by day, loading more on scroll. */
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { createPortal } from "react-dom";
import type { Conversation } from "@/api/types";
import { CloseIcon, NewChatIcon, SearchIcon } from "@/components/icons";
import { SkeletonLines } from "@/components/skeleton";
import { showToast } from "@/components/toast";
import { ConversationItem, FocusCarry } from "@/features/conversations/conversation-item";
import { DeleteConversationDialog } from "@/features/conversations/delete-conversation-dialog";
import {
  useConversationList,
  useDeleteConversation,
  useUpdateConversation,
} from "@/features/conversations/use-conversations";
import { groupByDate } from "@/lib/date-groups";
import { ARIA_KEYS, shortcutLabel } from "@/lib/shortcuts";

interface ConversationSidebarProps {
  activeId: string | null;
  /** Called after a link or New chat was used (closes the drawer on phones). */
  onNavigate: () => void;
  onNewChat: () => void;
  onDeleted: (id: string) => void;
  onClose: () => void;
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), delayMs);
    return () => window.clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

export function ConversationSidebar({
  activeId,
  onNavigate,
  onNewChat,
  onDeleted,
  onClose,
}: ConversationSidebarProps) {
  const [filter, setFilter] = useState("");
  const q = useDebounced(filter.trim(), 250);
  const list = useConversationList(q);
  const update = useUpdateConversation();
  const remove = useDeleteConversation();
  const [pendingDelete, setPendingDelete] = useState<Conversation | null>(null);
  const sentinel = useRef<HTMLDivElement>(null);

  const conversations = useMemo(
    () => list.data?.pages.flatMap((page) => page.data) ?? [],
    [list.data],
  );
  const deferred = useDeferredValue(conversations);
  const groups = useMemo(() => groupByDate(deferred, (c) => c.updated_at), [deferred]);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage)
        void fetchNextPage();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const onRename = useCallback(
    (id: string, title: string) =>
      update.mutate(
        { id, patch: { title } },
        { onError: (error) => showToast(`Couldn't rename: ${error.message}`, "error") },
      ),
    [update.mutate],
  );
  const [focusCarry] = useState(() => new FocusCarry());
  // Runs after the rows' own effects of each update: a focus no row took back is dropped.
  useEffect(() => focusCarry.clear());

  const confirmDelete = (conversation: Conversation) => {
    remove.mutate(conversation.id, {
      onSuccess: () => {
        setPendingDelete(null);
        onDeleted(conversation.id);
      },
      onError: (error) => {
        setPendingDelete(null);
        showToast(`Couldn't delete: ${error.message}`, "error");
      },
    });
  };

  return (
    <nav className="sidebar" aria-label="Conversations">
      <div className="sidebar__top">
        <span className="sidebar__brand">Open Chat</span>
        <button
          type="button"
          className="icon-button sidebar__close"
          aria-label="Close sidebar"
          onClick={onClose}
        >
          <CloseIcon />
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label="New chat"
          title={`New chat (${shortcutLabel("newChat")})`}
          aria-keyshortcuts={ARIA_KEYS.newChat}
          onClick={() => {
            onNewChat();
            onNavigate();
          }}
        >
          <NewChatIcon />
        </button>
      </div>
      <div className="sidebar__search">
        <SearchIcon size={16} />
        <input
          type="search"
          aria-label="Search conversations"
          placeholder="Search chats"
          title={`Search chats (${shortcutLabel("searchChats")})`}
          aria-keyshortcuts={ARIA_KEYS.searchChats}
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          onKeyDown={(event) => {
            // Esc clears the search; Shift+Esc goes to the message box (lib/shortcuts).
            if (event.key === "Escape" && !event.shiftKey && filter) {
              event.stopPropagation();
              setFilter("");
            }
          }}
        />
      </div>
      <div className="sidebar__list">
        {list.isPending && <SkeletonLines count={8} className="sidebar__skeleton" />}
        {list.isError && !list.data && (
          <p className="sidebar__note">
            Couldn't load chats.{" "}
            <button type="button" className="link-button" onClick={() => list.refetch()}>
              Try again
            </button>
          </p>
        )}
        {list.isSuccess && conversations.length === 0 && (
          <p className="sidebar__note">{q ? `No chats match “${q}”.` : "No chats yet."}</p>
        )}
        {groups.map((group) => (
          <section key={group.label} className="sidebar__group" aria-label={group.label}>
            <h2 className="sidebar__group-title">{group.label}</h2>
            <ul>
              {group.items.map((conversation) => (
                <ConversationItem
                  key={conversation.id}
                  conversation={conversation}
                  query={q}
                  active={conversation.id === activeId}
                  onNavigate={onNavigate}
                  onRename={onRename}
                  onDelete={setPendingDelete}
                  focusCarry={focusCarry}
                />
              ))}
            </ul>
          </section>
        ))}
        <div ref={sentinel} className="sidebar__sentinel" />
        {isFetchingNextPage && <SkeletonLines count={3} className="sidebar__skeleton" />}
      </div>
      {createPortal(
        <DeleteConversationDialog
          conversation={pendingDelete}
          deleting={remove.isPending}
          onCancel={() => setPendingDelete(null)}
          onConfirm={confirmDelete}
        />,
        document.body,
      )}
    </nav>
  );
}
