"""Core statements run straight on the DBAPI cursor: the hot path's few fixed statements.

A :class:`DirectStatement` is compiled once per dialect; each run binds the values through the
columns' own bind processors (``UtcDateTime``, SQLite's dates and booleans) and executes on the
session's DBAPI connection, inside the session's transaction. It skips SQLAlchemy's
per-execution work (about 40 µs a statement: context, result set-up), and on PostgreSQL it is a
server-side prepared statement (``PREPARE`` once per connection, then ``EXECUTE``): the server
no longer parses and plans it on every request, which halved its CPU for the ``SendRequest``
write. Errors come out as SQLAlchemy's own (``IntegrityError``…), a connection found dead is
invalidated as SQLAlchemy would, and cursor events still fire. Everything else keeps to the ORM
and Core as usual.

Prepared statements need a session-level connection to PostgreSQL: behind a pooler in
transaction mode (PgBouncer's default) use session mode.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, exc, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

_PREPARED = "smev_prepared"  # key of the connection's info: names PREPAREd on it
# PostgreSQL's "no such prepared statement" and "already exists": the server session lost (or
# kept) what this connection's marks say (DISCARD ALL from a pooler, a fail-over behind one).
_PREPARED_STATE_LOST = frozenset({"26000", "42P05"})
_NAMES: set[str] = set()
_NAMES_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bind names in the order the DBAPI takes them
    positional: bool
    defaults: dict[str, Any]  # values fixed in the statement itself (a LIMIT, say)
    processors: tuple[tuple[str, Callable[[Any], Any]], ...]
    prepare: str | None = None  # PostgreSQL: the PREPARE that ``sql`` EXECUTEs
    prepared_name: str | None = None


def _compile(statement: ClauseElement, dialect: Dialect, name: str) -> _Compiled:
    prepared = dialect.name == "postgresql"
    # PREPARE takes $1…$n; EXECUTE's own arguments are the driver's positional %s.
    compiled = statement.compile(
        dialect=type(dialect)(paramstyle="numeric_dollar") if prepared else dialect)
    if compiled.escaped_bind_names:
        raise ValueError(f"bind names needing escapes are not supported: {statement}")
    binds = compiled.binds
    names = tuple(compiled.positiontup) if compiled.positional else tuple(binds)
    processors = []
    for bind_name, bind in binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors.append((bind_name, processor))
    defaults = {bind_name: bind.effective_value for bind_name, bind in binds.items()
                if not bind.required and bind.effective_value is not None}
    if not prepared:
        return _Compiled(compiled.string, names, compiled.positional, defaults,
                         tuple(processors))
    execute = f"EXECUTE {name} ({', '.join(['%s'] * len(names))})" if names else f"EXECUTE {name}"
    return _Compiled(execute, names, True, defaults, tuple(processors),
                     prepare=f"PREPARE {name} AS {compiled.string}", prepared_name=name)


class DirectStatement:
    """One statement with named binds, compiled per dialect on first use.

    ``name`` is unique in the process (PostgreSQL prepares it as ``smev_<name>``);
    ``statement`` is a Core statement, or a function of the dialect's name giving one (for
    dialect-specific constructs such as ``ON CONFLICT``).
    """

    def __init__(self, name: str,
                 statement: ClauseElement | Callable[[str], ClauseElement]) -> None:
        with _NAMES_LOCK:
            if not name.isidentifier() or name in _NAMES:
                raise ValueError(f"direct statement name {name!r} is not a new identifier")
            _NAMES.add(name)
        self.name = f"smev_{name}"
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def run(self, session: Session, values: Mapping[str, Any]) -> Any:
        """Execute in ``session``'s transaction; returns the DBAPI cursor (rows are raw)."""
        connection = session.connection()
        dialect = connection.dialect
        try:
            compiled = self._compiled[dialect.name]
        except KeyError:
            statement = self.statement
            if not isinstance(statement, ClauseElement):
                statement = statement(dialect.name)
            compiled = self._compiled[dialect.name] = _compile(statement, dialect, self.name)
        params = {**compiled.defaults, **values} if compiled.defaults else dict(values)
        for name, processor in compiled.processors:
            params[name] = processor(params[name])
        if compiled.positional:
            params = tuple(params[name] for name in compiled.names)
        if compiled.prepare is not None:
            _prepare_once(connection, compiled)
        return _execute(connection, compiled.sql, params)

    def scalar(self, session: Session, values: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None."""
        row = self.run(session, values).fetchone()
        return None if row is None else row[0]


def _prepare_once(connection: Connection, compiled: _Compiled) -> None:
    """PREPARE the statement on this DBAPI connection unless done before (prepared statements
    live as long as the server session, whatever becomes of the transaction)."""
    prepared = connection.connection.info.setdefault(_PREPARED, set())
    if compiled.prepared_name not in prepared:
        _execute(connection, compiled.prepare, None)
        prepared.add(compiled.prepared_name)


def _execute(connection: Connection, sql: str, params: Any) -> Any:
    """Run on the DBAPI cursor; cursor events still fire (their ``context`` is None)."""
    dbapi_connection = connection.connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    dispatch = connection.dispatch
    for listener in dispatch.before_cursor_execute:
        listener(connection, cursor, sql, params, None, False)
    try:
        cursor.execute(sql, params)
    except connection.dialect.loaded_dbapi.Error as error:
        if (connection.dialect.is_disconnect(error, dbapi_connection, cursor)
                or getattr(error, "pgcode", None) in _PREPARED_STATE_LOST):
            connection.invalidate(error)  # the next checkout gets a fresh connection
        raise exc.DBAPIError.instance(sql, params, error,
                                      connection.dialect.loaded_dbapi.Error) from error
    for listener in dispatch.after_cursor_execute:
        listener(connection, cursor, sql, params, None, False)
    return cursor


def _row_binds(table: Table, columns: Sequence[str]) -> dict[str, Any]:
    return {column: bindparam(column, type_=table.c[column].type) for column in columns}


def insert_row(name: str, table: Table, columns: Sequence[str]) -> DirectStatement:
    """An INSERT of one row of ``columns`` (bound by column name; every one must be given)."""
    return DirectStatement(name, insert(table).values(_row_binds(table, columns)))


def insert_row_unless_conflict(name: str, table: Table, columns: Sequence[str],
                               unique: Sequence[str]) -> DirectStatement:
    """:func:`insert_row` with ``ON CONFLICT (unique) DO NOTHING``: the cursor's ``rowcount``
    tells whether the row went in (PostgreSQL and SQLite alike)."""
    def statement(dialect: str) -> ClauseElement:
        dialect_insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
        return (dialect_insert(table).values(_row_binds(table, columns))
                .on_conflict_do_nothing(index_elements=list(unique)))
    return DirectStatement(name, statement)


def insert_rows(name: str, table: Table, columns: Sequence[str], count: int
                ) -> DirectStatement:
    """A multi-row INSERT of ``count`` rows; row ``i``'s values are bound as ``{column}_{i}``."""
    rows = [{column: bindparam(f"{column}_{i}", type_=table.c[column].type)
             for column in columns} for i in range(count)]
    return DirectStatement(name, insert(table).values(rows))


def row_values(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> dict[str, Any]:
    """The binds of :func:`insert_rows` for these rows."""
    return {f"{column}_{i}": row.get(column) for i, row in enumerate(rows) for column in columns}


def per_count(build: Callable[[int], DirectStatement]) -> Callable[[int], DirectStatement]:
    """``build`` memoised per count, thread-safe (a statement's name is made once)."""
    made: dict[int, DirectStatement] = {}
    lock = threading.Lock()

    def statement(count: int) -> DirectStatement:
        try:
            return made[count]
        except KeyError:
            with lock:
                if count not in made:
                    made[count] = build(count)
                return made[count]
    return statement
