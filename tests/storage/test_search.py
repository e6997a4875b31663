"""Searching chats by their messages' words, on the real database (SQLite here; PostgreSQL when
DATABASE_URL says so): what matches, what does not yet, what is forgotten, and the snippet."""

from __future__ import annotations

import random

import pytest

from openchat.domain import ConversationDraft, ConversationPatch
from openchat.storage.search import query_words, snippet
from openchat.storage.sql import SqlChatStore
from openchat.storage.store import AnswerUpdate, Checkpoint, MessageDraft

OWNER = "me"


async def _new_chat(store: SqlChatStore, title: str = "t", owner: str = OWNER) -> str:
    return (await store.create_conversation(owner, ConversationDraft(title, "m"))).id


async def _ask(store: SqlChatStore, chat: str, question: str) -> str:
    """Store a question and its answer's row, still streaming; returns the answer's id."""
    asked = MessageDraft(role="user", content=question)
    answering = MessageDraft(role="assistant", content="", status="streaming")
    return (await store.add_exchange(chat, asked, answering, None))[1].id


async def _chat(store: SqlChatStore, title: str, question: str, answer: str) -> tuple[str, str]:
    """A chat with one finished exchange; returns its id and the answer's."""
    chat = await _new_chat(store, title)
    answer_id = await _ask(store, chat, question)
    await store.finish_answer(AnswerUpdate(answer_id, answer, None, "complete"))
    return chat, answer_id


async def _found(store: SqlChatStore, query: str) -> dict[str, str | None]:
    """Each chat the search lists, with the snippet of its match (None: the title matched)."""
    page = await store.list_conversations(OWNER, 50, None, query)
    return {
        item.id: (page.matches[item.id].snippet if item.id in page.matches else None)
        for item in page.items
    }


async def test_a_chat_is_found_by_the_words_of_its_messages(store: SqlChatStore):
    tides, tides_answer = await _chat(
        store, "Ocean", "Why are there tides?", "The Moon's pull raises the SEA twice a day."
    )
    baking, _ = await _chat(store, "Bread", "How long to knead dough?", "About ten minutes.")

    assert await _found(store, "moon") == {tides: "The Moon's pull raises the SEA twice a day."}
    assert await _found(store, "tide") == {tides: "Why are there tides?"}  # the start of a word
    assert await _found(store, "sea pull") == {tides: "The Moon's pull raises the SEA twice a day."}
    assert await _found(store, "sea dough") == {}  # every word, in one message
    assert await _found(store, "oon") == {}  # not inside a word
    assert list(await _found(store, "knead")) == [baking]
    page = await store.list_conversations(OWNER, 50, None, "moon")
    match = page.matches[tides]
    assert (match.message_id, match.role) == (tides_answer, "assistant")


async def test_a_short_word_matches_only_whole_words(store: SqlChatStore):
    chat, _ = await _chat(store, "t", "Is a kiwi an apple?", "No: an apple is a pome.")
    assert await _found(store, "a kiwi") == {chat: "Is a kiwi an apple?"}
    assert await _found(store, "ap") == {}  # not the start of "apple"
    assert await _found(store, "app") == {chat: "No: an apple is a pome."}
    assert await _found(store, "po") == {}


async def test_a_short_word_of_a_script_without_spaces_is_still_a_prefix(store: SqlChatStore):
    chat, _ = await _chat(store, "t", "東京タワーに行きました", "ok")
    assert await _found(store, "東京") == {chat: "東京タワーに行きました"}


async def test_words_with_marks_in_any_script_are_found_whole(store: SqlChatStore):
    chat, _ = await _chat(store, "t", "हिन्दी भाषा सीखना", "ठीक है")
    await _chat(store, "t", "हवा", "ok")  # begins with the letter before the first vowel sign
    assert await _found(store, "हिन्दी") == {chat: "हिन्दी भाषा सीखना"}
    assert await _found(store, "भाषा") == {chat: "हिन्दी भाषा सीखना"}


async def test_an_answer_too_long_for_the_index_is_saved_and_found_by_its_start(
    store: SqlChatStore,
):
    """PostgreSQL refuses a tsvector over 1 MB; the index reads the first 100,000 characters."""
    huge = " ".join(f"w{n:x}" for n in range(250_000))  # 1.9 MB of distinct words
    chat, answer = await _chat(store, "t", "Say everything", "")
    await store.finish_answer(AnswerUpdate(answer, f"zebra {huge}", None, "complete"))
    page = await store.list_conversations(OWNER, 10, None, "zebra")
    assert [item.id for item in page.items] == [chat]
    assert page.matches[chat].snippet.startswith("zebra w0 w1 w2")


