"""Writing an accepted message: its row, its queue item and its journal events, all or nothing.

On PostgreSQL it is one statement (data-modifying CTEs): one round trip instead of three, the
queue item and the events written only if the message row went in. SQLite runs the three
inserts in-process, inside the caller's ``BEGIN IMMEDIATE``. Either way a message whose
idempotency key (D10) is taken writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    String,
    Table,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from smev_soap.db_direct import (
    DirectStatement,
    insert_row,
    insert_row_unless_conflict,
    per_count,
    row_values,
)
from smev_soap.journal.events import EVENT_COLUMNS, record_rows
from smev_soap.journal.models import JournalEvent
from smev_soap.queue.models import PENDING, Message, QueueItem

#: The idempotency key (D10), unique: of concurrent copies of a message only one goes in.
IDEMPOTENCY_KEY = ("sender_code", "body_digest")
MESSAGE_COLUMNS = ("id", "kind_id", "sender_code", "recipient_code", "message_class", "status",
                   "chain_id", "request_id_ref", "case_number", "test", "body_digest",
                   "envelope", "created_at")
ITEM_COLUMNS = ("message_id", "owner_code", "queue_name", "kind_id", "chain_id", "state",
                "delivery_count", "created_at")
_MESSAGES, _ITEMS, _EVENTS = Message.__table__, QueueItem.__table__, JournalEvent.__table__
_OWN_EVENT_COLUMNS = tuple(c for c in EVENT_COLUMNS if c not in ("message_id", "chain_id"))

_INSERT_MESSAGE = insert_row_unless_conflict("insert_message", _MESSAGES, MESSAGE_COLUMNS,
                                             unique=IDEMPOTENCY_KEY)
_INSERT_ITEM = insert_row("insert_queue_item", _ITEMS, ITEM_COLUMNS)


def _typed(table: Table, column: str, bind: str) -> ClauseElement:
    """A bind cast to its column's type (an INSERT … SELECT types nothing by itself); strings
    to unbounded VARCHAR, since a cast to VARCHAR(n) would cut, not refuse, a longer value."""
    column_type = table.c[column].type
    return cast(bindparam(bind, type_=column_type),
                String() if isinstance(column_type, String) else column_type)


@per_count
def _in_one_statement(events: int) -> DirectStatement:
    """PostgreSQL: the message (unless its key is taken), then its item and events from it.

    What the item and the events repeat of the message is read from the inserted row rather
    than bound again: fewer values for the driver to quote on every request.
    """
    stored = (postgresql.insert(_MESSAGES)
              .values({column: bindparam(column, type_=_MESSAGES.c[column].type)
                       for column in MESSAGE_COLUMNS})
              .on_conflict_do_nothing(index_elements=list(IDEMPOTENCY_KEY))
              .returning(*(_MESSAGES.c[c] for c in ("id", "recipient_code", "kind_id",
                                                    "chain_id", "created_at")))
              .cte("stored"))
    item = select(stored.c.id, stored.c.recipient_code,
                  _typed(_ITEMS, "queue_name", "queue_name"),
                  stored.c.kind_id, stored.c.chain_id, literal_column(f"'{PENDING}'"),
                  literal_column("0"), stored.c.created_at)
    writes: list[ClauseElement] = [insert(_ITEMS).from_select(ITEM_COLUMNS, item).cte("queued")]
    if events:
        rows = [select(stored.c.id, stored.c.chain_id,
                       *(_typed(_EVENTS, c, f"{c}_{i}") for c in _OWN_EVENT_COLUMNS))
                for i in range(events)]
        writes.append(insert(_EVENTS).from_select(
            ("message_id", "chain_id", *_OWN_EVENT_COLUMNS),
            rows[0] if events == 1 else union_all(*rows)).cte("journalled"))
    return DirectStatement(f"accept_message_with_{events}_events",
                           select(func.count()).select_from(stored).add_cte(*writes))


def write_accepted(session: Session, message: Mapping[str, Any], queue_name: str,
                   events: Sequence[Mapping[str, Any]]) -> bool:
    """Write the message, its item in its recipient's ``queue_name`` and ``events`` about it
    (journal entries; their message and chain ids are the message's) in the session's
    transaction. False, with nothing written, when the message's idempotency key is taken."""
    if session.bind.dialect.name == "postgresql":
        binds = {**message, "queue_name": queue_name, **row_values(events, _OWN_EVENT_COLUMNS)}
        return bool(_in_one_statement(len(events)).scalar(session, binds))
    if _INSERT_MESSAGE.run(session, message).rowcount == 0:
        return False
    _INSERT_ITEM.run(session, {
        "message_id": message["id"], "owner_code": message["recipient_code"],
        "queue_name": queue_name, "kind_id": message["kind_id"],
        "chain_id": message["chain_id"], "state": PENDING, "delivery_count": 0,
        "created_at": message["created_at"]})
    record_rows(session, [{**event, "message_id": message["id"],
                           "chain_id": message["chain_id"]} for event in events])
    return True
