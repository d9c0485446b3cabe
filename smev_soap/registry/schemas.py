"""XSDs of kinds of information: checked at registration, compiled once per process."""

from __future__ import annotations

import hashlib
import threading

from lxml import etree

from smev_soap.registry.errors import RegistryError
from smev_soap.registry.models import KindOfInformation
from smev_soap.xml.safe import XmlRejected, parse_xml

XS = "http://www.w3.org/2001/XMLSchema"
MAX_XSD_BYTES = 5 * 1024 * 1024

_cache: dict[tuple[int, str], etree.XMLSchema] = {}
_cache_lock = threading.Lock()


def xsd_sha256(xsd: str) -> str:
    return hashlib.sha256(xsd.encode("utf-8")).hexdigest()


def parse_document(text: str, what: str, *, max_bytes: int, root_tag: str,
                   root_name: str) -> etree._Element:
    """``text`` (the ``what``: XSD, WSDL) parsed safely; refused unless it is acceptable XML
    with the root element ``root_tag`` (``root_name`` in messages)."""
    try:
        document = parse_xml(text.encode("utf-8"), max_bytes=max_bytes)
    except XmlRejected as error:
        raise RegistryError(f"the {what} is not acceptable XML: {error}") from None
    if document.tag != root_tag:
        raise RegistryError(f"the {what}'s root element is not {root_name}")
    return document


def check_xsd(xsd: str, namespace: str, root: str) -> None:
    """Compile ``xsd`` and require ``{namespace}root`` among its global elements."""
    document = parse_document(xsd, "XSD", max_bytes=MAX_XSD_BYTES, root_tag=f"{{{XS}}}schema",
                              root_name="xs:schema")
    target = document.get("targetNamespace", "")
    if target != namespace:
        raise RegistryError(
            f"the XSD's targetNamespace {target!r} differs from the kind's namespace {namespace!r}"
        )
    try:
        etree.XMLSchema(document)
    except etree.XMLSchemaParseError as error:
        raise RegistryError(f"the XSD does not compile: {error}") from None
    if not document.xpath("xs:element[@name=$root]", namespaces={"xs": XS}, root=root):
        raise RegistryError(f"the XSD defines no global element {root!r} in {namespace}")


def compiled_schema(kind: KindOfInformation) -> etree.XMLSchema:
    """The kind's compiled schema, cached per process by kind id and XSD hash."""
    key = (kind.id, kind.xsd_sha256)
    schema = _cache.get(key)
    if schema is None:
        document = parse_xml(kind.xsd.encode("utf-8"), max_bytes=MAX_XSD_BYTES)
        schema = etree.XMLSchema(document)
        with _cache_lock:
            _cache[key] = schema
    return schema
