"""Reference-data tables: data types and attributes (R3), classifiers (НСИ, R14) and connection
applications (заявки на подключение, R15)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from smev_soap.db import Base, UtcDateTime

BIG_ID = BigInteger().with_variant(Integer(), "sqlite")
LIVE = "version_removed IS NULL"
CLOSED = "version_removed IS NOT NULL"

SUBMITTED = "submitted"
APPROVED = "approved"
REFUSED = "refused"


class DataType(Base):
    """A named data type (тип данных): a restriction of a base type."""

    __tablename__ = "data_type"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    base_type: Mapped[str] = mapped_column(String(300), nullable=False)
    pattern: Mapped[str | None] = mapped_column(Text)
    min_length: Mapped[int | None] = mapped_column(Integer)
    max_length: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(100), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class KindAttribute(Base):
    """An attribute (атрибут) of a kind of information: one element or XML attribute by path."""

    __tablename__ = "kind_attribute"
    __table_args__ = (UniqueConstraint("kind_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind_id: Mapped[int] = mapped_column(
        ForeignKey("kind_of_information.id"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # document order
    path: Mapped[str] = mapped_column(String(1000), nullable=False)  # Root/Child/@attribute
    type_name: Mapped[str | None] = mapped_column(String(300))  # xs:date, {ns}Name; None: anonymous
    required: Mapped[bool] = mapped_column(Boolean, nullable=False)
    multiple: Mapped[bool] = mapped_column(Boolean, nullable=False)
    description: Mapped[str | None] = mapped_column(Text)


class Classifier(Base):
    """A reference dictionary (классификатор, справочник НСИ); each import is a new version."""

    __tablename__ = "classifier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    title: Mapped[str | None] = mapped_column(String(500))
    current_version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)

    versions: Mapped[list[ClassifierVersion]] = relationship(order_by="ClassifierVersion.version")


class ClassifierVersion(Base):
    """One import of a classifier, with what it changed."""

    __tablename__ = "classifier_version"
    __table_args__ = (UniqueConstraint("classifier_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    classifier_id: Mapped[int] = mapped_column(ForeignKey("classifier.id"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    source: Mapped[str] = mapped_column(String(500), nullable=False)
    items: Mapped[int] = mapped_column(Integer, nullable=False)
    added: Mapped[int] = mapped_column(Integer, nullable=False)
    changed: Mapped[int] = mapped_column(Integer, nullable=False)
    removed: Mapped[int] = mapped_column(Integer, nullable=False)
    imported_by: Mapped[str] = mapped_column(String(100), nullable=False)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class ClassifierItem(Base):
    """One state of an item (позиция), live from ``version_added`` until ``version_removed``.

    A change closes the old row and opens a new one, so "changes since version N" reads only
    rows added or removed after N (two index ranges), and the live rows have a unique index.
    The indexes of closed rows are partial so that planners never take them for live ones.
    """

    __tablename__ = "classifier_item"
    __table_args__ = (
        Index("ix_classifier_item_live", "classifier_id", "code", unique=True,
              postgresql_where=text(LIVE), sqlite_where=text(LIVE)),
        Index("ix_classifier_item_code", "classifier_id", "code",
              postgresql_where=text(CLOSED), sqlite_where=text(CLOSED)),
        Index("ix_classifier_item_added", "classifier_id", "version_added"),
        Index("ix_classifier_item_removed", "classifier_id", "version_removed",
              postgresql_where=text(CLOSED), sqlite_where=text(CLOSED)),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    classifier_id: Mapped[int] = mapped_column(ForeignKey("classifier.id"), nullable=False)
    code: Mapped[str] = mapped_column(String(100), nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    parent_code: Mapped[str | None] = mapped_column(String(100))
    attributes: Mapped[str | None] = mapped_column(Text)  # JSON object, keys sorted
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    version_added: Mapped[int] = mapped_column(Integer, nullable=False)
    version_removed: Mapped[int | None] = mapped_column(Integer)


class ClassifierStaging(Base):
    """Rows of an import in progress; filled and emptied inside the import's transaction."""

    __tablename__ = "classifier_staging"

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    row_number: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    parent_code: Mapped[str | None] = mapped_column(String(100))
    attributes: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class ConnectionApplication(Base):
    """An application to connect a system (заявка на подключение): submitted → approved|refused."""

    __tablename__ = "connection_application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_code: Mapped[str] = mapped_column(String(9), nullable=False, index=True)
    organisation: Mapped[str] = mapped_column(String(500), nullable=False)
    system_name: Mapped[str] = mapped_column(String(500), nullable=False)
    category: Mapped[str] = mapped_column(String(16), nullable=False)  # kind of system
    contacts: Mapped[str] = mapped_column(Text, nullable=False)
    certificate_der: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    certificate_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    certificate_subject: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(String(100), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    kinds: Mapped[list[ApplicationKind]] = relationship(order_by="ApplicationKind.id")


class ApplicationKind(Base):
    """A kind of information an application asks access to, and in which role."""

    __tablename__ = "application_kind"
    __table_args__ = (UniqueConstraint("application_id", "namespace", "root_element", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("connection_application.id"), nullable=False
    )
    namespace: Mapped[str] = mapped_column(String(500), nullable=False)
    root_element: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
