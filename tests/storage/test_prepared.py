"""Prepared statements on SQLite read and write exactly what SQLAlchemy would."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy.exc import IntegrityError, StatementError

from openchat.storage import sql
from openchat.storage.database import migrate, open_database
from openchat.storage.prepared import SqlitePlan, plan_of

MOMENT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
NEW_CONVERSATION = sqlalchemy.insert(sql.conversations).values(
    id="c1",
    owner_id="me",
    title="t",
    default_model="m",
    system_prompt="",
    created_at=MOMENT,
    updated_at=MOMENT,
)  # the conversation "c1" the messages below belong to


def _message(message_id: str, **changes: Any) -> dict[str, Any]:
    row = {
        "new_id": message_id,
        "new_conversation_id": "c1",
        "new_role": "user",
        "new_content": "héllo 👋",
        "new_model": "m",
        "new_status": "complete",
        "new_created_at": MOMENT,
        "new_parent_id": None,
        "new_client_message_id": None,
        "new_alive_at": None,
        "new_attachments": None,
    }
    return row | changes


@pytest.fixture
async def database_file(tmp_path: Path) -> Path:
    path = tmp_path / "x.db"
    database = open_database(f"sqlite:///{path}")
    await migrate(database)
    await database.dispose()
    return path


@pytest.fixture
def engine(database_file: Path) -> Iterator[sqlalchemy.Engine]:
    """SQLAlchemy's own execution of the same statements, for comparison."""
    engine = sqlalchemy.create_engine(f"sqlite:///{database_file}")
    with engine.begin() as connection:
        connection.execute(NEW_CONVERSATION)
    yield engine
    engine.dispose()


def _plan(statement: Any) -> SqlitePlan:
    plan = plan_of(statement)
    assert plan is not None, "not prepared"
    return plan


def test_the_hot_statements_are_prepared_and_others_are_not():
    for statement in (
        sql.CONVERSATION_BY_ID,
        sql.MESSAGES_OF,
        sql.MESSAGE_BY_CLIENT_ID,
        sql.INSERT_MESSAGES,
        sql.TOUCH_CONVERSATION,
        sql.TOUCH_AND_TITLE_CONVERSATION,
        sql.FINISH_ANSWER,
        sql.CHECKPOINT_ANSWER,
    ):
        _plan(statement)
    assert plan_of(sqlalchemy.select(sql.conversations.c.id)) is None


def test_a_prepared_write_stores_the_very_bytes_sqlalchemy_stores(
    engine: sqlalchemy.Engine, database_file: Path
):
    with engine.begin() as connection:  # SQLAlchemy's way
        connection.execute(sql.INSERT_MESSAGES, _message("by-sqlalchemy"))
    driver = sqlite3.connect(database_file)
    try:
        _plan(sql.INSERT_MESSAGES).run(driver, [_message("prepared")])  # as executemany
        driver.commit()
        stored = driver.execute(
            "SELECT id, content, created_at, parent_id FROM messages ORDER BY seq"
        ).fetchall()
    finally:
        driver.close()
    assert [row[1:] for row in stored] == [("héllo 👋", "2026-03-04 05:06:07.890123", None)] * 2
    assert [row[0] for row in stored] == ["by-sqlalchemy", "prepared"]


def test_prepared_reads_give_the_rows_sqlalchemy_gives(
    engine: sqlalchemy.Engine, database_file: Path
):
    with engine.begin() as connection:
        connection.execute(
            sql.INSERT_MESSAGES,
            [_message("q1", new_client_message_id="k1"), _message("a1", new_parent_id="q1")],
        )
    reads = [
        (sql.CONVERSATION_BY_ID, {"conversation_id": "c1", "owner_id": "me"}),
        (sql.MESSAGES_OF, {"conversation_id": "c1"}),
        (sql.MESSAGE_BY_CLIENT_ID, {"conversation_id": "c1", "client_message_id": "k1"}),
    ]
    driver = sqlite3.connect(database_file)
    try:
        with engine.connect() as connection:
            for statement, parameters in reads:
                expected = connection.execute(statement, parameters).all()
                rows = _plan(statement).run(driver, parameters).all()
                assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
                assert [row._asdict() for row in rows] == [row._asdict() for row in expected]
    finally:
        driver.close()
    assert isinstance(rows[0].created_at, datetime)


