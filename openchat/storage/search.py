"""Searching messages by their words: the words of a query, each dialect's match, a snippet.

A message matches when it holds every word of the query, in any case, as a whole word or the
start of one ("tide" finds "tides"); a word of one or two ASCII letters or digits only whole
("t" would be the start of most of the index). In Chinese or Japanese, written without
spaces, a run of characters is one word to both indexes: "東京" finds "東京タワー", not
"タワー". The index behind it (migration 0003) holds only finished messages. A search weighs
only the newest 2,000 messages that match (newest_hits).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from sqlalchemy import TextClause, text

from openchat.storage.prepared import prepared

# A word is a run of letters, digits and their marks (a Devanagari vowel sign is part of its
# word), as both indexes split text; no quote or operator can reach either query syntax.
WORD_CATEGORIES = frozenset({"L", "N", "M"})
MOST_WORDS = 8
SHORTEST_PREFIX = 3  # a shorter ASCII word matches whole words only
# PostgreSQL refuses a tsvector over 1 MB: the index (migration 0003) reads this much of a
# message, so that no answer, however long, can fail its final save.
INDEXED_CHARACTERS = 100_000
MOST_MATCHES = 2_000  # see newest_hits
SNIPPET_LEAD = 40  # characters shown before the first match
SNIPPET_LENGTH = 160
WINDOW = 400  # characters of the text around the match that a snippet is made from
# Markdown's marks that a line of plain text does without: emphasis, code, headings, quotes,
# list bullets; a link keeps its text.
MARKUP = re.compile(r"\*\*|__|~~|`+|^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+)", re.MULTILINE)
LINK = re.compile(r"\[([^\]\n]{0,100})\]\([^)\s]{0,200}\)")


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
    """The distinct words of a query, lower-cased, in order, at most MOST_WORDS."""
    words: dict[str, None] = {}
    word: list[str] = []
    for character in f"{query} ":
        if unicodedata.category(character)[0] in WORD_CATEGORIES:
            word.append(character)
        elif word:
            words["".join(word).lower()] = None
            word = []
    return list(words)[:MOST_WORDS]


def _is_prefix(word: str) -> bool:
    return len(word) >= SHORTEST_PREFIX or not word.isascii()


def _term(word: str, quoted: str, prefix: str) -> str:
    """The word `quoted` for a query, and marked as a prefix when it is one (_is_prefix)."""
    return quoted + prefix if _is_prefix(word) else quoted


def newest_hits(dialect: str, words: Sequence[str]) -> TextClause:
    """Among the newest MOST_MATCHES finished messages that have every one of `words`, each
    conversation's newest, as rows of (conversation_id, seq), for SQLAlchemy's `dialect`
    ("sqlite" or "postgresql").

    The cap bounds a search's cost by what it lists, not by how common its words are: a word
    in every message would otherwise cost a look-up per message (a quarter of a second for
    200,000 on SQLite, which runs on the event loop). A rarer word loses nothing.
    """
    if dialect == "sqlite":
        # Each word quoted (should FTS5 split it further, a phrase); all of them required.
        terms = " ".join(_term(word, f'"{word}"', "*") for word in words)
        sql = (
            "SELECT conversation_id, seq FROM messages WHERE seq IN (SELECT rowid"
            " FROM messages_fts WHERE messages_fts MATCH :terms ORDER BY rowid DESC LIMIT :most)"
        )
    else:
        terms = " & ".join(_term(word, f"'{word}'", ":*") for word in words)
        # Written as the index is (expression and condition), so that the planner uses it.
        sql = (
            "SELECT conversation_id, seq FROM messages"
            f" WHERE to_tsvector('simple', left(content, {INDEXED_CHARACTERS}))"
            " @@ to_tsquery('simple', :terms) AND status <> 'streaming'"
            " ORDER BY seq DESC LIMIT :most"
        )
    grouped = f"SELECT conversation_id, max(seq) FROM ({sql}) AS hits GROUP BY conversation_id"
    return text(grouped).bindparams(terms=terms, most=MOST_MATCHES)


def snippet(content: str, words: Sequence[str]) -> str:
    """A line of `content` around the first of the words, in plain text, cut at spaces."""
    first_word = _first_word(words) if words else None
    # Only a window of the text is cleaned up: a long message costs no more than a short one.
    found = first_word.search(content) if first_word else None
    begin = max(0, found.start() - WINDOW) if found is not None else 0
    window = content[begin : begin + 2 * WINDOW + SNIPPET_LENGTH]
    flat = " ".join(MARKUP.sub("", LINK.sub(r"\1", window)).split())
    found = first_word.search(flat) if first_word else None
    start = 0
    if found is not None and found.start() > SNIPPET_LEAD:
        start = found.start() - SNIPPET_LEAD
        space = flat.find(" ", start, found.start())
        start = space + 1 if space != -1 else start
    end = start + SNIPPET_LENGTH
    if end < len(flat):
        space = flat.rfind(" ", start + SNIPPET_LENGTH // 2, end)
        end = space if space != -1 else end
    more_before = begin > 0 or start > 0
    more_after = end < len(flat) or begin + len(window) < len(content)
    return ("…" if more_before else "") + flat[start:end] + ("…" if more_after else "")


def _first_word(words: Sequence[str]) -> re.Pattern[str]:
    """The words as the index matches them: at a word's start, a short one as a whole word."""
    alternatives = "|".join(
        re.escape(word) if _is_prefix(word) else rf"{re.escape(word)}(?![^\W_])"
        for word in sorted(words, key=len, reverse=True)
    )
    return re.compile(rf"(?<![^\W_])(?:{alternatives})", re.IGNORECASE)
