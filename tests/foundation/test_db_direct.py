"""Direct statements (the hot path's DBAPI-level SQL) behave like SQLAlchemy's own on both
backends: the same stored values, SQLAlchemy's errors, one PREPARE per PostgreSQL connection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, event, exc, select, text

from smev_soap.db_direct import DirectStatement, insert_row, insert_row_unless_conflict, per_count
from smev_soap.queue import Message, QueueItem

T0 = datetime(2026, 3, 1, 12, 30, 15, 250000, tzinfo=UTC)
COLUMNS = ("id", "kind_id", "sender_code", "recipient_code", "message_class", "status",
           "chain_id", "request_id_ref", "case_number", "test", "body_digest", "envelope",
           "created_at")
INSERT = insert_row_unless_conflict("test_insert_message", Message.__table__, COLUMNS,
                                    unique=("sender_code", "body_digest"))
INSERT_ITEM = insert_row("test_insert_item", QueueItem.__table__, (
    "message_id", "owner_code", "queue_name", "kind_id", "chain_id", "state", "delivery_count",
    "created_at"))
BY_SENDER = DirectStatement("test_messages_since", select(Message.id).where(
    Message.sender_code == bindparam("sender"),
    Message.created_at >= bindparam("since", type_=Message.__table__.c.created_at.type)))


def row(message_id: str, digest: str | None = "ZGln", at: datetime = T0) -> dict:
    return {"id": message_id, "kind_id": None, "sender_code": "MFCA00001",
            "recipient_code": "SOCZ00001", "message_class": "REQUEST", "status": "REQUEST",
            "chain_id": message_id, "request_id_ref": None, "case_number": "42", "test": True,
            "body_digest": digest, "envelope": b"\x00\xffbytes", "created_at": at}


def test_rows_read_back_through_the_orm_as_written(database):
    with database.transaction() as session:
        assert INSERT.run(session, row("m1")).rowcount == 1
    with database.sessions() as session:
        stored = session.get(Message, "m1")
        assert (stored.created_at, stored.test, stored.envelope_z) == (T0, True, b"\x00\xffbytes")
        # comparisons in SQL see the same representation as the ORM's (SQLite stores text)
        assert BY_SENDER.scalar(session, {"sender": "MFCA00001", "since": T0}) == "m1"
        assert BY_SENDER.scalar(session, {"sender": "MFCA00001",
                                          "since": T0.replace(microsecond=250001)}) is None


def test_a_taken_key_writes_nothing_and_nulls_never_collide(database):
    with database.transaction() as session:
        assert INSERT.run(session, row("m1")).rowcount == 1
        assert INSERT.run(session, row("m2")).rowcount == 0
        assert INSERT.run(session, row("m3", digest=None)).rowcount == 1
        assert INSERT.run(session, row("m4", digest=None)).rowcount == 1
    with database.sessions() as session:
        assert session.get(Message, "m2") is None


def test_database_errors_are_sqlalchemys_and_roll_back(database):
    with pytest.raises(exc.IntegrityError), database.transaction() as session:
        INSERT.run(session, row("m1"))
        INSERT_ITEM.run(session, {"message_id": "missing", "owner_code": "SOCZ00001",
                                  "queue_name": "requests", "kind_id": None, "chain_id": "c",
                                  "state": "pending", "delivery_count": 0, "created_at": T0})
    with database.sessions() as session:
        assert session.get(Message, "m1") is None


def test_cursor_events_see_direct_statements(database):
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        with database.sessions() as session:
            BY_SENDER.scalar(session, {"sender": "X", "since": T0})
    finally:
        event.remove(database.engine, "before_cursor_execute", note)
    assert any("test_messages_since" in s or "created_at >=" in s for s in seen)


@pytest.mark.postgres
def test_postgresql_prepares_once_per_connection_whatever_the_transaction(pg_database):
    seen: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    pg_database.engine.dispose()  # one new connection for the whole test
    event.listen(pg_database.engine, "before_cursor_execute", note)
    try:
        with pg_database.sessions() as session:
            BY_SENDER.scalar(session, {"sender": "X", "since": T0})
            session.rollback()  # prepared statements outlive the transaction
            BY_SENDER.scalar(session, {"sender": "X", "since": T0})
    finally:
        event.remove(pg_database.engine, "before_cursor_execute", note)
    prepares = [s for s in seen if s.startswith("PREPARE smev_test_messages_since")]
    executes = [s for s in seen if s.startswith("EXECUTE smev_test_messages_since")]
    assert (len(prepares), len(executes)) == (1, 2)


@pytest.mark.postgres
def test_a_dead_postgresql_connection_fails_one_statement_then_is_replaced(pg_database):
    with pg_database.sessions() as session:
        BY_SENDER.scalar(session, {"sender": "X", "since": T0})
        backend = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with pg_database.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        with pytest.raises(exc.DBAPIError) as raised:
            BY_SENDER.scalar(session, {"sender": "X", "since": T0})
        assert raised.value.connection_invalidated or session.connection().invalidated
    with pg_database.sessions() as session:  # a fresh connection: prepared afresh, works
        assert BY_SENDER.scalar(session, {"sender": "X", "since": T0}) is None


def test_names_are_unique_identifiers():
    with pytest.raises(ValueError):
        DirectStatement("test_messages_since", select(Message.id))
    with pytest.raises(ValueError):
        DirectStatement("not an identifier", select(Message.id))


@pytest.mark.postgres
def test_a_connection_that_lost_its_prepared_statements_is_replaced(pg_database):
    """DISCARD ALL from a pooler, say: one statement fails, the connection is dropped, and the
    next one prepares afresh."""
    pg_database.engine.dispose()  # one pooled connection: without the fix it would come back
    with pg_database.sessions() as session:
        BY_SENDER.scalar(session, {"sender": "X", "since": T0})
        session.connection().exec_driver_sql("DEALLOCATE ALL")
        with pytest.raises(exc.DBAPIError):
            BY_SENDER.scalar(session, {"sender": "X", "since": T0})
    for _ in range(3):  # whichever pooled connection comes next
        with pg_database.sessions() as session:
            assert BY_SENDER.scalar(session, {"sender": "X", "since": T0}) is None


def test_statements_per_count_are_made_once_whatever_the_threads():
    made: list[int] = []

    def build(count: int) -> DirectStatement:
        made.append(count)
        return DirectStatement(f"test_per_count_{count}", select(Message.id).limit(count))

    statement = per_count(build)
    barrier = threading.Barrier(8)

    def first_use() -> DirectStatement:
        barrier.wait()
        return statement(3)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: first_use(), range(8)))
    assert made == [3] and len({id(r) for r in results}) == 1
