"""The current thread, the history sent upstream, and automatic titles."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openchat.chat.threads import current_thread, history, title_from
from openchat.domain import Message, Turn

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


def test_an_edited_question_takes_its_place_and_what_followed_leaves_the_thread():
    stored = [
        message("u1", "user", "hi"),
        message("a1", "assistant", "hello", "u1"),
        message("u2", "user", "typo"),
        message("a2", "assistant", "?", "u2"),
        message("u3", "user", "later"),
        message("a3", "assistant", "later answer", "u3"),
        message("u2b", "user", "fixed", "u2"),  # u2 edited
        message("a4", "assistant", "answer to the fix", "u2b"),
    ]
    assert ids(current_thread(stored)) == ["u1", "a1", "u2b", "a4"]
    assert ids(current_thread(stored[:7])) == ["u1", "a1", "u2b"]


def test_edits_of_edits_regenerates_after_an_edit_and_an_edit_of_the_first_question():
    stored = [
        message("u1", "user", "one"),
        message("a1", "assistant", "1", "u1"),
        message("u1b", "user", "one, again", "u1"),
        message("a2", "assistant", "2", "u1b"),
        message("a3", "assistant", "3", "u1b"),  # regenerated
        message("u2", "user", "two"),
        message("a4", "assistant", "4", "u2"),
        message("u1c", "user", "one, third time", "u1b"),
    ]
    assert ids(current_thread(stored[:5])) == ["u1b", "a3"]
    assert ids(current_thread(stored[:7])) == ["u1b", "a3", "u2", "a4"]
    assert ids(current_thread(stored)) == ["u1c"]


def test_an_answer_to_a_question_out_of_the_thread_stays_out():
    stored = [
        message("u1", "user", "one"),
        message("u1b", "user", "one, edited", "u1"),
        message("a1", "assistant", "late answer to the first", "u1"),
        message("a2", "assistant", "answer", "u1b"),
    ]
    assert ids(current_thread(stored)) == ["u1b", "a2"]


def test_a_user_message_after_an_answer_it_names_as_parent_follows_it():
    stored = [
        message("u1", "user", "one"),
        message("a1", "assistant", "1", "u1"),
        message("u2", "user", "two", "a1"),
    ]
    assert ids(current_thread(stored)) == ["u1", "a1", "u2"]


REPLAY_CASES = json.loads((Path(__file__).parent / "thread_replay_cases.json").read_text())


@pytest.mark.parametrize("case", REPLAY_CASES["cases"], ids=lambda case: case["name"])
def test_the_replay_cases_the_web_app_shares(case: dict[str, Any]):
    stored = [message(id_, role, f"text of {id_}", parent) for id_, role, parent in case["stored"]]
    assert ids(current_thread(stored)) == case["thread"]
