from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from smev_soap.journal import EventType, history, record


def test_history_follows_the_whole_chain(database):
    with database.transaction() as session:
        record(session, EventType.RECEIVED, participant="MFCA00001", message_id="req",
               chain_id="req", digest="ZA==")
        record(session, EventType.QUEUED, participant="PFRS00001", message_id="req",
               chain_id="req")
        record(session, EventType.RECEIVED, participant="SOCZ00001", message_id="other",
               chain_id="other")
        record(session, EventType.REFUSED, participant="MFCA00001", message_id="lonely",
               error_code="RSMEV-400", detail="AppData does not validate")
    with database.transaction() as session:
        record(session, EventType.ANSWERED, participant="PFRS00001", message_id="resp",
               chain_id="req")
        record(session, EventType.ACKED, participant="MFCA00001", message_id="resp",
               chain_id="req")
    with database.transaction() as session:
        chain = [(e.event, e.message_id) for e in history(session, "req")]
        assert chain == [("received", "req"), ("queued", "req"), ("answered", "resp"),
                         ("acked", "resp")]
        assert [e.id for e in history(session, "resp")] == [e.id for e in history(session, "req")]
        lonely = history(session, "lonely")
        assert [(e.event, e.error_code) for e in lonely] == [("refused", "RSMEV-400")]
        assert history(session, "unknown") == []


def test_record_keeps_utc_and_refuses_unknown_events(database):
    moscow = datetime(2026, 3, 1, 12, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Moscow"))
    with database.transaction() as session:
        row = record(session, EventType.DELIVERED, message_id="m", at=moscow)
        assert row.at == moscow and row.at.tzinfo is UTC
        with pytest.raises(ValueError):
            record(session, "teleported", message_id="m")
