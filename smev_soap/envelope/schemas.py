"""Our XSDs (``xsd/``): compiled once per thread, used to check structure of read and written XML."""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from smev_soap.resources import XSD_DIR

from . import ns

SMEV_XSD = XSD_DIR / "smev-rev120315.xsd"
TYPES_XSD = XSD_DIR / "smev-soap-types.xsd"

# An XMLSchema keeps its error log on the instance, so each thread gets its own copy.
_local = threading.local()


def schema(path: Path = SMEV_XSD) -> etree.XMLSchema:
    """The compiled schema at ``path`` (no network; imports resolved next to it)."""
    cache: dict[Path, etree.XMLSchema] = _local.__dict__.setdefault("schemas", {})
    compiled = cache.get(path)
    if compiled is None:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        compiled = cache[path] = etree.XMLSchema(etree.parse(str(path), parser))
    return compiled


def schema_errors(element: etree._Element, path: Path = SMEV_XSD) -> list[str]:
    """Validation messages for ``element`` as a document root; empty when valid."""
    compiled = schema(path)
    if compiled.validate(element):
        return []
    return [f"{error.line}: {error.message}" for error in compiled.error_log]


def has_text(element: etree._Element) -> bool:
    """Non-whitespace text directly in ``element`` (around its children)."""
    return bool((element.text or "").strip()) or any((c.tail or "").strip() for c in element)


_MESSAGE_TAGS = [f"{{{ns.SMEV}}}Message", f"{{{ns.SMEV}}}MessageData"]
_OLD_MESSAGE_TAGS = [f"{{{ns.SMEV_OLD}}}Message", f"{{{ns.SMEV_OLD}}}MessageData"]
_SMEV_PREFIX = f"{{{ns.SMEV}}}"


def structure_errors(operation: etree._Element) -> list[str]:
    """Check ``smev:Message`` and ``smev:MessageData`` of a rev120315 operation element.

    rev111111 messages are read leniently and not checked here (their Code is free text).
    """
    errors: list[str] = []
    children = list(operation.iterchildren(etree.Element))
    tags = [child.tag for child in children]
    if tags == _OLD_MESSAGE_TAGS:
        return errors
    if tags != _MESSAGE_TAGS or has_text(operation):
        errors.append(f"operation children {tags} are not (Message, MessageData)")
    for child, tag in zip(children, tags, strict=True):
        if tag.startswith(_SMEV_PREFIX):
            errors.extend(schema_errors(child))
    return errors
