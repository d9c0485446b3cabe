"""Checking the sealed journal (D20): altered, deleted or inserted rows, broken seals.

Every sealed batch is recomputed from its rows and compared with its signed seal; the seals
must chain by root and agree with the seals log when one is given. Rows not sealed yet (younger
than one sealing interval) are counted as ``unsealed_rows``: they are **not yet protected**.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smev_soap.db import Database
from smev_soap.journal.merkle import EMPTY_ROOT, leaf_hash, merkle_root
from smev_soap.journal.models import JournalEvent, JournalSeal
from smev_soap.journal.ranges import parse_ranges
from smev_soap.journal.seal import read_seals_log

if TYPE_CHECKING:
    from smev_soap.crypto import PublicKey

LEAF_SIZE = 32


@dataclass(frozen=True)
class Problem:
    """One finding; ``kind`` is altered, deleted, inserted, orphaned, seal, signature, chain or log."""

    kind: str
    message: str
    batch_id: int | None = None
    event_id: int | None = None


@dataclass
class VerifyReport:
    sealed_batches: int = 0
    sealed_rows: int = 0
    unsealed_rows: int = 0  # not yet protected
    problems: list[Problem] = field(default_factory=list)
    unanchored: list[int] = field(default_factory=list)  # seals not (yet) in the seals log

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def verify_journal(
    database: Database, public_key: PublicKey, log_path: Path | None = None
) -> VerifyReport:
    """Recompute every sealed batch; compare with the seals log at ``log_path`` if given."""
    report = VerifyReport()
    with database.transaction() as session:
        seals = list(session.scalars(select(JournalSeal).order_by(JournalSeal.batch_id)))
        previous_root, expected_batch = EMPTY_ROOT, 1
        for seal in seals:
            if seal.batch_id != expected_batch:
                report.problems.append(Problem(
                    "chain", f"seals of batches {expected_batch}..{seal.batch_id - 1} are missing",
                    expected_batch))
            if seal.prev_root != previous_root:
                report.problems.append(Problem(
                    "chain", f"batch {seal.batch_id}: previous root does not match the root "
                    "of the batch before it", seal.batch_id))
            _check_seal(seal, public_key, report)
            _check_rows(session, seal, report)
            previous_root, expected_batch = seal.root, seal.batch_id + 1
        _check_orphans(session, {seal.batch_id for seal in seals}, report)
        report.sealed_batches = len(seals)
        report.sealed_rows = sum(seal.count for seal in seals)
        report.unsealed_rows = session.scalar(
            select(func.count()).select_from(JournalEvent).where(JournalEvent.batch_id.is_(None))
        ) or 0
    if log_path is not None:
        _check_log(seals, log_path, report)
    return report


def _check_seal(seal: JournalSeal, public_key: PublicKey, report: VerifyReport) -> None:
    if not public_key.verify(seal.signed_head(), seal.signature):
        report.problems.append(
            Problem("signature", f"batch {seal.batch_id}: the seal's signature is invalid",
                    seal.batch_id))
    leaves = _stored_leaves(seal)
    if (len(leaves) != seal.count or len(parse_ranges(seal.id_ranges)) != seal.count
            or not leaves or merkle_root(leaves) != seal.root):
        report.problems.append(
            Problem("seal", f"batch {seal.batch_id}: the seal record was altered", seal.batch_id))


def _stored_leaves(seal: JournalSeal) -> list[bytes]:
    data = seal.leaves
    return [data[i:i + LEAF_SIZE] for i in range(0, len(data), LEAF_SIZE)]


def _check_rows(session: Session, seal: JournalSeal, report: VerifyReport) -> None:
    """Compare each row's leaf with the sealed leaves (authenticated when the seal is intact)."""
    rows = list(session.scalars(
        select(JournalEvent).where(JournalEvent.batch_id == seal.batch_id).order_by(JournalEvent.id)
    ))
    actual = {row.id: leaf_hash(row) for row in rows}
    expected = dict(zip(parse_ranges(seal.id_ranges), _stored_leaves(seal), strict=False))
    for event_id in sorted(actual.keys() | expected.keys()):
        kind = ("deleted" if event_id not in actual else "inserted" if event_id not in expected
                else "altered" if actual[event_id] != expected[event_id] else None)
        if kind:
            report.problems.append(Problem(
                kind, f"journal event {event_id} {kind} (batch {seal.batch_id})",
                seal.batch_id, event_id))


def _check_orphans(session: Session, sealed: set[int], report: VerifyReport) -> None:
    claimed = session.execute(
        select(JournalEvent.batch_id, func.min(JournalEvent.id))
        .where(JournalEvent.batch_id.is_not(None))
        .group_by(JournalEvent.batch_id)
        .order_by(JournalEvent.batch_id)
    )
    for batch_id, first_id in claimed:
        if batch_id not in sealed:
            report.problems.append(Problem(
                "orphaned", f"journal event {first_id} claims batch {batch_id}, which has no seal",
                batch_id, first_id))


def _check_log(seals: list[JournalSeal], log_path: Path, report: VerifyReport) -> None:
    by_batch = {seal.batch_id: seal for seal in seals}
    logged = set()
    for head in read_seals_log(log_path):
        logged.add(head.batch_id)
        seal = by_batch.get(head.batch_id)
        if seal is None:
            report.problems.append(Problem(
                "log", f"batch {head.batch_id} is in the seals log but not in the database",
                head.batch_id))
        elif (head.root, head.prev_root, head.count, head.first_id, head.last_id) != (
                seal.root, seal.prev_root, seal.count, seal.first_id, seal.last_id):
            report.problems.append(Problem(
                "log", f"batch {head.batch_id} differs from its line in the seals log",
                head.batch_id))
    report.unanchored = [seal.batch_id for seal in seals if seal.batch_id not in logged]
