"""SqlChatStore: the ChatStore in SQLAlchemy Core, one code path for SQLite and PostgreSQL.

Each method takes a short transaction of its own from the Database: answers outlive the
request that started them, so nothing borrows a request-scoped session. Everything is Core
(no ORM session, no ORM objects): it halves the cost of each call.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import orjson
from sqlalchemy import Table, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from openchat.domain import (
    Attachment,
    Conversation,
    ConversationDraft,
    ConversationPatch,
    Message,
    Page,
    SearchMatch,
    Upload,
    Usage,
)
from openchat.errors import BadRequest, Conflict, NotFound
from openchat.storage.database import Database, DbConnection
from openchat.storage.prepared import prepared
from openchat.storage.search import (
    FORGET_WAITING,
    INDEX_WAITING,
    newest_hits,
    query_words,
    snippet,
)
from openchat.storage.store import AnswerUpdate, Checkpoint, MessageDraft
from openchat.storage.tables import AttachmentRow, ConversationRow, MessageRow

conversations = cast(Table, ConversationRow.__table__)
messages = cast(Table, MessageRow.__table__)
attachments = cast(Table, AttachmentRow.__table__)

CONVERSATION_COLUMNS = (
    conversations.c.id,
    conversations.c.owner_id,
    conversations.c.title,
    conversations.c.default_model,
    conversations.c.system_prompt,
    conversations.c.created_at,
    conversations.c.updated_at,
    conversations.c.temperature,
)
MESSAGE_COLUMNS = (
    messages.c.id,
    messages.c.conversation_id,
    messages.c.role,
    messages.c.content,
    messages.c.model,
    messages.c.status,
    messages.c.created_at,
    messages.c.parent_id,
    messages.c.client_message_id,
    messages.c.reasoning,
    messages.c.error,
    messages.c.error_code,
    messages.c.finish_reason,
    messages.c.prompt_tokens,
    messages.c.completion_tokens,
    messages.c.total_tokens,
    messages.c.cost,
    messages.c.attachments,
)


# The statements of the hot path, built once: on SQLite, building and hashing a statement
# cost more than running it, and prepared (see storage.prepared), executing it as well.
CONVERSATION_BY_ID = prepared(
    select(*CONVERSATION_COLUMNS).where(
        conversations.c.id == bindparam("conversation_id"),
        conversations.c.owner_id == bindparam("owner_id"),
    )
)
MESSAGES_OF = prepared(
    select(*MESSAGE_COLUMNS)
    .where(messages.c.conversation_id == bindparam("conversation_id"))
    .order_by(messages.c.seq)
)
MESSAGE_BY_CLIENT_ID = prepared(
    select(*MESSAGE_COLUMNS).where(
        messages.c.conversation_id == bindparam("conversation_id"),
        messages.c.client_message_id == bindparam("client_message_id"),
    )
)
# A new message's columns; bound as `new_<column>` (a bind may not take a column's own name).
NEW_MESSAGE_COLUMNS = (
    "id",
    "conversation_id",
    "role",
    "content",
    "model",
    "status",
    "created_at",
    "parent_id",
    "client_message_id",
    "alive_at",
    "attachments",
)
INSERT_MESSAGES = prepared(
    insert(messages).values({name: bindparam(f"new_{name}") for name in NEW_MESSAGE_COLUMNS})
)
TOUCH_CONVERSATION = prepared(
    update(conversations)
    .where(conversations.c.id == bindparam("conversation_id"))
    .values(updated_at=bindparam("moment"))
)
TOUCH_AND_TITLE_CONVERSATION = prepared(TOUCH_CONVERSATION.values(title=bindparam("new_title")))
ANSWER_VALUES = (
    "content",
    "reasoning",
    "status",
    "error",
    "error_code",
    "finish_reason",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cost",
)
# The final save returns only the columns it leaves as they were: the rest is the update's
# own values, and reading them back cost more than the UPDATE.
KEPT_BY_FINISH = tuple(column for column in MESSAGE_COLUMNS if column.name not in ANSWER_VALUES)
FINISH_ANSWER = prepared(
    update(messages)
    .where(messages.c.id == bindparam("answer_id"))
    .values({name: bindparam(f"new_{name}") for name in ANSWER_VALUES})
    .returning(*KEPT_BY_FINISH)
)
# Only while still streaming: a late checkpoint never undoes a final state.
CHECKPOINT_ANSWER = prepared(
    update(messages)
    .where(messages.c.id == bindparam("answer_id"), messages.c.status == "streaming")
    .values(
        content=bindparam("new_content"),
        reasoning=bindparam("new_reasoning"),
        alive_at=bindparam("moment"),
    )
)


def now() -> datetime:
    return datetime.now(UTC)


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _conversation(row: Any) -> Conversation:
    return Conversation(
        id=row.id,
        owner_id=row.owner_id,
        title=row.title,
        default_model=row.default_model,
        system_prompt=row.system_prompt,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        temperature=row.temperature,
    )


def _message(row: Any) -> Message:
    has_usage = any(
        value is not None
        for value in (row.prompt_tokens, row.completion_tokens, row.total_tokens, row.cost)
    )
    return Message(
        id=row.id,
        conversation_id=row.conversation_id,
        role=row.role,
        content=row.content,
        model=row.model,
        status=row.status,
        created_at=_utc(row.created_at),
        parent_id=row.parent_id,
        client_message_id=row.client_message_id,
        reasoning=row.reasoning,
        error=row.error,
        error_code=row.error_code,
        finish_reason=row.finish_reason,
        usage=Usage(row.prompt_tokens, row.completion_tokens, row.total_tokens, row.cost)
        if has_usage
        else None,
        attachments=_attachments(row.attachments) if row.attachments else (),
    )


def _attachments(listed: str) -> tuple[Attachment, ...]:
    return tuple(Attachment(**item) for item in orjson.loads(listed))


def _listed(items: tuple[Attachment, ...]) -> str | None:
    """A message's attachments as stored on it (see MessageRow.attachments): each one's fields,
    which `_attachments` reads back."""
    return orjson.dumps(items).decode() if items else None


def encode_cursor(conversation: Conversation) -> str:
    raw = f"{conversation.updated_at.isoformat()}|{conversation.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, conversation_id = raw.split("|", 1)
        if "\x00" in conversation_id:  # PostgreSQL refuses it in text
            raise ValueError("NUL in the cursor")
        return datetime.fromisoformat(moment), conversation_id
    except ValueError as error:
        raise BadRequest("The cursor is not valid; start again without it.") from error


def _finish_parameters(update_: AnswerUpdate) -> dict[str, Any]:
    usage = update_.usage or Usage()
    return {
        "answer_id": update_.message_id,
        "new_content": update_.content,
        "new_reasoning": update_.reasoning or None,
        "new_status": update_.status,
        "new_error": update_.error,
        "new_error_code": update_.error_code,
        "new_finish_reason": update_.finish_reason,
        "new_prompt_tokens": usage.prompt_tokens,
        "new_completion_tokens": usage.completion_tokens,
        "new_total_tokens": usage.total_tokens,
        "new_cost": usage.cost,
    }


class SqlChatStore:
    """The ChatStore over a Database (see storage.database)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def ping(self) -> None:
        async with self._db.connect() as connection:
            await connection.execute(select(1))

    async def create_conversation(self, owner_id: str, draft: ConversationDraft) -> Conversation:
        moment = now()
        conversation = Conversation(
            id=str(uuid.uuid4()),
            owner_id=owner_id,
            title=draft.title,
            default_model=draft.default_model,
            system_prompt=draft.system_prompt,
            created_at=moment,
            updated_at=moment,
            temperature=draft.temperature,
        )
        async with self._db.begin() as connection:
            await connection.execute(
                insert(conversations).values(
                    id=conversation.id,
                    owner_id=owner_id,
                    title=conversation.title,
                    default_model=conversation.default_model,
                    system_prompt=conversation.system_prompt,
                    created_at=moment,
                    updated_at=moment,
                    temperature=conversation.temperature,
                )
            )
        return conversation

    async def get_conversation(self, owner_id: str, conversation_id: str) -> Conversation:
        async with self._db.connect() as connection:
            parameters = {"conversation_id": conversation_id, "owner_id": owner_id}
            row = (await connection.execute(CONVERSATION_BY_ID, parameters)).first()
        if row is None:
            raise NotFound("Conversation not found.")
        return _conversation(row)

    async def list_conversations(
        self, owner_id: str, limit: int, cursor: str | None, query: str | None
    ) -> Page:
        statement = select(*CONVERSATION_COLUMNS).where(conversations.c.owner_id == owner_id)
        words = query_words(query) if query else []
        if words:  # what finished since the last batch is found too
            await self.index_new_messages()
        async with self._db.connect() as connection:
            # The full-text search runs once: its hits select the chats and give the snippets.
            hits_by_chat = await self._hits_by_chat(connection, words) if words else {}
            if query:
                statement = statement.where(
                    or_(
                        func.lower(conversations.c.title).contains(query.lower(), autoescape=True),
                        conversations.c.id.in_(list(hits_by_chat)),
                    )
                )
            if cursor:
                moment, last_id = decode_cursor(cursor)
                statement = statement.where(
                    or_(
                        conversations.c.updated_at < moment,
                        and_(conversations.c.updated_at == moment, conversations.c.id < last_id),
                    )
                )
            statement = statement.order_by(
                conversations.c.updated_at.desc(), conversations.c.id.desc()
            ).limit(limit + 1)
            rows = (await connection.execute(statement)).all()
            items = [_conversation(row) for row in rows[:limit]]
            hits = [hits_by_chat[item.id] for item in items if item.id in hits_by_chat]
            matches = await self._matches(connection, hits, words) if hits else {}
        next_cursor = encode_cursor(items[-1]) if len(rows) > limit else None
        return Page(items=items, next_cursor=next_cursor, matches=matches)

    async def index_new_messages(self, most: int | None = None) -> int:
        if self._db.dialect != "sqlite":  # PostgreSQL's index is kept as rows are written
            return 0
        parameters = {"most": -1 if most is None else most}
        async with self._db.begin() as connection:
            await connection.execute(INDEX_WAITING, parameters)
            return (await connection.execute(FORGET_WAITING, parameters)).rowcount

    async def _hits_by_chat(self, connection: DbConnection, words: list[str]) -> dict[str, int]:
        """The conversations with messages that have the words: each one's newest such message
        (an answer's earlier versions, and what an edit replaced, are older than what did)."""
        return dict((await connection.execute(newest_hits(self._db.dialect, words))).all())

    @staticmethod
    async def _matches(
        connection: DbConnection, hits: list[int], words: list[str]
    ) -> dict[str, SearchMatch]:
        """The messages found (by seq), each with a line of its text around the words."""
        statement = select(
            messages.c.conversation_id, messages.c.id, messages.c.role, messages.c.content
        ).where(messages.c.seq.in_(hits))
        return {
            row.conversation_id: SearchMatch(row.id, row.role, snippet(row.content, words))
            for row in (await connection.execute(statement)).all()
        }

    async def update_conversation(
        self, owner_id: str, conversation_id: str, patch: ConversationPatch
    ) -> Conversation:
        values: dict[str, Any] = {
            name: value
            for name, value in (
                ("title", patch.title),
                ("default_model", patch.default_model),
                ("system_prompt", patch.system_prompt),
            )
            if value is not None
        }
        if patch.temperature is not ...:
            values["temperature"] = patch.temperature
        if not values:  # nothing changes, and the chat keeps its place in the list
            return await self.get_conversation(owner_id, conversation_id)
        values["updated_at"] = now()
        async with self._db.begin() as connection:
            result = await connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id, conversations.c.owner_id == owner_id)
                .values(**values)
            )
            if result.rowcount == 0:
                raise NotFound("Conversation not found.")
        return await self.get_conversation(owner_id, conversation_id)

    async def delete_conversation(self, owner_id: str, conversation_id: str) -> None:
        async with self._db.begin() as connection:
            # Messages go first explicitly, so no database depends on cascade settings.
            owned = select(conversations.c.id).where(
                conversations.c.id == conversation_id, conversations.c.owner_id == owner_id
            )
            if (await connection.execute(owned)).first() is None:
                raise NotFound("Conversation not found.")
            await connection.execute(
                delete(messages).where(messages.c.conversation_id == conversation_id)
            )
            await connection.execute(
                delete(attachments).where(attachments.c.conversation_id == conversation_id)
            )
            await connection.execute(
                delete(conversations).where(conversations.c.id == conversation_id)
            )

    async def list_messages(self, conversation_id: str) -> list[Message]:
        async with self._db.connect() as connection:
            parameters = {"conversation_id": conversation_id}
            rows = (await connection.execute(MESSAGES_OF, parameters)).all()
        return [_message(row) for row in rows]

    async def attachment(self, owner_id: str, attachment_id: str) -> tuple[str, bytes]:
        statement = (
            select(attachments.c.media_type, attachments.c.data)
            .join(conversations, conversations.c.id == attachments.c.conversation_id)
            .where(attachments.c.id == attachment_id, conversations.c.owner_id == owner_id)
        )
        async with self._db.connect() as connection:
            row = (await connection.execute(statement)).first()
        if row is None:
            raise NotFound("Attachment not found.")
        return row.media_type, row.data

    async def attachment_data(self, attachment_ids: Sequence[str]) -> dict[str, bytes]:
        statement = select(attachments.c.id, attachments.c.data).where(
            attachments.c.id.in_(attachment_ids)
        )
        async with self._db.connect() as connection:
            return dict((await connection.execute(statement)).all())

    async def find_by_client_id(
        self, conversation_id: str, client_message_id: str
    ) -> Message | None:
        parameters = {"conversation_id": conversation_id, "client_message_id": client_message_id}
        async with self._db.connect() as connection:
            row = (await connection.execute(MESSAGE_BY_CLIENT_ID, parameters)).first()
        return _message(row) if row is not None else None

    async def add_exchange(
        self,
        conversation_id: str,
        question: MessageDraft,
        answer: MessageDraft,
        title: str | None,
        uploads: Sequence[Upload] = (),
    ) -> tuple[Message, Message]:
        asked = self._new_message(conversation_id, question)
        answering = self._new_message(conversation_id, replace(answer, parent_id=asked.id))
        touch = TOUCH_CONVERSATION if title is None else TOUCH_AND_TITLE_CONVERSATION
        touched = {"conversation_id": conversation_id, "moment": asked.created_at}
        if title is not None:
            touched["new_title"] = title
        try:
            async with self._db.begin() as connection:
                if uploads:
                    await connection.execute(
                        insert(attachments),
                        [
                            {
                                "id": upload.attachment.id,
                                "conversation_id": conversation_id,
                                "media_type": upload.attachment.media_type,
                                "data": upload.data,
                                "created_at": asked.created_at,
                            }
                            for upload in uploads
                        ],
                    )
                await connection.execute(
                    INSERT_MESSAGES, [self._row_values(asked), self._row_values(answering)]
                )
                await connection.execute(touch, touched)
        except IntegrityError as error:
            if not await self._exists(conversation_id):  # deleted meanwhile: not a duplicate
                raise NotFound("Conversation not found.") from error
            raise Conflict("This message was already posted.") from error
        return asked, answering

    async def _exists(self, conversation_id: str) -> bool:
        statement = select(conversations.c.id).where(conversations.c.id == conversation_id)
        async with self._db.connect() as connection:
            return (await connection.execute(statement)).first() is not None

    async def add_answer(self, conversation_id: str, draft: MessageDraft) -> Message:
        message = self._new_message(conversation_id, draft)
        async with self._db.begin() as connection:
            await connection.execute(INSERT_MESSAGES, self._row_values(message))
        return message

    async def checkpoint_answers(self, checkpoints: Sequence[Checkpoint]) -> None:
        if not checkpoints:
            return
        moment = now()
        rows = [
            {
                "answer_id": item.message_id,
                "new_content": item.content,
                "new_reasoning": item.reasoning or None,
                "moment": moment,
            }
            for item in checkpoints
        ]
        async with self._db.begin() as connection:
            await connection.execute(CHECKPOINT_ANSWER, rows)

    async def finish_answer(self, update_: AnswerUpdate) -> Message:
        parameters = _finish_parameters(update_)
        async with self._db.begin() as connection:
            row = (await connection.execute(FINISH_ANSWER, parameters)).first()
        if row is None:  # the conversation was deleted while the answer ran
            raise NotFound("Message not found.")
        written = {name: parameters[f"new_{name}"] for name in ANSWER_VALUES}
        return _message(SimpleNamespace(**row._asdict(), **written))

    async def mark_streaming_interrupted(
        self, stale_before: datetime | None = None, error: str | None = None
    ) -> int:
        statement = update(messages).where(messages.c.status == "streaming")
        if stale_before is not None:  # a row from a server older than alive_at: its creation
            alive = func.coalesce(messages.c.alive_at, messages.c.created_at)
            statement = statement.where(alive < stale_before)
        async with self._db.begin() as connection:
            result = await connection.execute(statement.values(status="interrupted", error=error))
        return int(result.rowcount)

    @staticmethod
    def _new_message(conversation_id: str, draft: MessageDraft) -> Message:
        return Message(
            id=str(uuid.uuid4()),
            conversation_id=conversation_id,
            role=draft.role,
            content=draft.content,
            model=draft.model,
            status=draft.status,
            created_at=now(),
            parent_id=draft.parent_id,
            client_message_id=draft.client_message_id,
            attachments=draft.attachments,
        )

    @staticmethod
    def _row_values(message: Message) -> dict[str, Any]:
        """The parameters of INSERT_MESSAGES for one message; a streaming answer is alive."""
        values = {
            f"new_{name}": getattr(message, name)
            for name in NEW_MESSAGE_COLUMNS
            if name not in ("alive_at", "attachments")  # not as the message holds them
        }
        values["new_alive_at"] = message.created_at if message.status == "streaming" else None
        values["new_attachments"] = _listed(message.attachments)
        return values