async def test_the_title_still_matches_anywhere_in_it(store: SqlChatStore):
    chat, _ = await _chat(store, "Weekend plans", "Any ideas?", "A walk.")
    assert await _found(store, "end pl") == {chat: None}  # inside the title, no message matched
    assert await _found(store, "walk") == {chat: "A walk."}


async def test_a_chat_matched_by_title_and_message_shows_the_message(store: SqlChatStore):
    chat, _ = await _chat(store, "Tea", "Green tea or black?", "Green tea has less caffeine.")
    assert await _found(store, "tea") == {chat: "Green tea has less caffeine."}  # the newest


async def test_a_streaming_answer_is_found_once_it_is_finished(store: SqlChatStore):
    chat = await _new_chat(store)
    answer = await _ask(store, chat, "Tell me a story")
    await store.checkpoint_answers([Checkpoint(answer, "Once upon a lighthouse", None)])
    assert await _found(store, "lighthouse") == {}

    await store.finish_answer(
        AnswerUpdate(answer, "Once upon a lighthouse keeper…", None, "complete")
    )
    assert await _found(store, "lighthouse") == {chat: "Once upon a lighthouse keeper…"}
    assert await _found(store, "keeper") == {chat: "Once upon a lighthouse keeper…"}


async def test_an_interrupted_answer_is_found_by_what_it_kept(store: SqlChatStore):
    chat = await _new_chat(store)
    answer = await _ask(store, chat, "Go on")
    await store.checkpoint_answers([Checkpoint(answer, "Half an albatross", None)])
    assert await store.mark_streaming_interrupted() == 1
    assert await _found(store, "albatross") == {chat: "Half an albatross"}


async def test_a_deleted_chat_and_a_replaced_text_are_forgotten(store: SqlChatStore):
    chat, answer = await _chat(store, "t", "Name a planet", "Jupiter is the largest.")
    await store.finish_answer(AnswerUpdate(answer, "Saturn has rings.", None, "complete"))
    assert await _found(store, "jupiter") == {}
    assert await _found(store, "saturn") == {chat: "Saturn has rings."}

    await store.delete_conversation(OWNER, chat)
    assert await _found(store, "saturn") == {}
    assert await _found(store, "planet") == {}


async def test_search_keeps_to_the_owner_and_pages_newest_first(store: SqlChatStore):
    await _ask(store, await _new_chat(store, owner="someone else"), "quokka")
    ids = [(await _chat(store, f"chat {n}", f"quokka number {n}", "ok"))[0] for n in range(5)]
    # Renaming one moves it to the top, as any change does.
    await store.update_conversation(OWNER, ids[1], ConversationPatch(title="renamed"))
    expected = [ids[1], ids[4], ids[3], ids[2], ids[0]]
    seen: list[str] = []
    cursor = None
    while True:
        page = await store.list_conversations(OWNER, 2, cursor, "QUOKKA")
        seen += [item.id for item in page.items]
        assert set(page.matches) == {item.id for item in page.items}
        if (cursor := page.next_cursor) is None:
            break
    assert seen == expected


@pytest.mark.parametrize(
    "query",
    [
        *('"', "'", "*", "NEAR(a b)", "a OR b", "a AND NOT b", "-a", "col:a", "^a", "a:*"),
        *("!", "\\", "x\u0301", "Ⅻ½١٢٣𝔘", "\uff41\uff42", "a\u200db", "\U0001f600 a"),
    ],
)
async def test_any_query_is_taken_as_words_never_as_syntax(store: SqlChatStore, query: str):
    chat, _ = await _chat(store, "t", "a b col", "ok")
    found = await _found(store, query)  # never an error from either database's syntax
    words = query_words(query)
    assert (chat in found) == (bool(words) and all(word in {"a", "b", "col"} for word in words))


def test_query_words_are_letters_and_digits_lower_cased_at_most_eight():
    assert query_words("Tides, TIDES and the-Moon's pull_2!") == [
        "tides", "and", "the", "moon", "s", "pull", "2",
    ]  # fmt: skip
    assert query_words("¿Qué tal? Привет 東京") == ["qué", "tal", "привет", "東京"]
    assert query_words("हिन्दी भाषा") == ["हिन्दी", "भाषा"]  # vowel signs stay in their word
    assert query_words(" ".join(f"w{n}" for n in range(20))) == [f"w{n}" for n in range(8)]
    assert query_words("*** ---") == []


