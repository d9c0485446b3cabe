"""Journal tables: one row per event (журнал событий) and one seal per sealed batch (D20)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from smev_soap.db import Base, UtcDateTime

#: Autoincrementing 64-bit key; SQLite needs INTEGER for its rowid alias.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class JournalEvent(Base):
    """One event in a message's movement or in the registry; ``batch_id`` is NULL until sealed."""

    __tablename__ = "journal_event"
    __table_args__ = (
        Index("ix_journal_event_message_id", "message_id"),
        Index("ix_journal_event_chain_id", "chain_id"),
        Index("ix_journal_event_batch_id", "batch_id"),
        {"sqlite_autoincrement": True},  # ids are never reused, even after the last row goes
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    event: Mapped[str] = mapped_column(String(32), nullable=False)
    participant: Mapped[str | None] = mapped_column(String(9))
    actor: Mapped[str | None] = mapped_column(String(100))
    message_id: Mapped[str | None] = mapped_column(String(100))
    chain_id: Mapped[str | None] = mapped_column(String(100))
    error_code: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    digest: Mapped[str | None] = mapped_column(String(128))
    batch_id: Mapped[int | None] = mapped_column(BigInteger)


class JournalSeal(Base):
    """The gateway-signed head of one sealed batch of journal rows.

    ``leaves`` holds the batch's leaf hashes in id order and ``id_ranges`` the batch's ids
    (``"1-4,6-9"``): both only help to name the first bad row; the signed fields (count, root,
    previous root) are what detects tampering.
    """

    __tablename__ = "journal_seal"

    batch_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    last_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    id_ranges: Mapped[str] = mapped_column(Text, nullable=False)
    leaves: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    root: Mapped[str] = mapped_column(String(64), nullable=False)
    prev_root: Mapped[str] = mapped_column(String(64), nullable=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    signer_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    sealed_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    def signed_head(self) -> bytes:
        """The bytes the gateway signs: ``batch|first|last|count|root|prev_root``."""
        return signed_head(
            self.batch_id, self.first_id, self.last_id, self.count, self.root, self.prev_root
        )


def signed_head(
    batch_id: int, first_id: int, last_id: int, count: int, root: str, prev_root: str
) -> bytes:
    return f"{batch_id}|{first_id}|{last_id}|{count}|{root}|{prev_root}".encode("ascii")
