/** A conversation: its thread with the live answer, sending, stopping, regenerating and resuming. */
import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, Suspense, useCallback, useEffect, useMemo, useRef } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { ApiError } from "@/api/client";
import {
  editMessage,
  getConversation,
  regenerateAnswer,
  sendMessage,
  stopAnswer,
} from "@/api/endpoints";
import { queryKeys } from "@/api/query-keys";
import type { Attachment, Message } from "@/api/types";
import { useMarkdownReady } from "@/components/markdown/lazy-markdown";
import { ConversationSkeleton } from "@/components/skeleton";
import { showToast } from "@/components/toast";
import { answerMessage, isFinished, withLiveAnswer } from "@/features/chat/answer-state";
import { ChatLayout } from "@/features/chat/chat-layout";
import { Composer, type ComposerHandle } from "@/features/chat/composer";
import type { MessageControls } from "@/features/chat/message-item";
import { MessageList } from "@/features/chat/message-list";
import {
  attachmentsOf,
  localAttachment,
  type PreparedImage,
  revokePreviews,
} from "@/features/chat/prepare-image";
import { EmptyChat } from "@/features/chat/suggestions";
import { useAnswerStream } from "@/features/chat/use-answer-stream";
import {
  type ConversationData,
  upsertMessage,
  useConversation,
  withEditedMessage,
  withRegeneratedAnswer,
} from "@/features/chat/use-conversation";
import { useStickToBottom } from "@/features/chat/use-stick-to-bottom";
import { foundMessageId } from "@/lib/found-message";
import { randomId } from "@/lib/random-id";

interface ChatViewProps {
  conversationId: string;
  /** A model for the next message only, instead of the conversation's default. */
  nextMessageModel?: string | null;
  /** The next message was sent (the one-message model has been used). */
  onSent?: () => void;
  /** `busy`: an answer is being written, and is not in `conversation` yet. */
  topBar: (conversation: ConversationData | undefined, busy: boolean) => ReactNode;
  modelName: MessageControls["modelName"];
  /** Whether a model reads images (null: not known). */
  readsImages?: (id: string | null | undefined) => boolean | null;
  renderModelSwitch?: MessageControls["renderModelSwitch"];
}

/** The title the server gives a chat until its first message names it. */
const DEFAULT_TITLE = "New chat";

function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.detail : "Something went wrong.";
}

