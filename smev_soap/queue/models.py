"""Queue tables: each accepted message once, and one queue item per delivery to its owner."""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from smev_soap.db import Base, UtcDateTime

REQUEST = "REQUEST"
RESPONSE = "RESPONSE"
REQUESTS = "requests"
RESPONSES = "responses"

PENDING = "pending"
LEASED = "leased"
ACKED = "acked"
DEAD = "dead"
CANCELLED = "cancelled"

_OPEN = "state IN ('pending', 'leased')"


class Message(Base):
    """An accepted SMEV message with its gateway id (UUID v1, D7) and its envelopes."""

    __tablename__ = "message"
    __table_args__ = (
        # the idempotency key (D10): one message per sender and signed Body
        Index("uq_message_idempotency", "sender_code", "body_digest", unique=True),
        Index("ix_message_chain_id", "chain_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind_id: Mapped[int | None] = mapped_column(ForeignKey("kind_of_information.id"))
    sender_code: Mapped[str] = mapped_column(String(9), nullable=False)
    recipient_code: Mapped[str] = mapped_column(String(9), nullable=False)
    message_class: Mapped[str] = mapped_column(String(8), nullable=False)  # REQUEST | RESPONSE
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # smev:Status
    chain_id: Mapped[str] = mapped_column(String(100), nullable=False)  # OriginRequestIdRef
    request_id_ref: Mapped[str | None] = mapped_column(String(100))
    case_number: Mapped[str | None] = mapped_column(String(100))
    test: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    body_digest: Mapped[str | None] = mapped_column(String(128))  # base64 DigestValue of Body
    envelope_z: Mapped[bytes] = mapped_column("envelope", LargeBinary, nullable=False)
    delivery_envelope_z: Mapped[bytes | None] = mapped_column("delivery_envelope", LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    @property
    def envelope(self) -> bytes:
        """The received envelope, byte for byte."""
        return zlib.decompress(self.envelope_z)

    @property
    def delivery_envelope(self) -> bytes | None:
        """The delivery-format envelope built at first delivery (D6), if built yet."""
        return zlib.decompress(self.delivery_envelope_z) if self.delivery_envelope_z else None


class QueueItem(Base):
    """A message waiting in its owner's ``requests`` or ``responses`` queue until acked."""

    __tablename__ = "queue_item"
    __table_args__ = (
        # the lease query: an owner's open items in id order (acked ones stay out of the index)
        Index("ix_queue_item_open", "owner_code", "queue_name", "id",
              postgresql_where=text(_OPEN), sqlite_where=text(_OPEN)),
        Index("ix_queue_item_chain", "chain_id", postgresql_where=text(_OPEN),
              sqlite_where=text(_OPEN)),
        Index("ix_queue_item_expiry", "lease_until", postgresql_where=text("state = 'leased'"),
              sqlite_where=text("state = 'leased'")),
        Index("ix_queue_item_dead", "owner_code", postgresql_where=text("state = 'dead'"),
              sqlite_where=text("state = 'dead'")),
        Index("ix_queue_item_message_id", "message_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    message_id: Mapped[str] = mapped_column(ForeignKey("message.id"), nullable=False)
    owner_code: Mapped[str] = mapped_column(String(9), nullable=False)
    queue_name: Mapped[str] = mapped_column(String(16), nullable=False)
    kind_id: Mapped[int | None] = mapped_column(Integer)  # copied from the message for filters
    chain_id: Mapped[str] = mapped_column(String(100), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default=PENDING)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivery_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    acked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MessagePart(Base):
    """A multipart/related part received with a message (its AppDocument Reference, D13)."""

    __tablename__ = "message_part"

    message_id: Mapped[str] = mapped_column(ForeignKey("message.id"), primary_key=True)
    content_id: Mapped[str] = mapped_column(String(500), primary_key=True)
    content_z: Mapped[bytes] = mapped_column("content", LargeBinary, nullable=False)

    @property
    def content(self) -> bytes:
        return zlib.decompress(self.content_z)
