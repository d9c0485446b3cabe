"""Writing an accepted message: its row, its queue item and its journal events, all or nothing.

On PostgreSQL it is one statement (data-modifying CTEs): one round trip instead of three, the
queue item and the events written only if the message row went in. SQLite runs the three
inserts in-process, inside the caller's ``BEGIN IMMEDIATE``. Either way a message whose
idempotency key (D10) is taken writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, cast, func, insert, select, union_all
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from smev_soap.db_direct import (
    DirectStatement,
    insert_row,
    insert_row_unless_conflict,
    row_values,
)
from smev_soap.journal.events import EVENT_COLUMNS, record_rows
from smev_soap.journal.models import JournalEvent
from smev_soap.queue.models import Message, QueueItem

#: The idempotency key (D10), unique: of concurrent copies of a message only one goes in.
IDEMPOTENCY_KEY = ("sender_code", "body_digest")
MESSAGE_COLUMNS = ("id", "kind_id", "sender_code", "recipient_code", "message_class", "status",
                   "chain_id", "request_id_ref", "case_number", "test", "body_digest",
                   "envelope", "created_at")
ITEM_COLUMNS = ("message_id", "owner_code", "queue_name", "kind_id", "chain_id", "state",
                "delivery_count", "created_at")
_MESSAGES, _ITEMS, _EVENTS = Message.__table__, QueueItem.__table__, JournalEvent.__table__
_ITEM_PREFIX = "item_"

_INSERT_MESSAGE = insert_row_unless_conflict("insert_message", _MESSAGES, MESSAGE_COLUMNS,
                                             unique=IDEMPOTENCY_KEY)
_INSERT_ITEM = insert_row("insert_queue_item", _ITEMS, ITEM_COLUMNS)


def _typed(table: Table, columns: Sequence[str], suffix: str = "", prefix: str = "") -> list:
    """Binds cast to their columns' types (an INSERT … SELECT types nothing by itself)."""
    return [cast(bindparam(f"{prefix}{column}{suffix}", type_=table.c[column].type),
                 table.c[column].type) for column in columns]


@cache
def _in_one_statement(events: int) -> DirectStatement:
    """PostgreSQL: the message (unless its key is taken), then its item and events from it."""
    stored = (postgresql.insert(_MESSAGES)
              .values({column: bindparam(column, type_=_MESSAGES.c[column].type)
                       for column in MESSAGE_COLUMNS})
              .on_conflict_do_nothing(index_elements=list(IDEMPOTENCY_KEY))
              .returning(_MESSAGES.c.id)
              .cte("stored"))
    writes: list[ClauseElement] = [insert(_ITEMS).from_select(
        ITEM_COLUMNS, select(*_typed(_ITEMS, ITEM_COLUMNS, prefix=_ITEM_PREFIX))
        .select_from(stored)).cte("queued")]
    if events:
        rows = [select(*_typed(_EVENTS, EVENT_COLUMNS, suffix=f"_{i}")).select_from(stored)
                for i in range(events)]
        writes.append(insert(_EVENTS).from_select(
            EVENT_COLUMNS, rows[0] if events == 1 else union_all(*rows)).cte("journalled"))
    return DirectStatement(f"accept_message_with_{events}_events",
                           select(func.count()).select_from(stored).add_cte(*writes))


def write_accepted(session: Session, message: Mapping[str, Any], item: Mapping[str, Any],
                   events: Sequence[Mapping[str, Any]]) -> bool:
    """Write the rows in the session's transaction; False (nothing written) when the message's
    idempotency key is taken."""
    if session.bind.dialect.name == "postgresql":
        binds = {**message, **{_ITEM_PREFIX + k: v for k, v in item.items()},
                 **row_values(events, EVENT_COLUMNS)}
        return bool(_in_one_statement(len(events)).scalar(session, binds))
    if _INSERT_MESSAGE.run(session, message).rowcount == 0:
        return False
    _INSERT_ITEM.run(session, item)
    record_rows(session, list(events))
    return True
