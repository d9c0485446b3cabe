"""Strict write of SMEV-2 rev120315 elements: operation, Message, MessageData, Header, envelope.

Everything is built with ``SubElement`` (no whitespace text nodes), ready to be signed as is.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from lxml import etree

from . import ns
from .dates import format_datetime
from .model import CODE_RE, VERSION_RE, AppDocument, Header, Message, MessageClass, Org, SubMessage

_SMEV_NSMAP = {"smev": ns.SMEV}
_HEADER_NSMAP = {"smev": ns.SMEV, "wsu": ns.WSU}
_XOP_INCLUDE = f"{{{ns.XOP}}}Include"


_S = f"{{{ns.SMEV}}}"


class SoapEnvelope(NamedTuple):
    """The three elements of a SOAP 1.1 envelope skeleton."""

    envelope: etree._Element
    header: etree._Element
    body: etree._Element


def build_envelope(tns: str | None = None, body_id: str = "body") -> SoapEnvelope:
    """``soap:Envelope/soap:Header/soap:Body[@wsu:Id]`` with every prefix declared at the root."""
    nsmap = dict(ns.PREFIXES)
    if tns:
        nsmap[ns.TNS_PREFIX] = tns
    envelope = etree.Element(f"{{{ns.SOAP}}}Envelope", nsmap=nsmap)
    header = etree.SubElement(envelope, f"{{{ns.SOAP}}}Header")
    body = etree.SubElement(envelope, f"{{{ns.SOAP}}}Body", {ns.WSU_ID: body_id})
    return SoapEnvelope(envelope, header, body)


def build_operation(
    tag: str | etree.QName,
    message: Message,
    app_data: Iterable[etree._Element] | None = None,
    app_document: AppDocument | None = None,
    parent: etree._Element | None = None,
    service_name_style: bool = False,
) -> etree._Element:
    """``{tns}Operation(smev:Message, smev:MessageData)``, appended to ``parent`` if given.

    ``app_data`` elements are moved into AppData as they are (``None``: no AppData element).
    ``service_name_style`` writes ``ServiceName`` (MR 2.5.5) instead of ``Service`` (MR 2.5.6).
    """
    qname = etree.QName(tag)
    nsmap = {ns.TNS_PREFIX: qname.namespace, **_SMEV_NSMAP} if qname.namespace else _SMEV_NSMAP
    if parent is None:
        operation = etree.Element(qname.text, nsmap=nsmap)
    else:
        operation = etree.SubElement(parent, qname.text, nsmap=nsmap)
    build_message(operation, message, service_name_style)
    build_message_data(operation, app_data, app_document)
    return operation


def build_message(
    parent: etree._Element, message: Message, service_name_style: bool = False
) -> etree._Element:
    """``smev:Message`` in exact schema order; raises ValueError on values the XSD refuses."""
    el = etree.SubElement(parent, _S + "Message", nsmap=_SMEV_NSMAP)
    _org(el, "Sender", message.sender)
    _org(el, "Recipient", message.recipient)
    if message.originator is not None:
        _org(el, "Originator", message.originator)
    service = message.service
    if service is not None and not service_name_style:
        if not VERSION_RE.fullmatch(service.version):
            raise ValueError(f"Service/Version {service.version!r} is not {VERSION_RE.pattern}")
        service_el = etree.SubElement(el, _S + "Service")
        _text(service_el, "Mnemonic", service.mnemonic)
        _text(service_el, "Version", service.version)
    else:
        service_name = message.service_name or (service.mnemonic if service else None)
        if service_name:
            _text(el, "ServiceName", service_name)
    _text(el, "TypeCode", message.type_code.value)
    _text(el, "Status", message.status.value)
    _text(el, "Date", format_datetime(message.date))
    _text(el, "ExchangeType", message.exchange_type)
    _optional(el, "RequestIdRef", message.request_id_ref)
    _optional(el, "OriginRequestIdRef", message.origin_request_id_ref)
    _optional(el, "ServiceCode", message.service_code)
    _optional(el, "CaseNumber", message.case_number)
    if message.sub_messages:
        subs = etree.SubElement(el, _S + "SubMessages")
        for sub in message.sub_messages:
            _sub_message(subs, sub)
    if message.test_msg:
        etree.SubElement(el, _S + "TestMsg")
    _optional(el, "OKTMO", message.oktmo)
    return el


def build_message_data(
    parent: etree._Element,
    app_data: Iterable[etree._Element] | None = None,
    app_document: AppDocument | None = None,
) -> etree._Element:
    """``smev:MessageData(AppData?, AppDocument?)``; AppData children are appended as they are."""
    el = etree.SubElement(parent, _S + "MessageData", nsmap=_SMEV_NSMAP)
    if app_data is not None:
        container = etree.SubElement(el, _S + "AppData")
        for child in app_data:
            container.append(child)
    if app_document is not None:
        build_app_document(el, app_document)
    return el


def build_app_document(parent: etree._Element, doc: AppDocument) -> etree._Element:
    """``smev:AppDocument``: RequestCode and BinaryData, or Reference(xop:Include) + DigestValue."""
    el = etree.SubElement(parent, _S + "AppDocument")
    _text(el, "RequestCode", doc.request_code)
    if doc.binary_data is not None:
        _text(el, "BinaryData", doc.binary_data)
    elif doc.reference_href and doc.digest_value:
        reference = etree.SubElement(el, _S + "Reference")
        etree.SubElement(reference, _XOP_INCLUDE, {"href": doc.reference_href}, {"xop": ns.XOP})
        _text(el, "DigestValue", doc.digest_value)
    else:
        raise ValueError("AppDocument needs binary_data or reference_href + digest_value")
    return el


def new_header(
    node_id: str,
    message_id: str,
    message_class: MessageClass,
    timestamp: datetime | None = None,
) -> Header:
    """A Header stamped now (UTC) with a fresh ``wsu:Id`` of the form ``ID-<uuid>``."""
    return Header(
        node_id=node_id,
        message_id=message_id,
        timestamp=timestamp or datetime.now(UTC),
        message_class=message_class,
        wsu_id=f"ID-{uuid.uuid4()}",
    )


def build_header(header: Header, parent: etree._Element | None = None) -> etree._Element:
    """``smev:Header[@wsu:Id]`` (an id ``ID-<uuid>`` is made up when the Header has none)."""
    attrib = {ns.WSU_ID: header.wsu_id or f"ID-{uuid.uuid4()}"}
    if parent is None:
        el = etree.Element(_S + "Header", attrib, nsmap=_HEADER_NSMAP)
    else:
        el = etree.SubElement(parent, _S + "Header", attrib, nsmap=_HEADER_NSMAP)
    _text(el, "NodeId", header.node_id)
    _text(el, "MessageId", header.message_id)
    _text(el, "TimeStamp", format_datetime(header.timestamp, "TimeStamp"))
    _text(el, "MessageClass", header.message_class.value)
    if header.packet_ids:
        packet = etree.SubElement(el, _S + "PacketIds")
        for packet_id in header.packet_ids:
            id_el = etree.SubElement(packet, _S + "Id")
            _text(id_el, "MessageId", packet_id.message_id)
            _text(id_el, "SubRequestNumber", packet_id.sub_request_number)
    return el


def _text(parent: etree._Element, name: str, value: str) -> None:
    etree.SubElement(parent, _S + name).text = value


def _optional(parent: etree._Element, name: str, value: str | None) -> None:
    if value:
        etree.SubElement(parent, _S + name).text = value


def _org(parent: etree._Element, name: str, org: Org) -> None:
    if not CODE_RE.fullmatch(org.code):
        raise ValueError(f"{name}/Code {org.code!r} is not {CODE_RE.pattern}")
    el = etree.SubElement(parent, _S + name)
    _text(el, "Code", org.code)
    _text(el, "Name", org.name)


def _sub_message(parent: etree._Element, sub: SubMessage) -> None:
    el = etree.SubElement(parent, _S + "SubMessage")
    _text(el, "SubRequestNumber", sub.sub_request_number)
    _text(el, "Status", sub.status.value)
    if sub.originator is not None:
        _org(el, "Originator", sub.originator)
    _text(el, "Date", format_datetime(sub.date))
    _optional(el, "RequestIdRef", sub.request_id_ref)
    _optional(el, "OriginRequestIdRef", sub.origin_request_id_ref)
    _optional(el, "ServiceCode", sub.service_code)
    _optional(el, "CaseNumber", sub.case_number)
