"""Agreements (соглашения о взаимодействии, R11, R15): what each participant may consume and
provide, and for how long. The single service's access decisions are read from here."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smev_soap.db import Base, UtcDateTime
from smev_soap.registry.models import KindOfInformation
from smev_soap.registry.service_models import ElectronicService


class Agreement(Base):
    """One participant's agreement; valid ``valid_from`` to ``valid_to`` inclusive (open when
    NULL). Two agreements of one participant never overlap."""

    __tablename__ = "agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    participant_code: Mapped[str] = mapped_column(
        ForeignKey("participant.code"), nullable=False, index=True
    )
    signed_on: Mapped[date] = mapped_column(Date, nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)
    connection_address: Mapped[str | None] = mapped_column(Text)  # адрес подключения
    officials: Mapped[str | None] = mapped_column(Text)  # уполномоченные должностные лица
    message_structures: Mapped[str | None] = mapped_column(Text)  # описание структуры сообщений
    restricted_handling: Mapped[str | None] = mapped_column(Text)  # порядок работы с ДСП
    allow_test: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    kinds: Mapped[list[AgreementKind]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementKind.id"
    )
    services: Mapped[list[AgreementService]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementService.id"
    )

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class AgreementKind(Base):
    """A kind of information the agreement lets its participant consume or provide."""

    __tablename__ = "agreement_kind"
    __table_args__ = (UniqueConstraint("agreement_id", "kind_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), nullable=False)
    kind_id: Mapped[int] = mapped_column(
        ForeignKey("kind_of_information.id"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    allow_test: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    agreement: Mapped[Agreement] = relationship(back_populates="kinds")
    kind: Mapped[KindOfInformation] = relationship()


class AgreementService(Base):
    """An electronic service (so every kind it serves) the agreement lets its participant use."""

    __tablename__ = "agreement_service"
    __table_args__ = (UniqueConstraint("agreement_id", "service_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id"), nullable=False)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("electronic_service.id"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(16), nullable=False)

    agreement: Mapped[Agreement] = relationship(back_populates="services")
    service: Mapped[ElectronicService] = relationship()
