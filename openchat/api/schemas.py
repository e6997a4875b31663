"""Request bodies and response shapes of the HTTP API (the contract of shared API.md)."""

from __future__ import annotations

import binascii
import re
import uuid
from base64 import b64decode
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from openchat.chat.images import MAX_ATTACHMENTS, MAX_IMAGE_BYTES, media_type_of
from openchat.domain import (
    Attachment,
    Conversation,
    Message,
    MessageStatus,
    ModelInfo,
    Role,
    SearchMatch,
    Upload,
    Usage,
)

MAX_MESSAGE_CHARS = 100_000


def _no_nul(text: str) -> str:
    # PostgreSQL cannot store NUL in text; no person types one.
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    return text


NoNul = AfterValidator(_no_nul)
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def _one_line_name(text: str) -> str:
    # A model id is a name (`openai/gpt-4o-mini`, `llama3.1:8b`); it is logged, so a line
    # break in it would write a line of its own.
    if CONTROL_CHARACTER.search(text):
        raise ValueError("a model id must not contain control characters such as line breaks")
    return text


ModelId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_one_line_name),
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul
]
SystemPrompt = Annotated[str, StringConstraints(max_length=20_000), NoNul]
# OpenRouter's range; None leaves it to the model. A number only (not "0.5", not true), and
# never -0.0, which would reach the provider as such.
Temperature = Annotated[
    float | None,
    Field(
        ge=0,
        le=2,
        strict=True,
        description="Sampling temperature, 0 to 2; null: the model's default.",
    ),
    AfterValidator(lambda value: abs(value) if value is not None else None),
]


class ConversationCreate(BaseModel):
    default_model: ModelId | None = None
    title: Title | None = None
    system_prompt: SystemPrompt | None = None
    temperature: Temperature = None


class ConversationUpdate(BaseModel):
    title: Title | None = None
    default_model: ModelId | None = None
    system_prompt: SystemPrompt | None = None
    temperature: Temperature = None  # sent as null: back to the model's default


def _base64_image(data: Any) -> Any:
    """The bytes of a base64 image, judged by its length before it is decoded."""
    if not isinstance(data, str):
        return data  # bytes validation says what is wrong
    if len(data) > MAX_IMAGE_BYTES // 3 * 4 + 4:
        raise ValueError(f"an image must be at most {MAX_IMAGE_BYTES // 1024 // 1024} MiB")
    try:
        decoded = b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("data must be the image's bytes in base64") from None
    if len(decoded) > MAX_IMAGE_BYTES:
        raise ValueError(f"an image must be at most {MAX_IMAGE_BYTES // 1024 // 1024} MiB")
    return decoded


def _one_line(text: str) -> str:
    if CONTROL_CHARACTER.search(text):
        raise ValueError("a name must not contain control characters such as line breaks")
    return text


class NewAttachment(BaseModel):
    """An image sent with the message: its file name, type and bytes (base64)."""

    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
        AfterValidator(_one_line),
    ] = Field(examples=["photo.jpg"])
    media_type: Literal["image/png", "image/jpeg", "image/webp", "image/gif"]
    data: Annotated[bytes, BeforeValidator(_base64_image)] = Field(
        description=f"The image's bytes in base64, at most {MAX_IMAGE_BYTES} once decoded."
    )

    @model_validator(mode="after")
    def _bytes_are_the_type(self) -> Self:
        found = media_type_of(self.data)
        if found != self.media_type:
            raise ValueError(
                f"the bytes are not a {self.media_type[6:].upper()} image"
                + (f" (they are a {found[6:].upper()})" if found else "")
            )
        return self

    def upload(self) -> Upload:
        attachment = Attachment(str(uuid.uuid4()), self.name, self.media_type, len(self.data))
        return Upload(attachment, self.data)


