"""Export and import of the registry of data types and attributes, as XML
(``xsd/smev-soap-registry-datatypes.xsd``) or JSON, for exchange with other systems (R3)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from smev_soap.registry.attributes import kind_attributes, replace_attributes
from smev_soap.registry.changes import registry_changed
from smev_soap.registry.datatypes import DataTypeSpec, check_spec, list_datatypes, put_datatype
from smev_soap.registry.errors import RegistryError, registered
from smev_soap.registry.kind_lookup import get_kind, list_kinds
from smev_soap.registry.xsd_walk import AttributeSpec
from smev_soap.resources import XSD_DIR
from smev_soap.xml.safe import XmlRejected, parse_xml

NS = "urn://smev-soap/registry/datatypes/1.0"
XSD_NAME = "smev-soap-registry-datatypes.xsd"
JSON_FORMAT = "smev-soap-datatypes/1.0"
FORMATS = ("xml", "json")
MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class KindAttributes:
    """A kind, named by namespace and root element, with its attributes."""

    namespace: str
    root: str
    attributes: tuple[AttributeSpec, ...]


@dataclass(frozen=True)
class DataTypeDocument:
    """Everything the exchange carries: data types, and attributes per kind."""

    datatypes: tuple[DataTypeSpec, ...]
    kinds: tuple[KindAttributes, ...]


def export_datatypes(session: Session, fmt: str) -> bytes:
    """The whole registry of data types and attributes as ``xml`` or ``json`` (UTF-8)."""
    document = DataTypeDocument(
        tuple(DataTypeSpec.of(row) for row in list_datatypes(session)),
        tuple(KindAttributes(kind.namespace, kind.root_element, tuple(
            AttributeSpec(a.path, a.type_name, a.required, a.multiple, a.description)
            for a in kind_attributes(session, kind)))
            for kind in list_kinds(session)),
    )
    if fmt == "xml":
        return _to_xml(document)
    if fmt == "json":
        return _to_json(document)
    raise RegistryError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def import_datatypes(session: Session, data: bytes, fmt: str, actor: str) -> tuple[int, int]:
    """Create or update the data types and replace the attributes of the kinds in ``data``.

    Every kind named must be registered. Returns (data types changed, kinds updated); on any
    error nothing is written (the caller's transaction is rolled back).
    """
    if fmt not in FORMATS:
        raise RegistryError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    document = _from_xml(data) if fmt == "xml" else _from_json(data)
    names = [spec.name for spec in document.datatypes]
    kind_names = [(entry.namespace, entry.root) for entry in document.kinds]
    if len(set(names)) != len(names) or len(set(kind_names)) != len(kind_names):
        raise RegistryError("a data type or a kind is given twice")
    for spec in document.datatypes:
        check_spec(spec)
    kinds = []
    for entry in document.kinds:
        kind = registered(get_kind(session, entry.namespace, entry.root),
                          f"kind {{{entry.namespace}}}{entry.root}")
        kinds.append((kind, entry.attributes))
    changed = sum(put_datatype(session, spec, actor)[1] for spec in document.datatypes)
    for kind, attributes in kinds:
        replace_attributes(session, kind, attributes)
    registry_changed(session, actor, f"data types imported ({fmt}): {changed} data type(s) "
                                     f"changed, attributes of {len(kinds)} kind(s) replaced")
    return changed, len(kinds)


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / XSD_NAME)))


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _to_xml(document: DataTypeDocument) -> bytes:
    root = etree.Element(_q("DataTypeRegistry"), nsmap={None: NS})
    for spec in document.datatypes:
        node = etree.SubElement(root, _q("DataType"), name=spec.name, base=spec.base_type)
        for tag, value in (("Pattern", spec.pattern), ("MinLength", spec.min_length),
                           ("MaxLength", spec.max_length), ("Description", spec.description)):
            if value is not None:
                etree.SubElement(node, _q(tag)).text = str(value)
    for kind in document.kinds:
        node = etree.SubElement(root, _q("Kind"), namespace=kind.namespace, root=kind.root)
        for attribute in kind.attributes:
            item = etree.SubElement(node, _q("Attribute"), path=attribute.path,
                                    required=_bool(attribute.required),
                                    multiple=_bool(attribute.multiple))
            if attribute.type_name is not None:
                item.set("type", attribute.type_name)
            if attribute.description is not None:
                etree.SubElement(item, _q("Description")).text = attribute.description
    _schema().assertValid(root)  # strict on write
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _from_xml(data: bytes) -> DataTypeDocument:
    try:
        root = parse_xml(data, max_bytes=MAX_BYTES)
    except XmlRejected as error:
        raise RegistryError(f"not acceptable XML: {error}") from None
    schema = _schema()
    if not schema.validate(root):
        raise RegistryError(f"does not match {XSD_NAME}: {schema.error_log.last_error.message}")

    def text(node: etree._Element, tag: str) -> str | None:
        return node.findtext(_q(tag))

    def number(node: etree._Element, tag: str) -> int | None:
        value = text(node, tag)
        return int(value) if value is not None else None

    return DataTypeDocument(
        tuple(DataTypeSpec(n.get("name"), n.get("base"), text(n, "Pattern"),
                           number(n, "MinLength"), number(n, "MaxLength"),
                           text(n, "Description"))
              for n in root.iterfind(_q("DataType"))),
        tuple(KindAttributes(k.get("namespace"), k.get("root"), tuple(
            AttributeSpec(a.get("path"), a.get("type"), a.get("required") in ("true", "1"),
                          a.get("multiple") in ("true", "1"), text(a, "Description"))
            for a in k.iterfind(_q("Attribute"))))
            for k in root.iterfind(_q("Kind"))),
    )


def _to_json(document: DataTypeDocument) -> bytes:
    body = {
        "format": JSON_FORMAT,
        "dataTypes": [{"name": s.name, "baseType": s.base_type, "pattern": s.pattern,
                       "minLength": s.min_length, "maxLength": s.max_length,
                       "description": s.description} for s in document.datatypes],
        "kinds": [{"namespace": k.namespace, "root": k.root, "attributes": [
            {"path": a.path, "type": a.type_name, "required": a.required,
             "multiple": a.multiple, "description": a.description} for a in k.attributes]}
            for k in document.kinds],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _from_json(data: bytes) -> DataTypeDocument:
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RegistryError(f"not JSON: {error}") from None
    if not isinstance(body, dict) or body.get("format") != JSON_FORMAT:
        raise RegistryError(f"not a {JSON_FORMAT} document")
    return DataTypeDocument(
        tuple(DataTypeSpec(_get(t, "name", str), _get(t, "baseType", str),
                           _get(t, "pattern", str, None), _get(t, "minLength", int, None),
                           _get(t, "maxLength", int, None), _get(t, "description", str, None))
              for t in _list(body, "dataTypes")),
        tuple(KindAttributes(_get(k, "namespace", str), _get(k, "root", str), tuple(
            AttributeSpec(_get(a, "path", str), _get(a, "type", str, None),
                          _get(a, "required", bool), _get(a, "multiple", bool, False),
                          _get(a, "description", str, None))
            for a in _list(k, "attributes")))
            for k in _list(body, "kinds")),
    )


_REQUIRED = object()


def _list(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = body.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise RegistryError(f"JSON: {key!r} must be a list of objects")
    return items


def _get(body: dict[str, Any], key: str, kind: type, default: Any = _REQUIRED) -> Any:
    value = body.get(key)
    if value is None:
        if default is _REQUIRED:
            raise RegistryError(f"JSON: {key!r} is required")
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise RegistryError(f"JSON: {key!r} must be a {kind.__name__}, not {value!r}")
    return value
