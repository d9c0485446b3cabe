"""``smev-soap worker --once``: journal seals, dead letters and the one-node locks (D15)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from smev_soap.client import read_answer
from smev_soap.db import Database
from smev_soap.journal import EventType, JournalEvent, record
from smev_soap.journal.locks import job_lock
from smev_soap.journal.seal import LOCK_NAME as SEAL_LOCK
from smev_soap.queue import (
    DEAD,
    LEASED,
    REQUEST,
    REQUESTS,
    RESPONSE,
    RESPONSES,
    QueueItem,
    enqueue,
    lease,
)
from smev_soap.queue import Message as QueuedMessage
from smev_soap.queue.replay import first_use
from smev_soap.worker import DEAD_LETTER_LOCK, SKIPPED

MFC, AGENCY = "MFCR00001", "SZNR00001"
HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)


def _journal_rows(database: Database, count: int) -> None:
    """Rows old enough to be past the sealing grace period."""
    with database.transaction() as session:
        for n in range(count):
            record(session, EventType.QUEUED, participant=AGENCY, message_id=f"m{n}",
                   chain_id="c", detail=f"событие {n}", at=HOUR_AGO)


def _exhausted(database: Database, message_class: str, sender: str, recipient: str) -> str:
    """A message leased twice (``max_deliveries`` = 2) an hour ago, never acknowledged."""
    with database.transaction() as session:
        status = "REQUEST" if message_class == REQUEST else "RESULT"
        message = enqueue(session, sender=sender, recipient=recipient,
                          message_class=message_class, status=status,
                          envelope=b"<envelope/>", case_number="42", now=HOUR_AGO)
    queue = REQUESTS if message_class == REQUEST else RESPONSES
    for attempt in range(2):
        with database.transaction() as session:
            leased = lease(session, recipient, queue, lease_seconds=60,
                           now=HOUR_AGO + timedelta(minutes=5 * attempt))
            assert leased is not None and leased.message.id == message.id
    return message.id


def test_once_seals_the_journal_and_verify_passes(smev, database):
    _journal_rows(database, 3)
    code, out = smev("worker", "--once")
    assert code == 0
    assert "journal-seal: sealed 3 rows in 1 batch(es)" in out.splitlines()
    code, out = smev("journal", "verify")
    assert code == 0 and out.startswith("1 sealed batches, 3 sealed rows")
    assert out.endswith("journal OK\n")


def test_dead_request_notifies_its_sender(smev, database, gateway):
    request_id = _exhausted(database, REQUEST, MFC, AGENCY)
    code, out = smev("worker", "--once")
    assert code == 0 and "dead-letters: 1 dead letter(s)" in out.splitlines()

    with database.transaction() as session:
        state = session.scalar(select(QueueItem.state).where(QueueItem.message_id == request_id))
        assert state == DEAD
        notice = lease(session, MFC, RESPONSES, lease_seconds=60)
        assert notice is not None
        events = session.scalars(select(JournalEvent.event).where(
            JournalEvent.message_id == request_id)).all()
    assert EventType.DEAD_LETTERED.value in events
    message = notice.message
    assert (message.sender_code, message.status) == (gateway.code, "NOTIFY")
    assert (message.request_id_ref, message.chain_id) == (request_id, request_id)
    answer = read_answer(zlib.decompress(message.envelope_z))
    assert answer.verification.sender.certificate.fingerprint_sha256 == \
        gateway.cert.fingerprint_sha256
    assert answer.status.value == "NOTIFY" and answer.error_code == "RSMEV-503"
    assert answer.message.request_id_ref == request_id
    assert answer.message.case_number == "42"

    assert smev("worker", "--once")[1].splitlines()[1] == "dead-letters: 0 dead letter(s)"


def test_dead_response_is_journalled_without_notice(smev, database):
    response_id = _exhausted(database, RESPONSE, AGENCY, MFC)
    assert smev("worker", "--once")[0] == 0
    with database.transaction() as session:
        assert session.scalar(select(QueueItem.state).where(
            QueueItem.message_id == response_id)) == DEAD
        assert session.scalar(select(JournalEvent.error_code).where(
            JournalEvent.event == EventType.DEAD_LETTERED.value)) == "RSMEV-503"
        assert session.scalars(select(QueuedMessage.id)).all() == [response_id]


@contextmanager
def _held_elsewhere(database: Database, name: str, var_dir) -> Iterator[None]:
    """The job's lock held by another connection (PostgreSQL) or open file (SQLite)."""
    if database.dialect == "postgresql":
        other = Database(database.url)
        try:
            with other.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:k)"),
                                   {"k": zlib.crc32(name.encode())})
                yield
                connection.execute(text("SELECT pg_advisory_unlock_all()"))
        finally:
            other.dispose()
        return
    with job_lock(database, name, var_dir) as held:
        assert held
        yield


def test_a_job_whose_lock_is_held_is_skipped(smev, database, worker_env):
    _journal_rows(database, 2)
    request_id = _exhausted(database, REQUEST, MFC, AGENCY)
    with _held_elsewhere(database, SEAL_LOCK, worker_env.var_dir), \
            _held_elsewhere(database, DEAD_LETTER_LOCK, worker_env.var_dir):
        code, out = smev("worker", "--once")
    assert code == 0
    assert out.splitlines() == [f"journal-seal: {SKIPPED}", f"dead-letters: {SKIPPED}",
                                "control-calls: forgot 0 control call(s)"]
    with database.transaction() as session:
        assert session.scalar(select(QueueItem.state).where(
            QueueItem.message_id == request_id)) == LEASED
        assert session.scalars(select(JournalEvent.batch_id)).all() == [None] * 2
    code, out = smev("worker", "--once")
    assert out.splitlines() == ["journal-seal: sealed 2 rows in 1 batch(es)",
                                "dead-letters: 1 dead letter(s)",
                                "control-calls: forgot 0 control call(s)"]


def test_control_calls_older_than_the_window_are_forgotten(smev, database):
    now = datetime.now(UTC)
    with database.transaction() as session:
        assert first_use(session, MFC, "old-digest", now - timedelta(days=2))
        assert first_use(session, MFC, "new-digest", now)
        assert not first_use(session, MFC, "new-digest", now)
    code, out = smev("worker", "--once")
    assert code == 0 and "control-calls: forgot 1 control call(s)" in out.splitlines()
    with database.transaction() as session:
        assert first_use(session, MFC, "old-digest", now)
        assert not first_use(session, MFC, "new-digest", now)
