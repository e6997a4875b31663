/** Shapes of the Open Chat HTTP API (see shared/API.md); dates are ISO-8601 strings. */

export type MessageRole = "user" | "assistant" | "system";

export type MessageStatus = "complete" | "streaming" | "cancelled" | "error" | "interrupted";

export interface Usage {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost: number | null;
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
}

export interface Conversation {
  id: string;
  title: string;
  default_model: string;
  system_prompt: string;
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
}

export type ConversationPatch = Partial<
  Pick<Conversation, "title" | "default_model" | "system_prompt">
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
}
