"""Searching messages by their words: the words of a query, each dialect's match, a snippet.

A message matches when it holds every word of the query, each as a whole word or the start
of one ("tide" finds "tides"), in any case. The index behind it (migration 0003) holds only
finished messages. A search weighs only the newest 2,000 messages that match (AmongMatches).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, Table, bindparam, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement

from openchat.storage.prepared import prepared

# Letters and digits: what both indexes split text into (no quote can reach the SQL).
WORD = re.compile(r"[^\W_]+")
MOST_WORDS = 8
MOST_MATCHES = 2_000  # see AmongMatches
SNIPPET_LEAD = 40  # characters shown before the first match
SNIPPET_LENGTH = 160
# Markdown's marks that a line of plain text does without: emphasis, code, headings, quotes,
# list bullets; a link keeps its text.
MARKUP = re.compile(r"\*\*|__|~~|`+|^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+)", re.MULTILINE)
LINK = re.compile(r"\[([^\]\n]*)\]\([^)\s]*\)")


# SQLite: the finished messages the triggers noted (migration 0003) go into the index in one
# transaction, the first `most` of them (-1: every one). Run each second: prepared.
INDEX_WAITING = prepared(
    text(
        "INSERT INTO messages_fts (rowid, content) SELECT seq, content FROM messages"
        " WHERE seq IN (SELECT seq FROM messages_unindexed ORDER BY seq LIMIT :most)"
    )
)
FORGET_WAITING = prepared(
    text(
        "DELETE FROM messages_unindexed"
        " WHERE seq IN (SELECT seq FROM messages_unindexed ORDER BY seq LIMIT :most)"
    )
)


def query_words(query: str) -> list[str]:
    """The distinct words of a query, in order, at most MOST_WORDS."""
    words = dict.fromkeys(word.lower() for word in WORD.findall(query))
    return list(words)[:MOST_WORDS]


class AmongMatches(ColumnElement[bool]):
    """True for a message of `messages` among the newest MOST_MATCHES finished messages that
    have every one of `words`.

    The cap bounds a search's cost by what it lists, not by how common its words are: a word
    in every message would otherwise cost a look-up per message (a quarter of a second for
    200,000 on SQLite, which runs on the event loop). A rarer word loses nothing.
    """

    inherit_cache = False  # the words are in the SQL's bound value, built per dialect
    type = Boolean()
    _is_implicitly_boolean = True  # a condition as it stands: no "= 1" where booleans are ints

    def __init__(self, messages: Table, words: Sequence[str]) -> None:
        self.messages = messages
        self.words = tuple(words)


@compiles(AmongMatches, "sqlite")
def _fts5_match(element: AmongMatches, compiler: SQLCompiler, **kw: Any) -> str:
    terms = " ".join(f'"{word}"*' for word in element.words)  # each a prefix; all required
    seq = compiler.process(element.messages.c.seq, **kw)
    matched = compiler.process(bindparam("search_terms", terms, unique=True), **kw)
    return (
        f"{seq} IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH {matched}"
        f" ORDER BY rowid DESC LIMIT {MOST_MATCHES})"
    )


@compiles(AmongMatches, "postgresql")
def _tsvector_match(element: AmongMatches, compiler: SQLCompiler, **kw: Any) -> str:
    terms = " & ".join(f"'{word}':*" for word in element.words)
    seq = compiler.process(element.messages.c.seq, **kw)
    name = compiler.preparer.format_table(element.messages)
    matched = compiler.process(bindparam("search_terms", terms, unique=True), **kw)
    # Written as the index is (expression and condition), so that the planner uses it.
    return (
        f"{seq} IN (SELECT seq FROM {name} WHERE to_tsvector('simple', content)"
        f" @@ to_tsquery('simple', {matched}) AND status <> 'streaming'"
        f" ORDER BY seq DESC LIMIT {MOST_MATCHES})"
    )


def snippet(text: str, words: Sequence[str]) -> str:
    """A line of the text around the first of the words, in plain text, cut at spaces."""
    flat = " ".join(MARKUP.sub("", LINK.sub(r"\1", text)).split())
    found = _first_word(words).search(flat) if words else None
    start = 0
    if found is not None and found.start() > SNIPPET_LEAD:
        start = found.start() - SNIPPET_LEAD
        space = flat.find(" ", start, found.start())
        start = space + 1 if space != -1 else start
    end = start + SNIPPET_LENGTH
    if end < len(flat):
        space = flat.rfind(" ", start + SNIPPET_LENGTH // 2, end)
        end = space if space != -1 else end
    piece = flat[start:end]
    return ("…" if start else "") + piece + ("…" if end < len(flat) else "")


def _first_word(words: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word) for word in words)
    return re.compile(rf"(?<![^\W_])(?:{alternatives})", re.IGNORECASE)
