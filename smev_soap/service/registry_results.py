"""The registry service's answer elements (``xsd/smev-soap-registry.xsd``), built from registry
rows inside the session that loaded them."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable

from lxml import etree

from smev_soap.envelope.dates import format_datetime
from smev_soap.registry import Agreement, ElectronicService, KindOfInformation
from smev_soap.registry.applications import ApplicationStatus
from smev_soap.registry.classifiers import ClassifierEntry, ClassifierItems
from smev_soap.registry.reference_models import Classifier, DataType, KindAttribute
from smev_soap.service.registry_appdata import KindRef, add_fields, element, qname


def kind_ref(kind: KindOfInformation) -> KindRef:
    return KindRef(kind.namespace, kind.root_element)


def build_available(agreement: Agreement | None,
                    services: Iterable[tuple[ElectronicService, str]],
                    kinds: Iterable[tuple[KindOfInformation, str]]) -> etree._Element:
    """``reg:Available``: the agreement, its services (with their kinds) and its kinds."""
    el = element("Available")
    if agreement is not None:
        add_fields(etree.SubElement(el, qname("Agreement")), (
            ("Number", agreement.number), ("ValidFrom", agreement.valid_from.isoformat()),
            ("ValidTo", agreement.valid_to.isoformat() if agreement.valid_to else None),
            ("AllowTest", agreement.allow_test)))
    for service, role in services:
        service_el = etree.SubElement(el, qname("Service"))
        add_fields(service_el, (("Sid", service.sid), ("Mnemonic", service.mnemonic),
                                ("Version", service.version), ("Name", service.name),
                                ("Provider", service.provider_code), ("Role", role)))
        for kind in service.kinds:
            add_fields(etree.SubElement(service_el, qname("Kind")), kind_ref(kind).fields())
    for kind, role in kinds:
        add_fields(etree.SubElement(el, qname("Kind")), (
            *kind_ref(kind).fields(), ("Name", kind.name), ("Version", kind.version),
            ("Classification", kind.classification), ("ServiceMnemonic", kind.service_mnemonic),
            ("Role", role)))
    return el


def build_kind_schema(kind: KindOfInformation) -> etree._Element:
    """``reg:KindSchema``: the registered XSD as base64 of its UTF-8 bytes, with its digest."""
    return element("KindSchema", *kind_ref(kind).fields(), ("Name", kind.name),
                   ("Version", kind.version), ("Classification", kind.classification),
                   ("Sha256", kind.xsd_sha256),
                   ("Schema", base64.b64encode(kind.xsd.encode("utf-8")).decode("ascii")))


def build_classifiers(classifiers: Iterable[Classifier]) -> etree._Element:
    el = element("Classifiers")
    for classifier in classifiers:
        add_fields(etree.SubElement(el, qname("Classifier")), (
            ("Name", classifier.name), ("Title", classifier.title),
            ("Version", classifier.current_version)))
    return el


def build_classifier(items: ClassifierItems) -> etree._Element:
    """``reg:Classifier``: every item, or the changes after ``since_version``."""
    el = element("Classifier", ("Name", items.name), ("Title", items.title),
                 ("Version", items.version), ("SinceVersion", items.since_version))
    for entry in items.items:
        _item(el, entry)
    return el


def _item(parent: etree._Element, entry: ClassifierEntry) -> None:
    item = etree.SubElement(parent, qname("Item"))
    if entry.change:
        item.set("change", entry.change)
    add_fields(item, (("Code", entry.code), ("Value", entry.value),
                      ("ParentCode", entry.parent_code),
                      ("ValidFrom", entry.valid_from and entry.valid_from.isoformat()),
                      ("ValidTo", entry.valid_to and entry.valid_to.isoformat())))
    for name, value in sorted(entry.attributes.items()):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        etree.SubElement(item, qname("Attribute"), name=name).text = text


def build_data_types(kind: KindOfInformation | None, data_types: Iterable[DataType],
                     attributes: Iterable[KindAttribute]) -> etree._Element:
    """``reg:DataTypes``: data types and, for a kind, its attributes in document order."""
    el = element("DataTypes")
    if kind is not None:
        add_fields(etree.SubElement(el, qname("Kind")), kind_ref(kind).fields())
    for data_type in data_types:
        add_fields(etree.SubElement(el, qname("DataType")), (
            ("Name", data_type.name), ("BaseType", data_type.base_type),
            ("Pattern", data_type.pattern), ("MinLength", data_type.min_length),
            ("MaxLength", data_type.max_length), ("Description", data_type.description)))
    for attribute in attributes:
        add_fields(etree.SubElement(el, qname("Attribute")), (
            ("Path", attribute.path), ("Type", attribute.type_name),
            ("Required", attribute.required), ("Multiple", attribute.multiple),
            ("Description", attribute.description)))
    return el


def build_application_status(status: ApplicationStatus) -> etree._Element:
    """``reg:ApplicationStatus`` of a connection application."""
    decided = status.decided_at
    return element(
        "ApplicationStatus", ("ApplicationId", status.id),
        ("ParticipantCode", status.participant_code), ("Status", status.status),
        ("SubmittedAt", format_datetime(status.submitted_at, "SubmittedAt")),
        ("DecidedAt", decided and format_datetime(decided, "DecidedAt")),
        ("Reason", status.reason))
