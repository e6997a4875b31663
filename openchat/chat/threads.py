"""Pure rules over stored messages: the current thread, the history sent upstream, titles."""

from __future__ import annotations

import re
from collections.abc import Sequence

from openchat.chat.images import IMAGE_BUDGET_BYTES
from openchat.domain import Attachment, Message, Turn

DEFAULT_TITLE = "New chat"
TITLE_LENGTH = 60


def current_thread(messages: Sequence[Message]) -> list[Message]:
    """The thread as the conversation now reads, from every stored message, oldest first.

    Replayed in the order they were stored: an answer follows its question, a newer version
    of it (regenerated) takes its place; a user message whose parent is another user message
    (edited) takes that one's place, and what followed it leaves the thread. Nothing leaves
    storage.
    """
    thread: list[Message] = []
    place: dict[str, int] = {}  # where each message of the thread stands in it
    answer_at: dict[str, int] = {}  # where the answer to each question stands, by question
    for message in messages:
        parent = message.parent_id
        if parent is not None and parent not in place:
            continue  # belongs after a message that has left the thread
        if message.role == "assistant" and parent in answer_at:  # regenerated
            at = answer_at[parent]
            place.pop(thread[at].id)
            thread[at] = message
            place[message.id] = at
            continue
        if message.role == "user" and parent is not None and thread[place[parent]].role == "user":
            cut = place[parent]  # an edited message: the thread goes back to its place
            for dropped in thread[cut:]:
                place.pop(dropped.id)
                if dropped.role == "assistant" and dropped.parent_id is not None:
                    answer_at.pop(dropped.parent_id, None)
            del thread[cut:]
        elif message.role == "assistant" and parent is not None:
            answer_at[parent] = len(thread)
        place[message.id] = len(thread)
        thread.append(message)
    return thread


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
    """The turns sent upstream: the system prompt first, then the thread up to the question,
    with as many of its images as one request carries (see `within_image_budget`)."""
    turns = [Turn("system", system_prompt)] if system_prompt.strip() else []
    for message in thread:
        if message.role == "user" or (message.role == "assistant" and message.content):
            turns.append(Turn(message.role, message.content, message.attachments))
        if message.id == question.id:
            break
    return within_image_budget(turns, IMAGE_BUDGET_BYTES)


def within_image_budget(turns: list[Turn], budget: int) -> list[Turn]:
    """The turns with their newest images up to `budget` bytes; each older one is named in its
    message's text instead. Every answer sends the chat's images again, and a request whose
    images add up past the providers' limits would fail every answer after it."""
    if not any(turn.attachments for turn in turns):
        return turns
    left = budget
    trimmed: list[Turn] = []
    for turn in reversed(turns):
        sent: list[Attachment] = []
        for attachment in reversed(turn.attachments):
            if attachment.size > left:
                left = 0  # the newest only: nothing older goes once one does not fit
                break
            left -= attachment.size
            sent.insert(0, attachment)
        if len(sent) < len(turn.attachments):
            unsent = [item.name for item in turn.attachments[: len(turn.attachments) - len(sent)]]
            note = f"[Images no longer attached: {', '.join(unsent)}]"
            text = f"{turn.content}\n\n{note}" if turn.content else note
            turn = Turn(turn.role, text, tuple(sent))
        trimmed.append(turn)
    return trimmed[::-1]


def title_of(text: str, attachments: Sequence[Attachment]) -> str:
    """The title a chat takes from its first question: its text, else its images' names."""
    return title_from(text if text.strip() else " ".join(item.name for item in attachments))


def title_from(text: str) -> str:
    """A short title from the first message: its first words, cut at a word boundary."""
    words = re.sub(r"\s+", " ", text).strip()
    if len(words) <= TITLE_LENGTH:
        return words or DEFAULT_TITLE
    cut = words[:TITLE_LENGTH].rsplit(" ", 1)[0] or words[:TITLE_LENGTH]
    return cut.rstrip(" ,.;:") + "…"
