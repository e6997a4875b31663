/** Shapes of the Open Chat HTTP API (see shared/API.md); dates are ISO-8601 strings. */

export type MessageRole = "user" | "assistant" | "system";

export type MessageStatus = "complete" | "streaming" | "cancelled" | "error" | "interrupted";

export interface Usage {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost: number | null;
}

/** The image formats a message can carry (the server checks the bytes' signature too). */
export type ImageMediaType = "image/png" | "image/jpeg" | "image/webp" | "image/gif";

/** An image stored with a message; `url` serves its bytes, which never change. */
export interface Attachment {
  id: string;
  name: string;
  media_type: string;
  /** In bytes. */
  size: number;
  url: string;
}

/** An image sent with a message: its bytes in standard base64, without a `data:` prefix. */
export interface AttachmentUpload {
  name: string;
  media_type: ImageMediaType;
  data: string;
}

/** In an edit: an image of the edited message that its new version keeps. */
export interface KeptAttachment {
  id: string;
}

export interface Message {
  id: string;
  message_id: string;
  role: MessageRole;
  content: string;
  model: string | null;
  timestamp: string;
  status: MessageStatus;
  error: string | null;
  error_code?: number | null;
  usage: Usage | null;
  parent_id?: string | null;
  reasoning?: string | null;
  finish_reason?: string | null;
  /** The images sent with the message (absent from the page's own copy of an answer). */
  attachments?: Attachment[];
}

export interface Conversation {
  id: string;
  title: string;
  default_model: string;
  system_prompt: string;
  /** The temperature its answers are sampled at; null: the model's own default. */
  temperature?: number | null;
  created_at: string;
  updated_at: string;
}

export interface ConversationDetail extends Conversation {
  messages: Message[];
}

/** Where a searched chat has the words: its first such message, and a line of its text. */
export interface SearchMatch {
  message_id: string;
  role: MessageRole;
  snippet: string;
}

/** A chat as listed; a search (`q`) adds its match (null when only the title matched). */
export interface ListedConversation extends Conversation {
  match?: SearchMatch | null;
}

export interface ConversationPage {
  data: ListedConversation[];
  next_cursor: string | null;
}

export interface ConversationDraft {
  title?: string;
  default_model?: string;
  system_prompt?: string;
  temperature?: number | null;
}

export type ConversationPatch = Partial<
  Pick<Conversation, "title" | "default_model" | "system_prompt" | "temperature">
>;

export interface ModelPricing {
  prompt: string | null;
  completion: string | null;
}

export interface Model {
  id: string;
  name: string;
  description: string;
  context_length: number | null;
  pricing: ModelPricing | null;
  input_modalities: string[];
}

export interface ModelList {
  data: Model[];
  /** The model a conversation gets when none is named (the server's MODEL_NAME). */
  default_model?: string;
}

export interface Health {
  status: string;
  database: string;
  redis: "ok" | "unavailable" | "unused";
  upstream_configured: boolean;
}

export interface SendMessageBody {
  message: string;
  model?: string;
  client_message_id?: string;
  /** The message's images; on an edit, `{id}` keeps one of the edited message's, and
   * absent keeps them all. */
  attachments?: (AttachmentUpload | KeptAttachment)[];
}