export function ChatView({
  conversationId,
  nextMessageModel,
  onSent,
  topBar,
  modelName,
  readsImages,
  renderModelSwitch,
}: ChatViewProps) {
  const client = useQueryClient();
  const key = useMemo(() => queryKeys.conversation(conversationId), [conversationId]);
  const query = useConversation(conversationId);
  const conversation = query.data;
  const stream = useAnswerStream(conversationId);
  const { state } = stream;
  const busy = state.phase === "waiting" || state.phase === "streaming";
  const composer = useRef<ComposerHandle>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const { atBottom, scrollToBottom, release } = useStickToBottom(scroller, content);
  // Opened at a message (from a search): shown once, then the address drops the mark.
  const location = useLocation();
  const navigate = useNavigate();
  const reveal = foundMessageId(location.hash);
  const revealed = useCallback(
    () => navigate({ pathname: location.pathname, search: location.search }, { replace: true }),
    [navigate, location.pathname, location.search],
  );

  const setThread = useCallback(
    (change: (messages: Message[]) => Message[]) =>
      client.setQueryData<ConversationData>(key, (detail) =>
        detail ? { ...detail, messages: change(detail.messages) } : detail,
      ),
    [client, key],
  );

  const messages = useMemo(
    () => withLiveAnswer(conversation?.messages ?? [], state),
    [conversation?.messages, state],
  );

  // On load, attach to an answer still being written (or owed to the last message).
  const loaded = conversation !== undefined;
  const attached = useRef(false);
  useEffect(() => {
    const detail = client.getQueryData<ConversationData>(key);
    if (!loaded || attached.current || !detail) return;
    attached.current = true;
    const last = detail.messages[detail.messages.length - 1];
    if (last?.role === "assistant" && last.status === "streaming")
      stream.open({ messageId: last.id, model: last.model });
    else if (last?.role === "user") stream.open();
    return () => {
      attached.current = false;
    };
  }, [loaded, client, key, stream.open]);

  // A finished answer moves from the live state into the cached thread.
  useEffect(() => {
    if (!isFinished(state.phase) || !state.messageId) return;
    const id = state.messageId;
    setThread((thread) =>
      upsertMessage(
        thread,
        answerMessage(
          state,
          thread.find((m) => m.id === id),
        ),
      ),
    );
    stream.reset();
    void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
  }, [state, setThread, stream.reset, client]);

  useEffect(() => {
    const title = conversation?.title;
    document.title = title ? `${title} · Open Chat` : "Open Chat";
  }, [conversation?.title]);

  // The server names a chat after its first message: take the new title, and only that
  // (the thread in the cache is newer than any copy fetched while an answer streams).
  const refreshTitle = useCallback(async () => {
    const fresh = await getConversation(conversationId).catch(() => null);
    if (!fresh) return;
    client.setQueryData<ConversationData>(key, (detail) =>
      detail ? { ...detail, title: fresh.title, updated_at: fresh.updated_at } : detail,
    );
  }, [client, key, conversationId]);

  // A chat still unnamed when an answer ends (the name was missed when it was sent) asks again.
  const unnamed = conversation?.title === DEFAULT_TITLE && (conversation?.messages.length ?? 0) > 0;
  useEffect(() => {
    if (unnamed && isFinished(state.phase)) void refreshTitle();
  }, [unnamed, state.phase, refreshTitle]);

  const nextModel = useRef(nextMessageModel);
  nextModel.current = nextMessageModel;
  const sent = useRef(onSent);
  sent.current = onSent;

  // A send or an edit the server refused: one while an answer runs joins that answer.
  const refused = useCallback(
    (error: unknown, action: "send" | "edit") => {
      if (error instanceof ApiError && error.status === 409) {
        showToast("An answer is still being written. Wait for it or stop it first.");
        stream.open();
      } else {
        showToast(`Couldn't ${action}: ${messageOf(error)}`, "error");
      }
    },
    [stream.open],
  );

  const send = useCallback(
    async (text: string, images: readonly PreparedImage[]) => {
      const model = nextModel.current ?? client.getQueryData<ConversationData>(key)?.default_model;
      const clientId = randomId();
      const localId = `local-${clientId}`;
      const optimistic: Message = {
        id: localId,
        message_id: localId,
        role: "user",
        content: text,
        model: model ?? null,
        timestamp: new Date().toISOString(),
        status: "complete",
        error: null,
        usage: null,
        attachments: images.map(localAttachment),
      };
      setThread((thread) => [...thread, optimistic]);
      scrollToBottom();
      try {
        const saved = await sendMessage(conversationId, {
          message: text,
          model,
          client_message_id: clientId,
          ...attachmentsOf(images),
        });
        setThread((thread) => thread.map((m) => (m.id === localId ? saved : m)));
        revokePreviews(images); // the server's copies are shown now
        sent.current?.();
        stream.open({ model: saved.model });
        void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
        if (client.getQueryData<ConversationData>(key)?.title === DEFAULT_TITLE)
          void refreshTitle();
      } catch (error) {
        setThread((thread) => thread.filter((m) => m.id !== localId));
        if (composer.current) composer.current.restore(text, images);
        else revokePreviews(images);
        refused(error, "send");
      }
    },
    [client, key, conversationId, setThread, scrollToBottom, stream.open, refreshTitle, refused],
  );

  const busyRef = useRef(busy);
  busyRef.current = busy;

  const regenerate = useCallback(
    async (model?: string) => {
      if (busyRef.current) return;
      try {
        const answer = await regenerateAnswer(conversationId, model);
        // The answer it replaces stays on view as an earlier version.
        client.setQueryData<ConversationData>(key, (detail) =>
          detail ? withRegeneratedAnswer(detail, answer) : detail,
        );
        scrollToBottom();
        stream.open({ messageId: answer.id, model: answer.model });
      } catch (error) {
        showToast(`Couldn't regenerate: ${messageOf(error)}`, "error");
      }
    },
    [client, key, conversationId, scrollToBottom, stream.open],
  );

  // A stored edit takes its message's place, and what followed leaves the view (the server
  // keeps it). Until then the editor stays open; on a failure it keeps the text.
  const editing = useRef(false);
  const edit = useCallback(
    async (
      original: Message,
      text: string,
      keptImages?: readonly Attachment[],
    ): Promise<boolean> => {
      if (busyRef.current || editing.current) return false;
      editing.current = true;
      const model = nextModel.current ?? undefined; // none: the edited message's model
      try {
        const saved = await editMessage(conversationId, original.id, {
          message: text,
          model,
          client_message_id: randomId(),
          // None: the new version keeps every image; a list keeps those it names.
          attachments: keptImages?.map(({ id }) => ({ id })),
        });
        client.setQueryData<ConversationData>(key, (detail) =>
          detail ? withEditedMessage(detail, original.id, saved) : detail,
        );
        sent.current?.();
        scrollToBottom();
        composer.current?.focus();
        stream.open({ model: saved.model });
        void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
        void refreshTitle(); // an edit of the first message renames the chat
        return true;
      } catch (error) {
        refused(error, "edit");
        // Edited elsewhere meanwhile: show the conversation as it now is.
        if (error instanceof ApiError && error.status === 400)
          void client.invalidateQueries({ queryKey: key });
        return false;
      } finally {
        editing.current = false;
      }
    },
    [client, key, conversationId, scrollToBottom, stream.open, refreshTitle, refused],
  );

  const retry = useCallback(
    (message: Message) => {
      // A lost connection left no stored answer: listen again rather than asking anew.
      if (message.id === "pending-answer") stream.open();
      else void regenerate();
    },
    [regenerate, stream.open],
  );

  const stoppingRef = useRef(false);
  stoppingRef.current = state.stopping;
  const stop = useCallback(async () => {
    if (!busyRef.current || stoppingRef.current) return;
    stream.markStopping(true);
    try {
      const stopped = await stopAnswer(conversationId);
      stream.finishStopped(stopped);
    } catch (error) {
      stream.markStopping(false);
      // 409: it had already finished; the stream delivers the end.
      if (!(error instanceof ApiError && error.status === 409))
        showToast(`Couldn't stop: ${messageOf(error)}`, "error");
    }
  }, [conversationId, stream.markStopping, stream.finishStopped]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      // Shift+Esc goes to the message box (lib/shortcuts), and stops nothing.
      if (event.key !== "Escape" || event.shiftKey || event.defaultPrevented) return;
      if (busyRef.current) void stop();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [stop]);

  const controls = useMemo<MessageControls>(
    () => ({ regenerate, retry, modelName, renderModelSwitch, edit }),
    [regenerate, retry, modelName, renderModelSwitch, edit],
  );

  const markdownReady = useMarkdownReady();
  const notFound = query.error instanceof ApiError && query.error.status === 404;
  // Stable while an answer streams, so the top bar does not re-render on every chunk.
  const header = useMemo(() => topBar(conversation, busy), [topBar, conversation, busy]);
  const nextModelId = nextMessageModel ?? conversation?.default_model;
  const imagesUnreadableBy = readsImages?.(nextModelId) === false ? modelName(nextModelId) : null;
  const chatHasImages = useMemo(
    () => messages.some((message) => (message.attachments?.length ?? 0) > 0),
    [messages],
  );

  return (
    <ChatLayout
      topBar={header}
      scroller={scroller}
      content={content}
      showJump={!atBottom}
      onJump={scrollToBottom}
      composer={
        <Composer
          // Its own per chat: the draft it starts from and keeps is the chat's.
          key={conversationId}
          ref={composer}
          busy={busy}
          stopping={state.stopping}
          disabled={!conversation}
          onSend={send}
          onStop={stop}
          autoFocus
          draftKey={conversationId}
          imagesUnreadableBy={imagesUnreadableBy}
          chatHasImages={chatHasImages}
        />
      }
    >
      {query.isPending && <ConversationSkeleton />}
      {notFound && (
        <div className="chat__notice" role="alert">
          <p>This chat doesn't exist. It may have been deleted.</p>
          <Link to="/" className="button">
            Start a new chat
          </Link>
        </div>
      )}
      {query.isError && !notFound && !conversation && (
        <div className="chat__notice" role="alert">
          <p>Couldn't load this chat: {messageOf(query.error)}</p>
          <button type="button" className="button" onClick={() => query.refetch()}>
            Try again
          </button>
        </div>
      )}
      {conversation && messages.length === 0 && (
        <EmptyChat onPick={(text) => composer.current?.setText(text)} />
      )}
      {conversation && messages.length > 0 && !markdownReady && <ConversationSkeleton />}
      {conversation && messages.length > 0 && markdownReady && (
        <Suspense fallback={<ConversationSkeleton />}>
          <MessageList
            messages={messages}
            busy={busy}
            liveId={state.phase === "idle" ? null : (state.messageId ?? "pending-answer")}
            connection={state.connection}
            controls={controls}
            scroller={scroller}
            onHoldView={release}
            earlierAnswers={conversation.earlierAnswers}
            earlierBranches={conversation.earlierBranches}
            reveal={reveal}
            onRevealed={revealed}
          />
        </Suspense>
      )}
    </ChatLayout>
  );
}
