/** A new chat: the first message creates the conversation, then the page moves to /c/{id}. */
import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, Suspense, useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "@/api/client";
import {
  createConversation,
  deleteConversation,
  getConversation,
  sendMessage,
} from "@/api/endpoints";
import { queryKeys } from "@/api/query-keys";
import type { ConversationDetail, Message } from "@/api/types";
import { showToast } from "@/components/toast";
import { ChatLayout } from "@/features/chat/chat-layout";
import { Composer, type ComposerHandle } from "@/features/chat/composer";
import { NEW_CHAT_DRAFT } from "@/features/chat/drafts";
import type { MessageControls } from "@/features/chat/message-item";
import { MessageList } from "@/features/chat/message-list";
import {
  attachmentsOf,
  localAttachment,
  type PreparedImage,
  revokePreviews,
} from "@/features/chat/prepare-image";
import { EmptyChat } from "@/features/chat/suggestions";
import { randomId } from "@/lib/random-id";

interface NewChatViewProps {
  topBar: ReactNode;
  /** The model picked for the new chat (null: the server's default). */
  model: string | null;
  systemPrompt: string;
  /** The new chat's temperature; null: the model's own. */
  temperature?: number | null;
  modelName: MessageControls["modelName"];
  /** Whether a model reads images (null: not known). */
  readsImages?: (id: string | null | undefined) => boolean | null;
  /** Called once the conversation exists, before moving to it. */
  onCreated?: (id: string) => void;
}

const noop = () => undefined;

export function NewChatView({
  topBar,
  model,
  systemPrompt,
  temperature = null,
  modelName,
  readsImages,
  onCreated,
}: NewChatViewProps) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const composer = useRef<ComposerHandle>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const [pending, setPending] = useState<Message[] | null>(null);
  const controls: MessageControls = { regenerate: noop, retry: noop, modelName };
  // The previews the page's copy of the message shows, until the page moves to the chat.
  const previews = useRef<readonly PreparedImage[]>([]);
  useEffect(() => () => revokePreviews(previews.current), []);

  const send = async (text: string, images: readonly PreparedImage[]) => {
    previews.current = images;
    const now = new Date().toISOString();
    const clientId = randomId();
    const local = (id: string, role: Message["role"], status: Message["status"]): Message => ({
      id,
      message_id: id,
      role,
      content: role === "user" ? text : "",
      model,
      timestamp: now,
      status,
      error: null,
      usage: null,
      attachments: role === "user" ? images.map(localAttachment) : [],
    });
    setPending([
      local(`local-${clientId}`, "user", "complete"),
      local("pending-answer", "assistant", "streaming"),
    ]);

    let createdId: string | null = null;
    try {
      const conversation = await createConversation({
        ...(model ? { default_model: model } : {}),
        ...(systemPrompt.trim() ? { system_prompt: systemPrompt } : {}),
        ...(temperature !== null ? { temperature } : {}),
      });
      createdId = conversation.id;
      const saved = await sendMessage(conversation.id, {
        message: text,
        model: conversation.default_model,
        client_message_id: clientId,
        ...attachmentsOf(images),
      });
      // The server names the chat after its first message; fetch that (and the answer's
      // message, if it exists yet) so the page opens with both.
      const fresh = await getConversation(conversation.id).catch(() => null);
      const detail: ConversationDetail = fresh?.messages.length
        ? fresh
        : { ...conversation, ...fresh, messages: [saved] };
      client.setQueryData(queryKeys.conversation(conversation.id), detail);
      void client.invalidateQueries({ queryKey: queryKeys.conversationLists });
      onCreated?.(conversation.id);
      navigate(`/c/${encodeURIComponent(conversation.id)}`);
    } catch (error) {
      setPending(null);
      previews.current = [];
      if (composer.current) composer.current.restore(text, images);
      else revokePreviews(images);
      if (createdId) void deleteConversation(createdId).catch(noop);
      const detail = error instanceof ApiError ? error.detail : "Something went wrong.";
      showToast(`Couldn't start the chat: ${detail}`, "error");
    }
  };

  return (
    <ChatLayout
      topBar={topBar}
      scroller={scroller}
      content={content}
      showJump={false}
      onJump={noop}
      composer={
        <Composer
          ref={composer}
          busy={pending !== null}
          stopping
          onSend={send}
          onStop={noop}
          autoFocus
          draftKey={NEW_CHAT_DRAFT}
          imagesUnreadableBy={readsImages?.(model) === false ? modelName(model) : null}
        />
      }
    >
      {pending ? (
        <Suspense fallback={null}>
          <MessageList
            messages={pending}
            busy
            liveId="pending-answer"
            connection="connecting"
            controls={controls}
            scroller={scroller}
          />
        </Suspense>
      ) : (
        <EmptyChat onPick={(text) => composer.current?.setText(text)} />
      )}
    </ChatLayout>
  );
}