def test_a_snippet_is_one_line_around_the_first_match_cut_at_spaces():
    text = ("lorem ipsum " * 20) + "the\n\nkeyword   here " + ("dolor sit " * 30)
    line = snippet(text, ["keyword"])
    assert "\n" not in line and "  " not in line
    assert line.startswith("…") and line.endswith("…")
    assert "the keyword here" in line
    body = line.strip("…")
    assert body.index("keyword") <= 40 and len(body) <= 160
    assert body.split()[0] in {"lorem", "ipsum"}  # whole words only
    assert snippet("Short text.", ["short"]) == "Short text."
    assert snippet("No match at all", ["zebra"]) == "No match at all"
    assert snippet("Mid-word: apple pineapple", ["apple"]) == "Mid-word: apple pineapple"


def test_a_snippet_of_a_long_text_is_cut_from_around_its_match():
    text = "[x](" * 25_000 + " the needle here " + "[a](b" * 20_000
    line = snippet(text, ["needle"])
    assert line.startswith("…") and line.endswith("…")
    assert "the needle here" in line and len(line) <= 162


def test_a_snippet_drops_markdown_marks_but_keeps_the_words():
    markdown = "## Plan\n\n- Use **SQLite** and `WAL`\n> a [quiet](https://x.test/a) ~~loud~~ one\n"
    assert snippet(markdown, ["sqlite"]) == "Plan Use SQLite and WAL a quiet loud one"
    assert snippet("2 * 3 * 4 = 24, snake_case", ["snake"]) == "2 * 3 * 4 = 24, snake_case"


async def test_finished_messages_wait_for_a_batch_and_a_search_indexes_them_first(
    store: SqlChatStore,
):
    for n in range(5):
        await _chat(store, f"chat {n}", f"walrus {n}", "ok")
    sqlite = store._db.dialect == "sqlite"
    assert await store.index_new_messages(3) == (3 if sqlite else 0)
    assert len(await _found(store, "walrus")) == 5  # the rest indexed before searching
    assert await store.index_new_messages() == 0  # nothing left waiting


VOCABULARY = ("amber", "basil", "cedar", "delta", "ember", "fjord")


async def test_the_index_always_agrees_with_the_messages(store: SqlChatStore):
    """Random writes (new messages, checkpoints, finishes, interruptions, deletions), indexed
    in random batches or not at all: each search finds exactly the chats whose finished
    messages have the word, and the snippet comes from the newest such message."""
    rng = random.Random(7)
    chats: list[str] = []
    streaming: dict[str, str] = {}  # answer id -> its chat

    def words(count: int) -> str:
        return " ".join(rng.choice(VOCABULARY) for _ in range(count))

    for step in range(120):
        action = rng.choice(
            ["send", "send", "finish", "checkpoint", "delete", "interrupt", "index"]
        )
        if action == "send" or not chats:
            if not chats or rng.random() < 0.4:
                chats.append(await _new_chat(store, f"chat {step}"))
            chat = rng.choice(chats)
            if chat in streaming.values():
                continue
            streaming[await _ask(store, chat, words(3))] = chat
        elif action == "finish" and streaming:
            answer_id = rng.choice(list(streaming))
            del streaming[answer_id]
            await store.finish_answer(AnswerUpdate(answer_id, words(4), None, "complete"))
        elif action == "checkpoint" and streaming:
            answer_id = rng.choice(list(streaming))
            await store.checkpoint_answers([Checkpoint(answer_id, words(2), None)])
        elif action == "delete":
            chat = rng.choice(chats)
            chats.remove(chat)
            streaming = {a: c for a, c in streaming.items() if c != chat}
            await store.delete_conversation(OWNER, chat)
        elif action == "interrupt" and rng.random() < 0.2:
            await store.mark_streaming_interrupted()
            streaming.clear()
        elif action == "index":
            await store.index_new_messages(rng.choice([1, 2, 5, None]))
        if step % 10 == 9:
            for word in VOCABULARY:
                expected = {}
                for chat in chats:
                    finished = [
                        m
                        for m in await store.list_messages(chat)
                        if m.status != "streaming" and word in m.content.split()
                    ]
                    if finished:
                        expected[chat] = finished[-1].content
                assert await _found(store, word) == expected, (step, word)
