"""Plain records passed between the layers: conversations, messages, usage, models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import EllipsisType
from typing import Literal

MessageStatus = Literal["complete", "streaming", "cancelled", "error", "interrupted"]
Role = Literal["user", "assistant", "system"]
LOCAL_OWNER = "local"


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cost: float | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    owner_id: str
    title: str
    default_model: str
    system_prompt: str
    created_at: datetime
    updated_at: datetime
    temperature: float | None = None  # None: the model's own default


@dataclass(frozen=True, slots=True)
class Attachment:
    """An image sent with a message: what is listed of it (its bytes are read apart)."""

    id: str
    name: str
    media_type: str
    size: int


@dataclass(frozen=True, slots=True)
class Upload:
    """A new attachment and its bytes, stored with the message that carries it."""

    attachment: Attachment
    data: bytes


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    conversation_id: str
    role: Role
    content: str
    model: str | None
    status: MessageStatus
    created_at: datetime
    parent_id: str | None = None
    client_message_id: str | None = None
    reasoning: str | None = None
    error: str | None = None
    error_code: int | None = None
    finish_reason: str | None = None
    usage: Usage | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class ConversationDraft:
    title: str
    default_model: str
    system_prompt: str = ""
    temperature: float | None = None


@dataclass(frozen=True, slots=True)
class ConversationPatch:
    """What changes; None (and `...` for the temperature, which None resets) leaves it."""

    title: str | None = None
    default_model: str | None = None
    system_prompt: str | None = None
    temperature: float | EllipsisType | None = ...


@dataclass(frozen=True, slots=True)
class SearchMatch:
    """The newest message of a conversation that holds a search's words, and a line of it."""

    message_id: str
    role: Role
    snippet: str


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Conversation]
    next_cursor: str | None
    # For a search: each listed conversation's newest matching message (none for a title only).
    matches: dict[str, SearchMatch] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Pricing:
    prompt: str | None = None
    completion: str | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    name: str
    description: str = ""
    context_length: int | None = None
    pricing: Pricing | None = None
    input_modalities: list[str] = field(default_factory=lambda: ["text"])


@dataclass(frozen=True, slots=True)
class Sampling:
    """How an answer is sampled, from its conversation's settings; None: the model's default."""

    temperature: float | None = None


MODEL_DEFAULTS = Sampling()


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the history sent upstream."""

    role: Role
    content: str
    attachments: tuple[Attachment, ...] = ()
    # The attachments' bytes, in their order, once read for the request (AnswerWriter).
    images: tuple[bytes, ...] = ()
