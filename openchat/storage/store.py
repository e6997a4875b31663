"""The ChatStore protocol: what the service needs from persistence, nothing more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from openchat.domain import (
    Attachment,
    Conversation,
    ConversationDraft,
    ConversationPatch,
    Message,
    MessageStatus,
    Page,
    Role,
    Upload,
    Usage,
)


@dataclass(frozen=True, slots=True)
class MessageDraft:
    role: Role
    content: str
    model: str | None = None
    status: MessageStatus = "complete"
    parent_id: str | None = None
    client_message_id: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class AnswerUpdate:
    """The final state of an answer."""

    message_id: str
    content: str
    reasoning: str | None
    status: MessageStatus
    error: str | None = None
    error_code: int | None = None
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The text so far of an answer that is still streaming."""

    message_id: str
    content: str
    reasoning: str | None


class ChatStore(Protocol):
    async def ping(self) -> None:
        """Raise when the database cannot be reached."""

    async def create_conversation(self, owner_id: str, draft: ConversationDraft) -> Conversation:
        """Store a new conversation."""

    async def get_conversation(self, owner_id: str, conversation_id: str) -> Conversation:
        """Return the conversation or raise NotFound."""

    async def list_conversations(
        self, owner_id: str, limit: int, cursor: str | None, query: str | None
    ) -> Page:
        """A page of conversations, most recently updated first; with a query, those whose
        title has it or with a finished message that has its words (and where: `matches`)."""

    async def index_new_messages(self, most: int | None = None) -> int:
        """Add the messages finished since the last call to the search index, at most `most`
        (None: all); return how many. Where the database indexes as it writes, nothing."""

    async def update_conversation(
        self, owner_id: str, conversation_id: str, patch: ConversationPatch
    ) -> Conversation:
        """Apply the patch's set fields; raise NotFound."""

    async def delete_conversation(self, owner_id: str, conversation_id: str) -> None:
        """Delete the conversation and its messages; raise NotFound."""

    async def list_messages(self, conversation_id: str) -> list[Message]:
        """Every stored message of a conversation, oldest first, all versions."""

    async def attachment(self, owner_id: str, attachment_id: str) -> tuple[str, bytes]:
        """An attachment's media type and bytes; raise NotFound."""

    async def attachment_data(self, attachment_ids: Sequence[str]) -> dict[str, bytes]:
        """The bytes of the attachments found, by id."""

    async def find_by_client_id(
        self, conversation_id: str, client_message_id: str
    ) -> Message | None:
        """The message posted earlier with that client id, if any."""

    async def add_exchange(
        self,
        conversation_id: str,
        question: MessageDraft,
        answer: MessageDraft,
        title: str | None,
        uploads: Sequence[Upload] = (),
    ) -> tuple[Message, Message]:
        """Store a user message (with the bytes of its new attachments) and the row of its
        answer (streaming) in one transaction, touch the conversation and set its title when
        given.

        Raises Conflict when the client id was already used (a concurrent retry).
        """

    async def add_answer(self, conversation_id: str, draft: MessageDraft) -> Message:
        """Create the row of an answer that starts streaming."""

    async def checkpoint_answers(self, checkpoints: Sequence[Checkpoint]) -> None:
        """Save the text so far of streaming answers, all in one transaction, and note that
        their server is still writing them (see mark_streaming_interrupted)."""

    async def finish_answer(self, update: AnswerUpdate) -> Message:
        """Write an answer's final state and return it."""

    async def mark_streaming_interrupted(
        self, stale_before: datetime | None = None, error: str | None = None
    ) -> int:
        """Answers a crashed server left `streaming` become `interrupted`, with `error` to
        say why: every one (None, for a database only this process uses), or those whose last
        checkpoint is older than `stale_before` (for a database several servers share).
        Returns how many."""