class KeptAttachment(BaseModel):
    """In an edit: an image of the message edited, kept in its new version."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=36)]


def _attachment_kind(value: Any) -> str:
    # An image listed back as a message lists it (id, name, url…) is kept too: it has no data.
    return "kept" if isinstance(value, dict) and "id" in value and "data" not in value else "new"


AttachmentIn = Annotated[
    Annotated[NewAttachment, Tag("new")] | Annotated[KeptAttachment, Tag("kept")],
    Discriminator(_attachment_kind),
]


class MessageCreate(BaseModel):
    message: Annotated[str, Field(max_length=MAX_MESSAGE_CHARS), NoNul]
    model: ModelId | None = None
    client_message_id: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NoNul
        ]
        | None
    ) = None
    attachments: list[AttachmentIn] | None = Field(
        default=None,
        max_length=MAX_ATTACHMENTS,
        description="Images sent with the message (the text may then be empty). In an edit,"
        ' `{"id"}` keeps one of the edited message\'s images; without `attachments`, an edit'
        " keeps them all.",
    )

    def attachments_asked(self) -> list[Upload | str] | None:
        """The attachments as the service takes them: new ones with fresh ids, kept ids."""
        if self.attachments is None:
            return None
        return [
            item.id if isinstance(item, KeptAttachment) else item.upload()
            for item in self.attachments
        ]

    @model_validator(mode="after")
    def _says_something(self) -> Self:
        if not self.message.strip() and not self.attachments:
            raise ValueError("message must not be empty or only whitespace, without an image")
        return self


class RegenerateRequest(BaseModel):
    model: ModelId | None = None


class UsageOut(BaseModel):
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    cost: float | None

    @classmethod
    def from_domain(cls, usage: Usage | None) -> UsageOut | None:
        if usage is None:
            return None
        return cls(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            total_tokens=usage.total_tokens,
            cost=usage.cost,
        )


class AttachmentOut(BaseModel):
    id: str
    name: str
    media_type: str
    size: int
    url: str = Field(description="Where its bytes are served.")

    @classmethod
    def from_domain(cls, attachment: Attachment) -> AttachmentOut:
        return cls(
            id=attachment.id,
            name=attachment.name,
            media_type=attachment.media_type,
            size=attachment.size,
            url=f"/attachments/{attachment.id}",
        )


class MessageOut(BaseModel):
    id: str
    message_id: str = Field(description="Equals `id`; kept for the original clients.")
    role: Literal["user", "assistant", "system"]
    content: str
    model: str | None
    timestamp: datetime
    status: MessageStatus
    error: str | None
    error_code: int | None = Field(description="The upstream status of a failed answer.")
    usage: UsageOut | None
    parent_id: str | None
    reasoning: str | None
    finish_reason: str | None
    attachments: list[AttachmentOut]

    @classmethod
    def from_domain(cls, message: Message) -> MessageOut:
        return cls(
            id=message.id,
            message_id=message.id,
            role=message.role,
            content=message.content,
            model=message.model,
            timestamp=message.created_at,
            status=message.status,
            error=message.error,
            error_code=message.error_code,
            usage=UsageOut.from_domain(message.usage),
            parent_id=message.parent_id,
            reasoning=message.reasoning,
            finish_reason=message.finish_reason,
            attachments=[AttachmentOut.from_domain(item) for item in message.attachments],
        )


class MessageList(BaseModel):
    data: list[MessageOut]


class ConversationOut(BaseModel):
    id: str
    title: str
    default_model: str
    system_prompt: str
    temperature: float | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_domain(cls, conversation: Conversation) -> Self:
        return cls(
            id=conversation.id,
            title=conversation.title,
            default_model=conversation.default_model,
            system_prompt=conversation.system_prompt,
            temperature=conversation.temperature,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
        )


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class SearchMatchOut(BaseModel):
    """Where a searched chat holds the words: its newest such message and a line of it."""

    message_id: str
    role: Role
    snippet: str


class ConversationListItem(ConversationOut):
    # Set only by a search (`q`) that found the chat by a message; None otherwise.
    match: SearchMatchOut | None = None

    @classmethod
    def listed(cls, conversation: Conversation, match: SearchMatch | None) -> ConversationListItem:
        item = cls.from_domain(conversation)
        if match is not None:
            item.match = SearchMatchOut(
                message_id=match.message_id, role=match.role, snippet=match.snippet
            )
        return item


class ConversationPage(BaseModel):
    data: list[ConversationListItem]
    next_cursor: str | None


class PricingOut(BaseModel):
    prompt: str | None
    completion: str | None


class ModelOut(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    id: str
    name: str
    description: str
    context_length: int | None
    pricing: PricingOut | None
    input_modalities: list[str]

    @classmethod
    def from_domain(cls, model: ModelInfo) -> ModelOut:
        pricing = model.pricing
        return cls(
            id=model.id,
            name=model.name,
            description=model.description,
            context_length=model.context_length,
            pricing=PricingOut(prompt=pricing.prompt, completion=pricing.completion)
            if pricing
            else None,
            input_modalities=model.input_modalities,
        )


class ModelList(BaseModel):
    data: list[ModelOut]
    default_model: str = Field(description="The model new conversations use (MODEL_NAME).")


class Health(BaseModel):
    status: Literal["ok", "error"]
    database: Literal["ok", "unavailable"]
    redis: Literal["ok", "unavailable", "unused"]  # "unused": this server shares nothing
    upstream_configured: bool


class ErrorOut(BaseModel):
    detail: str
