"""Prepared statements: the store's hot statements, run on SQLite without SQLAlchemy's
execution layer.

SQLAlchemy compiles each statement once (its cache), but every execution still builds an
execution context, a cursor result and its metadata: 20 to 45 microseconds a statement, where
SQLite itself takes a few, and an answer runs five. A statement marked with `prepared()` is
compiled once, by SQLAlchemy, for the SQLite dialect; the SQLite transaction then binds its
parameters and converts its rows with the processors of the column types, those SQLAlchemy
itself would use, and calls the driver directly, inside the same transaction. Elsewhere
(PostgreSQL, any statement not marked) SQLAlchemy runs it as usual: both paths read and
write the same values. What a prepared statement skips on SQLite: SQLAlchemy's statement
logging (`echo`) and execution events, which Open Chat uses neither of.
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

S = TypeVar("S", bound=ClauseElement)
Processor = Callable[[Any], Any] | None

_DIALECT = sqlite.dialect()  # pysqlite: the driver the SQLite database uses
_PLANS: dict[int, SqlitePlan] = {}  # by id() of a statement kept alive in the plan


def prepared(statement: S) -> S:
    """Mark a statement built once, at import, for the SQLite fast path; return it unchanged."""
    _PLANS[id(statement)] = SqlitePlan(statement)
    return statement


def plan_of(statement: object) -> SqlitePlan | None:
    return _PLANS.get(id(statement))


class PreparedResult:
    """The part of SQLAlchemy's result the store reads: rows by attribute, `first`, `all`."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def all(self) -> list[Any]:
        return self._rows


@dataclass(frozen=True, slots=True)
class _Form:
    """A statement as SQLite runs it: its SQL, and how its values and rows convert."""

    compiled: SQLCompiler
    sql: str
    binds: list[tuple[str, Processor]]  # in the order of the SQL's `?`
    row: Any  # a named tuple class of the result's columns, None when it returns none
    converters: list[tuple[int, Callable[[Any], Any]]]  # (column, processor), where one is


class SqlitePlan:
    """One statement, compiled by SQLAlchemy for SQLite at first use, run on the driver."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement  # kept alive: its id() is the plan's key
        self._form: _Form | None = None  # not at import: PostgreSQL never needs it

    def run(
        self,
        connection: sqlite3.Connection,
        parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    ) -> PreparedResult:
        form = self._form or self._compile()
        many = isinstance(parameters, Sequence)
        if many and (not parameters or form.row is not None):
            raise ValueError("executemany takes rows, and only for a statement returning none")
        try:  # binding fails as in SQLAlchemy: a StatementError that shows no value
            values = (
                [_bound(form, row) for row in parameters]
                if isinstance(parameters, Sequence)
                else _bound(form, parameters or {})
            )
        except Exception as error:
            raise StatementError(
                f"Could not bind the parameters: {type(error).__name__}",
                form.sql,
                None,
                error,
                hide_parameters=True,
            ) from error
        try:
            if many:
                return PreparedResult([], connection.executemany(form.sql, values).rowcount)
            cursor = connection.execute(form.sql, values)
            rows = [_converted(form, row) for row in cursor.fetchall()] if form.row else []
        except sqlite3.Error as error:  # the same exception SQLAlchemy raises for it
            raise DBAPIError.instance(
                form.sql, None, error, sqlite3.Error, hide_parameters=True, dialect=_DIALECT
            ) from error
        return PreparedResult(rows, cursor.rowcount)

    def _compile(self) -> _Form:
        compiled = self.statement.compile(dialect=_DIALECT)
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        if (
            compiled.prefetch  # values SQLAlchemy computes before running it (defaults)
            or compiled.literal_execute_params
            or compiled.post_compile_params
            or compiled.escaped_bind_names
        ):
            raise ValueError("only a statement whose parameters are all given can be prepared")
        columns = list(getattr(self.statement, "exported_columns", ()))
        self._form = _Form(
            compiled=compiled,
            sql=compiled.string,
            binds=[
                (name, _processors(compiled.binds[name].type).bind_processor(_DIALECT))
                for name in compiled.positiontup
            ],
            row=namedtuple("Row", [column.key for column in columns]) if columns else None,
            converters=[
                (index, process)
                for index, column in enumerate(columns)
                if (process := _processors(column.type).result_processor(_DIALECT, None))
            ],
        )
        return self._form


def _processors(kind: TypeEngine[Any]) -> TypeEngine[Any]:
    """The SQLite form of a column type: the one whose processors SQLAlchemy itself uses."""
    return kind.dialect_impl(_DIALECT)


def _bound(form: _Form, parameters: Mapping[str, Any]) -> list[Any]:
    values = form.compiled.construct_params(parameters)  # with the statement's own literals
    return [
        values[name] if process is None else process(values[name]) for name, process in form.binds
    ]


def _converted(form: _Form, row: tuple[Any, ...]) -> Any:
    if not form.converters:
        return form.row._make(row)
    values = list(row)
    for index, process in form.converters:  # in a listed conversation: a date, at most a float
        values[index] = process(values[index])
    return form.row._make(values)
