"""The registry of data types (реестр типов данных): named restrictions of a base type (R3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import quoteattr

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.registry.changes import registry_changed
from smev_soap.registry.errors import RegistryError, registered
from smev_soap.registry.reference_models import DataType

MAX_NAME = 300


@dataclass(frozen=True)
class DataTypeSpec:
    """What defines a data type; the unit of export and import."""

    name: str
    base_type: str
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    description: str | None = None

    @classmethod
    def of(cls, row: DataType) -> DataTypeSpec:
        return cls(row.name, row.base_type, row.pattern, row.min_length, row.max_length,
                   row.description)


def check_spec(spec: DataTypeSpec) -> DataTypeSpec:
    """Refuse an empty name or base, negative or crossed lengths, a pattern XSD cannot compile."""
    if not spec.name.strip() or len(spec.name) > MAX_NAME:
        raise RegistryError(f"a data type name must be 1 to {MAX_NAME} characters")
    if not spec.base_type.strip() or len(spec.base_type) > MAX_NAME:
        raise RegistryError(f"data type {spec.name}: the base type must be 1 to {MAX_NAME} "
                            "characters")
    for bound in (spec.min_length, spec.max_length):
        if bound is not None and bound < 0:
            raise RegistryError(f"data type {spec.name}: a length cannot be negative")
    if (spec.min_length is not None and spec.max_length is not None
            and spec.min_length > spec.max_length):
        raise RegistryError(f"data type {spec.name}: minimum length exceeds maximum length")
    if spec.pattern is not None:
        _check_pattern(spec.name, spec.pattern)
    return spec


def put_datatype(session: Session, spec: DataTypeSpec, actor: str) -> tuple[DataType, bool]:
    """Create or update a data type without journalling; True when something changed."""
    check_spec(spec)
    row = find_datatype(session, spec.name)
    if row is not None and DataTypeSpec.of(row) == spec:
        return row, False
    if row is None:
        row = DataType(name=spec.name)
        session.add(row)
    row.base_type, row.pattern = spec.base_type, spec.pattern
    row.min_length, row.max_length = spec.min_length, spec.max_length
    row.description = spec.description
    row.changed_by, row.changed_at = actor, datetime.now(UTC)
    return row, True


def add_datatype(session: Session, spec: DataTypeSpec, actor: str) -> DataType:
    """Register a new data type; a name already taken is refused."""
    if find_datatype(session, spec.name) is not None:
        raise RegistryError(f"data type {spec.name} is already registered")
    row, _ = put_datatype(session, spec, actor)
    registry_changed(session, actor, f"data type {spec.name} added (base {spec.base_type})")
    return row


def update_datatype(session: Session, spec: DataTypeSpec, actor: str) -> DataType:
    """Replace the definition of a registered data type."""
    get_datatype(session, spec.name)
    row, changed = put_datatype(session, spec, actor)
    if changed:
        registry_changed(session, actor, f"data type {spec.name} changed")
    return row


def find_datatype(session: Session, name: str) -> DataType | None:
    return session.scalars(select(DataType).where(DataType.name == name)).first()


def get_datatype(session: Session, name: str) -> DataType:
    return registered(find_datatype(session, name), f"data type {name}")


def list_datatypes(session: Session) -> list[DataType]:
    return list(session.scalars(select(DataType).order_by(DataType.name)))


def _check_pattern(name: str, pattern: str) -> None:
    """Compile the pattern as an XSD regular expression (its dialect differs from Python's)."""
    schema = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:simpleType name="t">'
        f'<xs:restriction base="xs:string"><xs:pattern value={quoteattr(pattern)}/>'
        "</xs:restriction></xs:simpleType></xs:schema>"
    )
    try:
        etree.XMLSchema(etree.fromstring(schema))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError):
        raise RegistryError(f"data type {name}: {pattern!r} is not an XSD pattern") from None
