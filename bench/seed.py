"""Fills a migrated SQLite database with many conversations and messages, fast.

Rows go in through SQLAlchemy Core executemany on the storage layer's own
tables, so the stored formats (timestamps, ids) are exactly the server's,
without going through the HTTP API. One conversation gets exactly
`big_messages` messages, for the "open a large conversation" figure.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select

from openchat.domain import LOCAL_OWNER
from openchat.storage.search import FORGET_WAITING, INDEX_WAITING
from openchat.storage.tables import ConversationRow, MessageRow

MODEL = "openai/gpt-4o-mini"
_BATCH = 5_000
_VOCABULARY = (
    "the sea wind harbour tide sailor lighthouse island current storm calm north south "
    "chart compass anchor rope deck wave salt shore reef boat journey"
)
_WORDS = _VOCABULARY.split()


@dataclass(frozen=True)
class SeedResult:
    conversations: int
    messages: int
    big_conversation_id: str


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def _pairs_per_conversation(conversations: int, messages: int, big_messages: int) -> list[int]:
    """Question-and-answer pairs for each conversation; index 0 is the large one."""
    if big_messages % 2 or (messages - big_messages) % 2:
        raise ValueError("message counts must be even (questions and answers)")
    rest_pairs, others = (messages - big_messages) // 2, conversations - 1
    if others < 1 or rest_pairs < others:
        raise ValueError("need at least one question and answer in every conversation")
    return [big_messages // 2] + [
        rest_pairs // others + (i < rest_pairs % others) for i in range(others)
    ]


def _rows(
    conversations: int, messages: int, big_messages: int, seed: int
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Yield each conversation row with its message rows, oldest conversation first."""
    rng = random.Random(seed)
    pairs = _pairs_per_conversation(conversations, messages, big_messages)
    big_position = conversations // 3  # neither the newest nor the oldest
    pairs.insert(big_position, pairs.pop(0))
    clock = datetime.now(UTC) - timedelta(days=365)
    step = timedelta(days=360) / conversations
    for count in pairs:
        conversation_id = str(uuid.uuid4())
        started = clock
        thread: list[dict[str, Any]] = []
        parent: str | None = None
        for turn in range(count):
            moment = started + timedelta(seconds=20 * turn)
            question_id, answer_id = str(uuid.uuid4()), str(uuid.uuid4())
            thread.append(
                _message(question_id, conversation_id, parent, "user", moment, _text(rng, 18))
            )
            answer = _message(
                answer_id,
                conversation_id,
                question_id,
                "assistant",
                moment + timedelta(seconds=5),
                _text(rng, 120),
            )
            answer.update(
                model=MODEL,
                finish_reason="stop",
                prompt_tokens=40,
                completion_tokens=160,
                total_tokens=200,
            )
            thread.append(answer)
            parent = answer_id
        updated = thread[-1]["created_at"]
        yield (
            {
                "id": conversation_id,
                "owner_id": LOCAL_OWNER,
                "title": _text(rng, 4)[:60],
                "default_model": MODEL,
                "system_prompt": "",
                "created_at": started,
                "updated_at": updated,
            },
            thread,
        )
        clock += step


def _message(
    message_id: str,
    conversation_id: str,
    parent: str | None,
    role: str,
    moment: datetime,
    content: str,
) -> dict[str, Any]:
    return {
        "id": message_id,
        "conversation_id": conversation_id,
        "parent_id": parent,
        "role": role,
        "content": content,
        "reasoning": None,
        "model": None,
        "status": "complete",
        "error": None,
        "error_code": None,
        "finish_reason": None,
        "prompt_tokens": None,
        "completion_tokens": None,
        "total_tokens": None,
        "cost": None,
        "client_message_id": None,
        "created_at": moment,
    }


def seed_database(
    path: Path, conversations: int, messages: int, big_messages: int = 500, seed: int = 7
) -> SeedResult:
    """Insert the rows into the (already migrated) SQLite file at `path`."""
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _fast_pragmas)
    big_id = ""
    big_position = conversations // 3
    try:
        with engine.begin() as connection:
            conversation_batch: list[dict[str, Any]] = []
            message_batch: list[dict[str, Any]] = []
            for index, (conversation, thread) in enumerate(
                _rows(conversations, messages, big_messages, seed)
            ):
                if index == big_position:
                    big_id = conversation["id"]
                conversation_batch.append(conversation)
                message_batch.extend(thread)
                if len(message_batch) >= _BATCH:
                    connection.execute(insert(ConversationRow), conversation_batch)
                    connection.execute(insert(MessageRow), message_batch)
                    conversation_batch, message_batch = [], []
            if conversation_batch:
                connection.execute(insert(ConversationRow), conversation_batch)
                connection.execute(insert(MessageRow), message_batch)
            # What the server would index over the next minutes, as a migration would at once.
            connection.execute(INDEX_WAITING, {"most": -1})
            connection.execute(FORGET_WAITING, {"most": -1})
        with engine.connect() as connection:
            stored_conversations = (
                connection.scalar(select(func.count()).select_from(ConversationRow)) or 0
            )
            stored_messages = connection.scalar(select(func.count()).select_from(MessageRow)) or 0
            big_count = connection.scalar(
                select(func.count())
                .select_from(MessageRow)
                .where(MessageRow.conversation_id == big_id)
            )
    finally:
        engine.dispose()
    if big_count != big_messages:
        raise RuntimeError(f"the large conversation has {big_count} messages, not {big_messages}")
    return SeedResult(stored_conversations, stored_messages, big_id)


def _fast_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # what the server uses; leaves no rollback journal
    cursor.execute("PRAGMA synchronous=OFF")  # a seeding crash just means seeding again
    cursor.close()
