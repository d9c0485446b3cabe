"""Writing a classifier (whole, or its changes since a version) as CSV, XML or JSON, streaming."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from lxml import etree
from sqlalchemy.orm import Session

from smev_soap.registry.classifier_files import NS
from smev_soap.registry.classifiers import ClassifierEntry, get_classifier, iter_classifier_items
from smev_soap.registry.errors import RegistryError
from smev_soap.registry.reference_models import Classifier

FORMATS = ("csv", "xml", "json")
CSV_COLUMNS = ("code", "value", "parent_code", "valid_from", "valid_to", "attributes")


def export_classifier(
    session: Session, name: str, fmt: str, out: BinaryIO, since_version: int | None = None
) -> int:
    """Write the classifier to ``out``; returns the number of items written.

    A whole export (CSV or XML) imports back as the same content; an export of changes
    marks each item ``added``, ``changed`` or ``removed``.
    """
    writers = {"csv": _csv, "xml": _xml, "json": _json}
    if fmt not in writers:
        raise RegistryError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    classifier = get_classifier(session, name)
    entries = iter_classifier_items(session, classifier, since_version)
    return writers[fmt](classifier, since_version, entries, out)


def _csv(classifier: Classifier, since: int | None, entries: Iterator[ClassifierEntry],
         out: BinaryIO) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(CSV_COLUMNS + (("change",) if since is not None else ()))
    count = 0
    for entry in entries:
        row = [entry.code, entry.value, entry.parent_code or "", _iso(entry.valid_from),
               _iso(entry.valid_to), _attributes_json(entry.attributes)]
        writer.writerow(row + ([entry.change] if since is not None else []))
        count += 1
    text.flush()
    text.detach()
    return count


def _xml(classifier: Classifier, since: int | None, entries: Iterator[ClassifierEntry],
         out: BinaryIO) -> int:
    count = 0
    root_attributes = {"name": classifier.name, "version": str(classifier.current_version)}
    if since is not None:
        root_attributes["since"] = str(since)
    with etree.xmlfile(out, encoding="UTF-8") as document:
        document.write_declaration()
        with document.element(f"{{{NS}}}Classifier", root_attributes, nsmap={None: NS}):
            if classifier.title:
                document.write("\n", _element("Title", classifier.title))
            for entry in entries:
                document.write("\n", _item(entry))
                count += 1
            document.write("\n")
    return count


def _item(entry: ClassifierEntry) -> etree._Element:
    item = etree.Element(f"{{{NS}}}Item", {"code": entry.code}, nsmap={None: NS})
    for attribute, value in (("parent", entry.parent_code), ("validFrom", _iso(entry.valid_from)),
                             ("validTo", _iso(entry.valid_to)), ("change", entry.change)):
        if value:
            item.set(attribute, value)
    item.append(_element("Value", entry.value))
    for name, value in entry.attributes.items():
        attribute = _element("Attribute", value)
        attribute.set("name", name)
        item.append(attribute)
    return item


def _element(tag: str, text: str) -> etree._Element:
    element = etree.Element(f"{{{NS}}}{tag}", nsmap={None: NS})
    element.text = text
    return element


def _json(classifier: Classifier, since: int | None, entries: Iterator[ClassifierEntry],
          out: BinaryIO) -> int:
    head = {"name": classifier.name, "title": classifier.title,
            "version": classifier.current_version, "since": since}
    out.write(json.dumps(head, ensure_ascii=False)[:-1].encode("utf-8") + b', "items": [')
    count = 0
    for entry in entries:
        item: dict[str, Any] = {"code": entry.code, "value": entry.value,
                                "parent_code": entry.parent_code,
                                "valid_from": _iso(entry.valid_from) or None,
                                "valid_to": _iso(entry.valid_to) or None,
                                "attributes": entry.attributes}
        if since is not None:
            item["change"] = entry.change
        out.write((",\n" if count else "\n").encode("utf-8")
                  + json.dumps(item, ensure_ascii=False).encode("utf-8"))
        count += 1
    out.write(b"\n]}\n")
    return count


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def _attributes_json(attributes: dict[str, str]) -> str:
    return json.dumps(attributes, ensure_ascii=False, sort_keys=True) if attributes else ""
