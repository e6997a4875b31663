"""Pure rules over stored messages: the current thread, the history sent upstream, titles."""

from __future__ import annotations

import re
from collections.abc import Sequence

from openchat.domain import Message, Turn

DEFAULT_TITLE = "New chat"
TITLE_LENGTH = 60


def current_thread(messages: Sequence[Message]) -> list[Message]:
    """Every user message with the newest version of its answer, oldest first."""
    newest_answer: dict[str | None, str] = {}
    for message in messages:
        if message.role == "assistant":
            newest_answer[message.parent_id] = message.id
    return [
        message
        for message in messages
        if message.role != "assistant" or newest_answer.get(message.parent_id) == message.id
    ]


def latest_user_message(thread: Sequence[Message]) -> Message | None:
    return next((message for message in reversed(thread) if message.role == "user"), None)


def answer_to(thread: Sequence[Message], question: Message) -> Message | None:
    return next(
        (
            message
            for message in reversed(thread)
            if message.role == "assistant" and message.parent_id == question.id
        ),
        None,
    )


def history(system_prompt: str, thread: Sequence[Message], question: Message) -> list[Turn]:
    """The turns sent upstream: the system prompt first, then the thread up to the question."""
    turns = [Turn("system", system_prompt)] if system_prompt.strip() else []
    for message in thread:
        if message.role == "user" or (message.role == "assistant" and message.content):
            turns.append(Turn(message.role, message.content))
        if message.id == question.id:
            break
    return turns


def title_from(text: str) -> str:
    """A short title from the first message: its first words, cut at a word boundary."""
    words = re.sub(r"\s+", " ", text).strip()
    if len(words) <= TITLE_LENGTH:
        return words or DEFAULT_TITLE
    cut = words[:TITLE_LENGTH].rsplit(" ", 1)[0] or words[:TITLE_LENGTH]
    return cut.rstrip(" ,.;:") + "…"
