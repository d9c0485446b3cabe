"""Registry of electronic services (реестр электронных сервисов, R2) and the kinds each serves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smev_soap.db import Base, UtcDateTime
from smev_soap.registry.models import ACTIVE, KindOfInformation

#: How requests reach the provider: its queue (pull), a push to its endpoint, the SMEV-2 proxy
#: to its endpoint, or the federal bridge.
DELIVERY_MODES = ("queue", "push", "smev2-proxy", "federal")
ENDPOINT_MODES = frozenset({"push", "smev2-proxy"})

service_kind = Table(
    "service_kind",
    Base.metadata,
    Column("service_id", ForeignKey("electronic_service.id"), primary_key=True),
    Column("kind_id", ForeignKey("kind_of_information.id"), primary_key=True, index=True),
)


class ElectronicService(Base):
    """A provider's electronic service, known by its SID and by mnemonic + version.

    The ``last_probe_*`` health fields are filled by monitoring and are not registry changes.
    """

    __tablename__ = "electronic_service"
    __table_args__ = (UniqueConstraint("mnemonic", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid: Mapped[str] = mapped_column(String(10), nullable=False, unique=True)  # SID0003564
    mnemonic: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    version: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    provider_code: Mapped[str] = mapped_column(
        ForeignKey("participant.code"), nullable=False, index=True
    )
    delivery: Mapped[str] = mapped_column(String(16), nullable=False)
    endpoint_url: Mapped[str | None] = mapped_column(String(1000))
    wsdl: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    last_probe_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_probe_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_probe_detail: Mapped[str | None] = mapped_column(Text)
    last_latency_ms: Mapped[int | None] = mapped_column(Integer)

    kinds: Mapped[list[KindOfInformation]] = relationship(
        secondary=service_kind, order_by=KindOfInformation.id
    )