def test_an_update_returns_its_rows_and_keeps_the_statements_own_values(
    engine: sqlalchemy.Engine, database_file: Path
):
    with engine.begin() as connection:
        connection.execute(
            sql.INSERT_MESSAGES,
            [_message("a1", new_status="streaming"), _message("a2", new_status="complete")],
        )
    driver = sqlite3.connect(database_file)
    try:
        # CHECKPOINT_ANSWER's `status = 'streaming'` is a value of the statement, not a parameter.
        checkpoint = _plan(sql.CHECKPOINT_ANSWER).run(
            driver,
            [
                {
                    "answer_id": answer,
                    "new_content": "partial",
                    "new_reasoning": None,
                    "moment": MOMENT,
                }
                for answer in ("a1", "a2")
            ],
        )
        parameters = {f"new_{name}": None for name in sql.ANSWER_VALUES}
        parameters |= {"answer_id": "a1", "new_content": "done", "new_status": "complete"}
        finished = _plan(sql.FINISH_ANSWER).run(driver, parameters).first()
        driver.commit()
        contents = driver.execute("SELECT id, content FROM messages ORDER BY seq").fetchall()
    finally:
        driver.close()
    assert checkpoint.rowcount == 1
    assert contents == [("a1", "done"), ("a2", "héllo 👋")]
    assert finished.id == "a1" and finished.created_at == MOMENT.replace(tzinfo=None)


async def test_a_failed_prepared_write_raises_sqlalchemys_error_and_undoes_the_transaction(
    database_file: Path,
):
    database = open_database(f"sqlite:///{database_file}")
    try:
        async with database.begin() as connection:
            await connection.execute(NEW_CONVERSATION)
        with pytest.raises(IntegrityError) as caught:
            async with database.begin() as connection:
                await connection.execute(sql.INSERT_MESSAGES, [_message("m1")])
                await connection.execute(sql.INSERT_MESSAGES, [_message("m1")])  # the same id
        assert "m1" not in str(caught.value)  # parameters are never shown
        async with database.connect() as connection:
            rows = (await connection.execute(sql.MESSAGES_OF, {"conversation_id": "c1"})).all()
        assert rows == []
    finally:
        await database.dispose()


def test_parameters_that_cannot_be_bound_fail_as_in_sqlalchemy_and_show_no_value(
    database_file: Path,
):
    driver = sqlite3.connect(database_file)
    try:
        with pytest.raises(StatementError) as caught:  # a datetime column given a string
            _plan(sql.INSERT_MESSAGES).run(driver, _message("m1", new_created_at="secret words"))
        assert "secret words" not in str(caught.value)
        with pytest.raises(StatementError):  # a parameter missing
            _plan(sql.CONVERSATION_BY_ID).run(driver, {"conversation_id": "c1"})
        with pytest.raises(ValueError):  # rows to return, many at once: not supported
            _plan(sql.FINISH_ANSWER).run(driver, [{"answer_id": "a1"}])
        with pytest.raises(ValueError):  # no rows at all
            _plan(sql.CHECKPOINT_ANSWER).run(driver, [])
    finally:
        driver.close()


def test_a_statement_with_values_computed_by_sqlalchemy_cannot_be_prepared(
    database_file: Path,
):
    # system_prompt has a default, which SQLAlchemy would compute for each row.
    with_defaults = sqlalchemy.insert(sql.conversations).values(id=sqlalchemy.bindparam("i"))
    plan = SqlitePlan(with_defaults)
    driver = sqlite3.connect(database_file)
    try:
        with pytest.raises(ValueError, match="can be prepared"):
            plan.run(driver, {"i": "c9"})
    finally:
        driver.close()
