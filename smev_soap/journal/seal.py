"""Sealing (D20): claim unsealed journal rows, sign their Merkle root, anchor it in a log file."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from smev_soap.db import Database
from smev_soap.journal.locks import job_lock
from smev_soap.journal.merkle import EMPTY_ROOT, leaf_hash, merkle_root
from smev_soap.journal.models import JournalEvent, JournalSeal, signed_head
from smev_soap.journal.ranges import format_ranges, to_ranges

if TYPE_CHECKING:
    from smev_soap.crypto import Certificate, PrivateKey

LOCK_NAME = "journal-seal"
DEFAULT_MAX_ROWS = 5000
#: Rows younger than this are left for the next pass, so that a transaction which took an id
#: earlier but commits later is not skipped over (PostgreSQL sequences are not commit-ordered).
DEFAULT_GRACE_SECONDS = 2.0
RANGES_PER_UPDATE = 500  # keeps SQLite's expression depth limit far away


@dataclass(frozen=True)
class SealHead:
    """What the seals log keeps of a seal (one JSON line)."""

    batch_id: int
    first_id: int
    last_id: int
    count: int
    root: str
    prev_root: str
    signature: str  # base64
    signer: str
    sealed_at: str

    @classmethod
    def of(cls, seal: JournalSeal) -> SealHead:
        return cls(
            seal.batch_id, seal.first_id, seal.last_id, seal.count, seal.root, seal.prev_root,
            base64.b64encode(seal.signature).decode("ascii"), seal.signer_fingerprint,
            seal.sealed_at.isoformat(),
        )

    def to_line(self) -> str:
        return json.dumps(self.__dict__, separators=(",", ":")) + "\n"

    @classmethod
    def from_line(cls, line: str) -> SealHead:
        return cls(**json.loads(line))


def seal_pending(
    database: Database,
    key: PrivateKey,
    cert: Certificate,
    log_path: Path,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    grace_seconds: float = DEFAULT_GRACE_SECONDS,
    now: datetime | None = None,
) -> list[SealHead] | None:
    """Seal every unsealed row older than the grace period, ``max_rows`` per batch.

    Returns the new seal heads (appended to ``log_path``), or None when another node holds the
    sealing lock.
    """
    cutoff = (now or datetime.now(UTC)).astimezone(UTC) - timedelta(seconds=grace_seconds)
    heads: list[SealHead] = []
    with job_lock(database, LOCK_NAME, log_path.parent) as held:
        if not held:
            return None
        while True:
            with database.transaction() as session:
                seal = _seal_batch(session, key, cert, cutoff, max_rows)
                head = SealHead.of(seal) if seal else None
            if head is None:
                return heads
            _append(log_path, head)
            heads.append(head)


def _seal_batch(
    session: Session, key: PrivateKey, cert: Certificate, cutoff: datetime, max_rows: int
) -> JournalSeal | None:
    rows = list(session.scalars(
        select(JournalEvent)
        .where(JournalEvent.batch_id.is_(None), JournalEvent.at <= cutoff)
        .order_by(JournalEvent.id)
        .limit(max_rows)
    ))
    if not rows:
        return None
    previous = session.scalars(
        select(JournalSeal).order_by(JournalSeal.batch_id.desc()).limit(1)
    ).first()
    batch_id = previous.batch_id + 1 if previous else 1
    prev_root = previous.root if previous else EMPTY_ROOT
    runs = to_ranges([row.id for row in rows])
    for start in range(0, len(runs), RANGES_PER_UPDATE):
        chunk = runs[start:start + RANGES_PER_UPDATE]
        session.execute(
            update(JournalEvent)
            .where(or_(*(and_(JournalEvent.id >= a, JournalEvent.id <= b) for a, b in chunk)))
            .values(batch_id=batch_id)
            .execution_options(synchronize_session=False)
        )
    for row in rows:
        session.expunge(row)  # hashed as now stored; never flushed again
        row.batch_id = batch_id
    leaves = [leaf_hash(row) for row in rows]
    root = merkle_root(leaves)
    first_id, last_id = rows[0].id, rows[-1].id
    head = signed_head(batch_id, first_id, last_id, len(rows), root, prev_root)
    seal = JournalSeal(
        batch_id=batch_id, first_id=first_id, last_id=last_id, count=len(rows),
        id_ranges=format_ranges(runs), leaves=b"".join(leaves), root=root, prev_root=prev_root,
        signature=key.sign(head), signer_fingerprint=cert.fingerprint_sha256,
        sealed_at=datetime.now(UTC),
    )
    session.add(seal)
    return seal


def _append(log_path: Path, head: SealHead) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(head.to_line())
        log.flush()
        os.fsync(log.fileno())


def read_seals_log(log_path: Path) -> list[SealHead]:
    """The heads recorded in the seals log, in file order (empty when there is no log)."""
    if not log_path.exists():
        return []
    with open(log_path, encoding="utf-8") as log:
        return [SealHead.from_line(line) for line in log if line.strip()]
