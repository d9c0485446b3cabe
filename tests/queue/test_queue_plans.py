"""The lease query uses the partial index of open items (D24: assert index use, never time)."""

from __future__ import annotations

from contextlib import contextmanager

from queue_samples import LEASE, T0, at
from sqlalchemy import event, insert, text

from smev_soap.queue import REQUESTS, Message, QueueItem, lease


@contextmanager
def captured_updates(database):
    """Collect (statement, parameters) of every ``UPDATE queue_item`` executed meanwhile."""
    seen: list[tuple[str, object]] = []

    def listener(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("UPDATE QUEUE_ITEM"):
            seen.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", listener)


def _fill(database, owners: int = 20, per_owner: int = 250) -> None:
    """Mostly acknowledged history for many owners, a few pending items for ours."""
    messages, items = [], []
    for n in range(owners * per_owner):
        owner = "PFRS00001" if n % owners == 0 else f"SOCZ{n % owners:05d}"
        mid = f"m-{n:06d}"
        state = "pending" if n >= owners * (per_owner - 2) else "acked"
        messages.append({"id": mid, "sender_code": "MFCA00001", "recipient_code": owner,
                         "message_class": "REQUEST", "status": "REQUEST", "chain_id": mid,
                         "test": False, "envelope": b"x", "created_at": T0})
        items.append({"message_id": mid, "owner_code": owner, "queue_name": REQUESTS,
                      "chain_id": mid, "state": state, "delivery_count": 0, "created_at": T0})
    with database.transaction() as session:
        session.execute(insert(Message.__table__), messages)
        session.execute(insert(QueueItem.__table__), items)
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def _plan(database, statement: str, parameters) -> str:
    explain = "EXPLAIN " if database.dialect == "postgresql" else "EXPLAIN QUERY PLAN "
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + statement, parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_lease_query_uses_the_open_items_index(database):
    _fill(database)
    with captured_updates(database) as seen, database.transaction() as session:
        assert lease(session, "PFRS00001", REQUESTS, lease_seconds=LEASE, now=at(1))
    (statement, parameters), = seen
    plan = _plan(database, statement, parameters)
    assert "ix_queue_item_open" in plan, plan
    if database.dialect == "postgresql":
        assert "LockRows" in plan  # FOR UPDATE SKIP LOCKED
        assert "Seq Scan" not in plan, plan
