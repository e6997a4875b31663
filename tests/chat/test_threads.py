"""The current thread, the history sent upstream, and automatic titles."""

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openchat.chat.images import IMAGE_BUDGET_BYTES
from openchat.chat.threads import (
    current_thread,
    history,
    title_from,
    title_of,
    within_image_budget,
)
from openchat.domain import Attachment, Message, Turn

MOMENT = datetime(2026, 1, 1, tzinfo=UTC)


def message(id_: str, role: str, content: str, parent: str | None = None) -> Message:
    return Message(id_, "c", role, content, None, "complete", MOMENT, parent_id=parent)  # type: ignore[arg-type]


def test_current_thread_keeps_the_newest_answer_version():
    stored = [
        message("u1", "user", "hi"),
        message("a1", "assistant", "old", "u1"),
        message("a2", "assistant", "new", "u1"),
        message("u2", "user", "more"),
        message("a3", "assistant", "answer", "u2"),
    ]
    assert [m.id for m in current_thread(stored)] == ["u1", "a2", "u2", "a3"]


def test_history_puts_the_system_prompt_first_and_stops_at_the_question():
    thread = [
        message("u1", "user", "hi"),
        message("a1", "assistant", "hello", "u1"),
        message("u2", "user", "bye"),
    ]
    assert history("Be brief.", thread, thread[2]) == [
        Turn("system", "Be brief."),
        Turn("user", "hi"),
        Turn("assistant", "hello"),
        Turn("user", "bye"),
    ]
    assert history("", thread, thread[0]) == [Turn("user", "hi")]


def test_history_skips_empty_failed_answers():
    thread = [
        message("u1", "user", "hi"),
        message("a1", "assistant", "", "u1"),
        message("u2", "user", "again"),
    ]
    assert [turn.role for turn in history("", thread, thread[2])] == ["user", "user"]


def test_titles():
    assert title_from("  Plan a   trip\nto Rome ") == "Plan a trip to Rome"
    long = title_from("word " * 40)
    assert long.endswith("…") and len(long) <= 61
    assert title_from("   ") == "New chat"


def ids(messages: list[Message]) -> list[str]:
    return [m.id for m in messages]


REPLAY_CASES = json.loads((Path(__file__).parent / "thread_replay_cases.json").read_text())


@pytest.mark.parametrize("case", REPLAY_CASES["cases"], ids=lambda case: case["name"])
def test_the_replay_cases_the_web_app_shares(case: dict[str, Any]):
    stored = [message(id_, role, f"text of {id_}", parent) for id_, role, parent in case["stored"]]
    assert ids(current_thread(stored)) == case["thread"]


def test_a_question_of_images_alone_is_named_after_them_and_sends_them():
    images = (
        Attachment("i1", "beach.jpg", "image/jpeg", 10),
        Attachment("i2", "dune.png", "image/png", 9),
    )
    assert title_of("  ", images) == "beach.jpg dune.png"
    assert title_of("Which is older?", images) == "Which is older?"
    question = Message("u1", "c", "user", "", None, "complete", MOMENT, attachments=images)
    assert history("", [question], question) == [Turn("user", "", images)]


def test_only_the_newest_images_that_fit_one_request_are_sent_the_rest_are_named():
    def image(name: str, size: int) -> Attachment:
        return Attachment(name, name, "image/png", size)

    old, middle, new = image("old.png", 1), image("middle.png", 3), image("new.png", 5)
    turns = [
        Turn("system", "Be brief."),
        Turn("user", "", (old,)),
        Turn("assistant", "An old one."),
        Turn("user", "  Two more", (middle, new)),
    ]
    assert within_image_budget(turns, 9) == turns  # all fit: nothing changes
    assert within_image_budget(turns, 8) == [
        turns[0],
        Turn("user", "[Images no longer attached: old.png]"),
        turns[2],
        turns[3],
    ]
    # Newest first, and none older once one does not fit: old.png would, but is older.
    assert within_image_budget(turns, 7) == [
        turns[0],
        Turn("user", "[Images no longer attached: old.png]"),
        turns[2],
        Turn("user", "  Two more\n\n[Images no longer attached: middle.png]", (new,)),
    ]


def test_the_history_sent_upstream_keeps_to_the_image_budget():
    big = Attachment("a", "big.jpg", "image/jpeg", IMAGE_BUDGET_BYTES // 2 + 1)
    first = Message("u1", "c", "user", "", None, "complete", MOMENT, attachments=(big,))
    again = replace(first, id="u2", attachments=(replace(big, id="b"),))
    answer = message("a1", "assistant", "Seen.", "u1")
    turns = history("", [first, answer, again], again)
    assert turns[0] == Turn("user", "[Images no longer attached: big.jpg]")
    assert turns[2].attachments == again.attachments
