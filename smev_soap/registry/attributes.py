"""Attributes of kinds of information (атрибуты видов сведений): derived from the kind's XSD at
registration, then editable by the operator (R3)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from smev_soap.registry.changes import registry_changed
from smev_soap.registry.datatypes import DataTypeSpec, find_datatype, put_datatype
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.models import KindOfInformation
from smev_soap.registry.reference_models import KindAttribute
from smev_soap.registry.schemas import MAX_XSD_BYTES
from smev_soap.registry.xsd_walk import AttributeSpec, SchemaWalker
from smev_soap.xml.safe import XmlRejected, parse_xml

DERIVED_BY = "xsd"
MAX_PATH = 1000


def kind_label(kind: KindOfInformation) -> str:
    return f"{{{kind.namespace}}}{kind.root_element}"


def derive_attributes(
    session: Session, kind: KindOfInformation, actor: str = DERIVED_BY
) -> list[KindAttribute]:
    """(Re)build the kind's attributes from its XSD and register its named simple types.

    Call it after a kind (or a new XSD of it) is registered, in the same transaction; the caller
    journals the change. Descriptions the operator entered survive for paths that remain.
    Named simple types become data types ``{namespace}Name`` unless that name is taken.
    """
    try:
        walker = SchemaWalker(parse_xml(kind.xsd.encode("utf-8"), max_bytes=MAX_XSD_BYTES))
    except XmlRejected as error:
        raise RegistryError(f"the XSD of {kind_label(kind)} is not acceptable XML: {error}") \
            from None
    if kind.root_element not in walker.globals.get("element", {}):
        raise RegistryError(f"the XSD of {kind_label(kind)} has no element {kind.root_element}")
    for simple in walker.simple_types():
        if find_datatype(session, simple.name) is None:
            put_datatype(session, DataTypeSpec(
                simple.name, simple.base_type, simple.pattern, simple.min_length,
                simple.max_length, simple.description), actor)
    kept = {a.path: a.description for a in kind_attributes(session, kind) if a.description}
    specs = [spec if spec.description or spec.path not in kept
             else AttributeSpec(spec.path, spec.type_name, spec.required, spec.multiple,
                                kept[spec.path])
             for spec in walker.attributes(kind.root_element)]
    return replace_attributes(session, kind, specs)


def replace_attributes(
    session: Session, kind: KindOfInformation, specs: Sequence[AttributeSpec]
) -> list[KindAttribute]:
    """Make ``specs`` the kind's attributes (without journalling)."""
    paths = [spec.path for spec in specs]
    if len(set(paths)) != len(paths):
        raise RegistryError(f"{kind_label(kind)}: an attribute path is given twice")
    for path in paths:
        if not path or len(path) > MAX_PATH:
            raise RegistryError(f"{kind_label(kind)}: attribute paths are 1 to {MAX_PATH} "
                                "characters")
    for row in kind_attributes(session, kind):
        session.delete(row)
    session.flush()
    rows = [KindAttribute(kind_id=kind.id, position=position, path=spec.path,
                          type_name=spec.type_name, required=spec.required,
                          multiple=spec.multiple, description=spec.description)
            for position, spec in enumerate(specs)]
    session.add_all(rows)
    session.flush()
    return rows


def kind_attributes(session: Session, kind: KindOfInformation) -> list[KindAttribute]:
    """The kind's attributes in document order."""
    return list(session.scalars(
        select(KindAttribute).where(KindAttribute.kind_id == kind.id)
        .order_by(KindAttribute.position)
    ))


def edit_attribute(
    session: Session, kind: KindOfInformation, path: str, actor: str, *,
    type_name: str | None = None, required: bool | None = None, description: str | None = None,
) -> KindAttribute:
    """Change an attribute's type, obligation or description (None leaves a field as it is;
    an empty description clears it)."""
    row = session.scalars(select(KindAttribute).where(
        KindAttribute.kind_id == kind.id, KindAttribute.path == path)).first()
    if row is None:
        raise RegistryError(f"{kind_label(kind)} has no attribute {path}")
    if type_name is not None:
        if not type_name.strip():
            raise RegistryError("an attribute type cannot be empty")
        row.type_name = type_name
    if required is not None:
        row.required = required
    if description is not None:
        row.description = description.strip() or None
    registry_changed(session, actor, f"attribute {path} of {kind_label(kind)} edited")
    return row
