from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from smev_soap.crypto import PrivateKey
from smev_soap.journal import (
    EventType,
    JournalEvent,
    JournalSeal,
    read_seals_log,
    record,
    seal_pending,
    verify_journal,
)
from smev_soap.journal.locks import job_lock
from smev_soap.journal.merkle import EMPTY_ROOT
from smev_soap.journal.seal import LOCK_NAME


def _record(database, count: int, *, at: datetime | None = None) -> list[int]:
    with database.transaction() as session:
        rows = [record(session, EventType.QUEUED, participant="PFRS00001",
                       message_id=f"m{n}", chain_id="c", detail=f"событие {n}", at=at)
                for n in range(count)]
        session.flush()
        return [row.id for row in rows]


@pytest.fixture
def sealed(database, gateway_key, gateway_cert, tmp_path):
    """Ten rows sealed in batches of four; returns (ids, log path)."""
    ids = _record(database, 10)
    log = tmp_path / "journal-seals.log"
    heads = seal_pending(database, gateway_key, gateway_cert, log, max_rows=4, grace_seconds=0)
    assert [h.count for h in heads] == [4, 4, 2]
    return ids, log


def _verify(database, gateway_cert, log):
    return verify_journal(database, gateway_cert.public_key, log)


def test_sealed_journal_verifies(database, gateway_cert, sealed):
    ids, log = sealed
    report = _verify(database, gateway_cert, log)
    assert report.ok and report.first_problem is None
    assert (report.sealed_batches, report.sealed_rows, report.unsealed_rows) == (3, 10, 0)
    assert report.unanchored == []
    heads = read_seals_log(log)
    assert [h.batch_id for h in heads] == [1, 2, 3]
    assert heads[0].prev_root == EMPTY_ROOT
    assert [h.prev_root for h in heads[1:]] == [h.root for h in heads[:-1]]
    assert (heads[0].first_id, heads[-1].last_id) == (ids[0], ids[-1])
    assert heads[0].signer == gateway_cert.fingerprint_sha256
    with database.transaction() as session:
        assert session.scalars(select(JournalEvent.batch_id).order_by(JournalEvent.id)).all() == [
            1] * 4 + [2] * 4 + [3] * 2


def test_nothing_to_seal_and_unsealed_rows_are_reported(database, gateway_key, gateway_cert,
                                                         sealed):
    _, log = sealed
    assert seal_pending(database, gateway_key, gateway_cert, log, grace_seconds=0) == []
    _record(database, 2)  # younger than the grace period: not yet protected
    assert seal_pending(database, gateway_key, gateway_cert, log, grace_seconds=60) == []
    report = _verify(database, gateway_cert, log)
    assert report.ok and report.unsealed_rows == 2
    later = datetime.now(UTC) + timedelta(seconds=120)
    heads = seal_pending(database, gateway_key, gateway_cert, log, grace_seconds=60, now=later)
    assert [(h.batch_id, h.count) for h in heads] == [(4, 2)]
    assert _verify(database, gateway_cert, log).unsealed_rows == 0


def test_altered_row_is_named(database, gateway_cert, sealed):
    ids, log = sealed
    with database.transaction() as session:
        session.execute(update(JournalEvent).where(JournalEvent.id == ids[5])
                        .values(detail="подделка"))
    report = _verify(database, gateway_cert, log)
    assert not report.ok
    first = report.first_problem
    assert (first.kind, first.event_id, first.batch_id) == ("altered", ids[5], 2)
    assert first.message == f"journal event {ids[5]} altered (batch 2)"
    assert len(report.problems) == 1


def test_deleted_row_is_named(database, gateway_cert, sealed):
    ids, log = sealed
    with database.transaction() as session:
        session.execute(delete(JournalEvent).where(JournalEvent.id == ids[2]))
    first = _verify(database, gateway_cert, log).first_problem
    assert (first.kind, first.event_id, first.batch_id) == ("deleted", ids[2], 1)


def test_deleted_last_row_is_named(database, gateway_cert, sealed):
    ids, log = sealed
    with database.transaction() as session:
        session.execute(delete(JournalEvent).where(JournalEvent.id == ids[-1]))
    first = _verify(database, gateway_cert, log).first_problem
    assert (first.kind, first.event_id) == ("deleted", ids[-1])


def test_row_moved_into_a_sealed_batch_is_named(database, gateway_cert, sealed):
    _, log = sealed
    (forged,) = _record(database, 1)
    with database.transaction() as session:
        session.execute(update(JournalEvent).where(JournalEvent.id == forged).values(batch_id=1))
    first = _verify(database, gateway_cert, log).first_problem
    assert (first.kind, first.event_id, first.batch_id) == ("inserted", forged, 1)


def test_altered_seal_breaks_signature_and_chain(database, gateway_cert, sealed):
    _, log = sealed
    with database.transaction() as session:
        session.execute(update(JournalSeal).where(JournalSeal.batch_id == 2)
                        .values(root="ab" * 32))
    report = _verify(database, gateway_cert, log)
    assert (report.first_problem.kind, report.first_problem.batch_id) == ("signature", 2)
    kinds = {(p.kind, p.batch_id) for p in report.problems}
    assert {("seal", 2), ("chain", 3), ("log", 2)} <= kinds


def test_deleted_seal_is_detected(database, gateway_cert, sealed):
    _, log = sealed
    with database.transaction() as session:
        session.execute(delete(JournalSeal).where(JournalSeal.batch_id == 2))
    report = _verify(database, gateway_cert, log)
    assert (report.first_problem.kind, report.first_problem.batch_id) == ("chain", 2)
    assert {"orphaned", "log"} <= {p.kind for p in report.problems}


def test_last_batch_removed_entirely_is_caught_by_the_seals_log(database, gateway_cert, sealed):
    _, log = sealed
    with database.transaction() as session:
        session.execute(delete(JournalEvent).where(JournalEvent.batch_id == 3))
        session.execute(delete(JournalSeal).where(JournalSeal.batch_id == 3))
    assert verify_journal(database, gateway_cert.public_key).ok  # the database alone agrees
    first = _verify(database, gateway_cert, log).first_problem
    assert (first.kind, first.batch_id) == ("log", 3)


def test_foreign_key_does_not_verify(database, gateway_cert, sealed):
    _, log = sealed
    stranger = PrivateKey.generate("gost2012-256").public_key()
    report = verify_journal(database, stranger, log)
    assert [p.kind for p in report.problems] == ["signature"] * 3


def test_seal_not_in_log_is_unanchored(database, gateway_cert, sealed):
    _, log = sealed
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:-1]))
    report = _verify(database, gateway_cert, log)
    assert report.ok and report.unanchored == [3]


def test_one_sealer_at_a_time(database, gateway_key, gateway_cert, tmp_path):
    _record(database, 3)
    log = tmp_path / "journal-seals.log"
    with job_lock(database, LOCK_NAME, tmp_path) as held:
        assert held
        assert seal_pending(database, gateway_key, gateway_cert, log, grace_seconds=0) is None
    assert len(seal_pending(database, gateway_key, gateway_cert, log, grace_seconds=0)) == 1
