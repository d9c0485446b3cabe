"""Registry tables: participants and their certificates, kinds of information (виды сведений)
with their providers and the classified list (гриф). Electronic services and agreements have
their own modules (``service_models``, ``agreement_models``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smev_soap.db import Base, UtcDateTime

PENDING = "pending"
ACTIVE = "active"
SUSPENDED = "suspended"
BLOCKED = "blocked"
WITHDRAWN = "withdrawn"
CONSUMER = "consumer"
PROVIDER = "provider"

#: What kind of system a participant is (вид участника).
CATEGORIES = ("federal", "regional", "municipal", "mfc", "portal")
REGIONAL = "regional"
FEDERAL = "federal"
#: Classification of a kind (категория доступа); state secrets are never registered (R20).
PUBLIC = "public"
RESTRICTED = "restricted"
STATE_SECRET = "state-secret"


class Participant(Base):
    """A connected information system (участник взаимодействия), known by its 9-character code."""

    __tablename__ = "participant"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)  # mnemonic code
    name: Mapped[str] = mapped_column(String(500), nullable=False)  # the organisation
    system_name: Mapped[str | None] = mapped_column(String(500))  # its information system
    category: Mapped[str] = mapped_column(String(16), nullable=False, default=REGIONAL)
    contacts: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_by: Mapped[str | None] = mapped_column(String(100))
    status_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    certificates: Mapped[list[ParticipantCertificate]] = relationship(
        back_populates="participant", order_by="ParticipantCertificate.not_after"
    )

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


class ParticipantCertificate(Base):
    """A signing certificate registered to a participant (authorship, D19).

    ``valid_from``/``valid_to`` is the registered validity, inside the certificate's own; keys
    rotate by registering the new certificate before retiring the old one (both accepted meanwhile).
    """

    __tablename__ = "participant_certificate"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256, hex
    participant_code: Mapped[str] = mapped_column(
        ForeignKey("participant.code"), nullable=False, index=True
    )
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    not_before: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    not_after: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    valid_to: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    der: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)

    participant: Mapped[Participant] = relationship(back_populates="certificates")


class KindOfInformation(Base):
    """A registered payload format (вид сведений), routed by namespace URI and root element.

    Each version has its own namespace URI (…/1.0.0, …/1.1.0); versions coexist.
    """

    __tablename__ = "kind_of_information"
    __table_args__ = (UniqueConstraint("namespace", "root_element"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(500), nullable=False)
    root_element: Mapped[str] = mapped_column(String(200), nullable=False)
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    version: Mapped[str] = mapped_column(String(20), nullable=False, default="1.0")
    classification: Mapped[str] = mapped_column(String(16), nullable=False, default=PUBLIC)
    scope: Mapped[str] = mapped_column(String(16), nullable=False, default=REGIONAL)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=ACTIVE)
    xsd: Mapped[str] = mapped_column(Text, nullable=False)
    xsd_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    service_mnemonic: Mapped[str | None] = mapped_column(String(100), unique=True)
    strict_attachments: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    multi_root: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    providers: Mapped[list[KindProvider]] = relationship(
        back_populates="kind", order_by="KindProvider.id"
    )

    @property
    def label(self) -> str:
        """``{namespace}root``, as messages and errors name the kind."""
        return f"{{{self.namespace}}}{self.root_element}"


class KindProvider(Base):
    """A provider (поставщик) of a kind, optionally bound to an OKTMO prefix (D9)."""

    __tablename__ = "kind_provider"
    __table_args__ = (UniqueConstraint("kind_id", "participant_code", "oktmo_prefix"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind_id: Mapped[int] = mapped_column(
        ForeignKey("kind_of_information.id"), nullable=False, index=True
    )
    participant_code: Mapped[str] = mapped_column(ForeignKey("participant.code"), nullable=False)
    oktmo_prefix: Mapped[str | None] = mapped_column(String(11))

    kind: Mapped[KindOfInformation] = relationship(back_populates="providers")


class ClassifiedEntry(Base):
    """A namespace (any root when ``root_element`` is NULL) carrying state secrets (гриф, D14)."""

    __tablename__ = "classified_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(500), nullable=False, index=True)
    root_element: Mapped[str | None] = mapped_column(String(200))
    added_by: Mapped[str] = mapped_column(String(100), nullable=False)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

