"""Reading classifier files as a stream of rows: CSV and our XML (``xsd/smev-soap-classifier.xsd``).

Memory stays bounded whatever the file's size: CSV is read line by line, XML with ``iterparse``
clearing each item after use (each item is validated against the XSD on its own).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any, BinaryIO

from lxml import etree

from smev_soap.registry.errors import RegistryError
from smev_soap.resources import XSD_DIR

NS = "urn://smev-soap/classifier/1.0"
XSD_NAME = "smev-soap-classifier.xsd"
ROOT = f"{{{NS}}}Classifier"
ITEM = f"{{{NS}}}Item"
TITLE = f"{{{NS}}}Title"
MAX_CODE = 100
REQUIRED_COLUMNS = ("code", "value")
KNOWN_COLUMNS = ("code", "value", "parent_code", "valid_from", "valid_to", "attributes")

Row = dict[str, Any]


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for progress)."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self._stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


@lru_cache(maxsize=1)
def classifier_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / XSD_NAME)))


def make_row(number: int, where: str, code: str, value: str, parent: str | None,
             valid_from: str | None, valid_to: str | None, attributes: dict[str, str]) -> Row:
    """Check one item and give the staging row; ``where`` names it in errors."""
    if not code or len(code) > MAX_CODE or code != code.strip():
        raise RegistryError(f"{where}: a code is 1 to {MAX_CODE} characters without surrounding "
                            f"spaces, not {code!r}")
    if not value.strip():
        raise RegistryError(f"{where}: item {code} has no value")
    if parent is not None and (len(parent) > MAX_CODE or parent == code):
        raise RegistryError(f"{where}: item {code} cannot have parent {parent!r}")
    start, end = _date(where, valid_from), _date(where, valid_to)
    if start and end and start > end:
        raise RegistryError(f"{where}: item {code} is valid from {start} after {end}")
    return {"row_number": number, "code": code, "value": value, "parent_code": parent,
            "attributes": json.dumps(attributes, ensure_ascii=False, sort_keys=True)
            if attributes else None,
            "valid_from": start, "valid_to": end}


def _date(where: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RegistryError(f"{where}: {text!r} is not a date (YYYY-MM-DD)") from None


def csv_rows(stream: BinaryIO, delimiter: str = ",") -> Iterator[Row]:
    """Rows of a UTF-8 CSV with a header: ``code`` and ``value`` are required; ``parent_code``,
    ``valid_from``, ``valid_to`` and ``attributes`` (a JSON object) optional; any other column
    becomes an attribute."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader, [])]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise RegistryError(f"line 1: missing column(s) {', '.join(missing)}")
        if len(set(header)) != len(header):
            raise RegistryError("line 1: a column is named twice")
        number = 0
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue
            number += 1
            where = f"line {reader.line_num}"
            if len(fields) != len(header):
                raise RegistryError(f"{where}: {len(fields)} fields, the header has {len(header)}")
            yield _csv_row(number, where, dict(zip(header, fields, strict=True)))
    except (csv.Error, UnicodeDecodeError) as error:
        raise RegistryError(f"line {reader.line_num}: not readable CSV: {error}") from None


def _csv_row(number: int, where: str, record: dict[str, str]) -> Row:
    attributes = _json_attributes(where, record.get("attributes", ""))
    for name, value in record.items():
        if name not in KNOWN_COLUMNS and value.strip():
            attributes[name] = value.strip()
    return make_row(number, where, record["code"].strip(), record["value"].strip(),
                    record.get("parent_code", "").strip() or None,
                    record.get("valid_from", "").strip() or None,
                    record.get("valid_to", "").strip() or None, attributes)


def _json_attributes(where: str, text: str) -> dict[str, str]:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise RegistryError(f"{where}: attributes must be a JSON object of strings")
    return value


def xml_rows(stream: BinaryIO, name: str, titles: list[str]) -> Iterator[Row]:
    """Rows of a ``Classifier`` document; its Title, if any, is appended to ``titles``.

    A DOCTYPE is refused; each Item is validated against the XSD as it ends, then dropped.
    """
    schema = classifier_schema()
    context = etree.iterparse(stream, events=("start", "end"), resolve_entities=False,
                              no_network=True, load_dtd=False, huge_tree=False,
                              remove_comments=True, remove_pis=True)
    depth, number = 0, 0
    try:
        for event, node in context:
            if event == "start":
                depth += 1
                if depth == 1:
                    _check_root(node, name)
                continue
            depth -= 1
            if depth != 1:
                continue
            where = f"line {node.sourceline}"
            if node.tag == TITLE:
                titles.append((node.text or "").strip())
            elif node.tag != ITEM:
                raise RegistryError(f"{where}: unexpected element {node.tag}")
            else:
                if not schema.validate(node):
                    raise RegistryError(f"{where}: {schema.error_log.last_error.message}")
                number += 1
                yield _xml_row(number, where, node)
            node.clear(keep_tail=False)
            while node.getprevious() is not None:
                del node.getparent()[0]
    except etree.XMLSyntaxError as error:
        raise RegistryError(f"invalid XML: {error}") from None


def _check_root(root: etree._Element, name: str) -> None:
    if root.getroottree().docinfo.doctype:
        raise RegistryError("a DOCTYPE is not accepted")
    if root.tag != ROOT:
        raise RegistryError(f"the root element is {root.tag}, not {ROOT}")
    if root.get("since") is not None:
        raise RegistryError("this is a list of changes; import a whole classifier")
    if root.get("name") not in (None, name):
        raise RegistryError(f"the file is classifier {root.get('name')}, not {name}")


def _xml_row(number: int, where: str, item: etree._Element) -> Row:
    if item.get("change") is not None:
        raise RegistryError(f"{where}: this is a list of changes; import a whole classifier")
    attributes = {a.get("name"): a.text or "" for a in item.iterfind(f"{{{NS}}}Attribute")}
    return make_row(number, where, item.get("code"), item.findtext(f"{{{NS}}}Value") or "",
                    item.get("parent"), item.get("validFrom"), item.get("validTo"), attributes)
