"""Lenient read of SMEV-2 messages (SMEV.md Part IV) from an already parsed, verified tree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from lxml import etree

from . import ns
from .dates import parse_datetime
from .errors import EnvelopeError
from .model import (
    CODE_RE,
    AppDocument,
    Header,
    Message,
    MessageClass,
    Org,
    PacketId,
    ServiceRef,
    Status,
    SubMessage,
    TypeCode,
)

_E = TypeVar("_E", bound=StrEnum)
_T = TypeVar("_T")
_SOAP_BODY = f"{{{ns.SOAP}}}Body"


@dataclass(slots=True)
class ParsedMessage:
    """An operation element read into the model; ``app_data`` is the untouched AppData element."""

    operation_qname: etree.QName
    operation: etree._Element
    message: Message
    app_data: etree._Element | None
    app_document: AppDocument | None
    revision: str


class _Children:
    """The element children of ``parent`` in namespace ``uri``, by local name (first wins)."""

    __slots__ = ("_by_name", "parent", "uri")

    def __init__(self, parent: etree._Element, uri: str) -> None:
        self.parent = parent
        self.uri = uri
        self._by_name: dict[str, etree._Element] = {}
        skip = len(uri) + 2
        for child in parent.iterchildren(f"{{{uri}}}*"):
            self._by_name.setdefault(child.tag[skip:], child)

    def element(self, name: str) -> etree._Element | None:
        return self._by_name.get(name)

    def text(self, name: str) -> str | None:
        """Stripped text of a child; an empty element counts as absent."""
        child = self._by_name.get(name)
        if child is None:
            return None
        return (child.text or "").strip() or None

    def required(self, name: str, path: str) -> str:
        value = self.text(name)
        if value is None:
            raise EnvelopeError("missing_field", f"{path}/{name} is missing or empty", name)
        return value

    def enum(self, name: str, path: str, kind: type[_E], code: str) -> _E:
        value = self.required(name, path)
        try:
            return kind(value)
        except ValueError:
            raise EnvelopeError(code, f"{path}/{name}: unknown value {value!r}", name) from None


def operation_of(element: etree._Element) -> etree._Element:
    """The operation element: the first element child of ``soap:Body``, or ``element`` itself."""
    if element.tag != _SOAP_BODY:
        return element
    operation = next(element.iterchildren(etree.Element), None)
    if operation is None:
        raise EnvelopeError("no_operation", "soap:Body has no operation element")
    return operation


def parse_body(element: etree._Element) -> ParsedMessage:
    """Read ``smev:Message`` and ``smev:MessageData`` from the verified Body or operation element."""
    operation = operation_of(element)
    message_el = _single_child(operation, "Message")
    if message_el is None:
        raise EnvelopeError("no_message", f"{operation.tag} has no smev:Message")
    revision = etree.QName(message_el).namespace
    data_el = next(operation.iterchildren(f"{{{revision}}}MessageData"), None)
    app_data = app_document_el = None
    if data_el is not None:
        parts = _Children(data_el, revision)
        app_data = parts.element("AppData")
        app_document_el = parts.element("AppDocument")
    return ParsedMessage(
        operation_qname=etree.QName(operation),
        operation=operation,
        message=parse_message(message_el),
        app_data=app_data,
        app_document=None if app_document_el is None else parse_app_document(app_document_el),
        revision=revision,
    )


def parse_message(element: etree._Element) -> Message:
    """``smev:Message`` of either revision; empty ServiceCode/CaseNumber are absent."""
    c = _Children(element, etree.QName(element).namespace)
    sender = _org(c, "Sender", "Message", required=True)
    if not CODE_RE.fullmatch(sender.code):
        raise EnvelopeError(
            "bad_sender_code",
            f"Sender/Code {sender.code!r} does not match {CODE_RE.pattern}",
            "Sender",
        )
    service_el = c.element("Service")
    sub_el = c.element("SubMessages")
    return Message(
        sender=sender,
        recipient=_org(c, "Recipient", "Message", required=True),
        originator=_org(c, "Originator", "Message"),
        service_name=c.text("ServiceName"),
        service=None if service_el is None else _service(service_el),
        type_code=c.enum("TypeCode", "Message", TypeCode, "bad_type_code"),
        status=c.enum("Status", "Message", Status, "bad_status"),
        date=parse_datetime(c.required("Date", "Message"), "Date"),
        exchange_type=c.required("ExchangeType", "Message"),
        request_id_ref=c.text("RequestIdRef"),
        origin_request_id_ref=c.text("OriginRequestIdRef"),
        service_code=c.text("ServiceCode"),
        case_number=c.text("CaseNumber"),
        sub_messages=[] if sub_el is None else _each(sub_el, "SubMessage", _sub_message),
        test_msg=c.element("TestMsg") is not None,
        oktmo=c.text("OKTMO"),
    )


def parse_app_document(element: etree._Element) -> AppDocument:
    """``AppDocument``: BinaryData, or Reference (``xop:Include/@href`` or text) + DigestValue."""
    c = _Children(element, etree.QName(element).namespace)
    request_code = c.required("RequestCode", "AppDocument")
    binary = c.element("BinaryData")
    if binary is not None:
        return AppDocument(request_code, binary_data="".join((binary.text or "").split()))
    reference = c.element("Reference")
    if reference is None:
        raise EnvelopeError(
            "missing_field", "AppDocument has neither BinaryData nor Reference", "BinaryData"
        )
    include = reference.find(f"{{{ns.XOP}}}Include")
    href = include.get("href") if include is not None else (reference.text or "").strip()
    if not href:
        raise EnvelopeError("missing_field", "AppDocument/Reference has no href", "Reference")
    digest = "".join((c.required("DigestValue", "AppDocument")).split())
    return AppDocument(request_code, reference_href=href, digest_value=digest)


def find_header(soap_header: etree._Element) -> etree._Element | None:
    """The single ``smev:Header`` (either revision) among the children of ``soap:Header``."""
    return _single_child(soap_header, "Header")


def parse_header(element: etree._Element) -> Header:
    """``smev:Header`` of either revision, accepting ``wsu:Id`` and other attributes."""
    c = _Children(element, etree.QName(element).namespace)
    packet_el = c.element("PacketIds")
    return Header(
        node_id=c.required("NodeId", "Header"),
        message_id=c.required("MessageId", "Header"),
        timestamp=parse_datetime(c.required("TimeStamp", "Header"), "TimeStamp"),
        message_class=c.enum("MessageClass", "Header", MessageClass, "bad_message_class"),
        packet_ids=[] if packet_el is None else _each(packet_el, "Id", _packet_id),
        wsu_id=element.get(ns.WSU_ID),
    )


def _single_child(parent: etree._Element, localname: str) -> etree._Element | None:
    found = list(parent.iterchildren(*[f"{{{uri}}}{localname}" for uri in ns.SMEV_NAMESPACES]))
    if len(found) > 1:
        raise EnvelopeError("duplicate_element", f"more than one smev:{localname}", localname)
    return found[0] if found else None


def _org(c: _Children, name: str, path: str, required: bool = False) -> Org | None:
    element = c.element(name)
    if element is None:
        if required:
            raise EnvelopeError("missing_field", f"{path}/{name} is missing", name)
        return None
    org = _Children(element, c.uri)
    code = org.text("Code")
    if code is None:
        error = "bad_sender_code" if name == "Sender" else "missing_field"
        raise EnvelopeError(error, f"{path}/{name}/Code is missing or empty", name)
    return Org(code, org.text("Name") or "")


def _service(element: etree._Element) -> ServiceRef:
    c = _Children(element, etree.QName(element).namespace)
    return ServiceRef(c.required("Mnemonic", "Service"), c.text("Version") or "")


def _sub_message(element: etree._Element) -> SubMessage:
    c = _Children(element, etree.QName(element).namespace)
    path = "SubMessage"
    return SubMessage(
        sub_request_number=c.required("SubRequestNumber", path),
        status=c.enum("Status", path, Status, "bad_status"),
        originator=_org(c, "Originator", path),
        date=parse_datetime(c.required("Date", path), "Date"),
        request_id_ref=c.text("RequestIdRef"),
        origin_request_id_ref=c.text("OriginRequestIdRef"),
        service_code=c.text("ServiceCode"),
        case_number=c.text("CaseNumber"),
    )


def _packet_id(element: etree._Element) -> PacketId:
    c = _Children(element, etree.QName(element).namespace)
    return PacketId(c.required("MessageId", "Id"), c.required("SubRequestNumber", "Id"))


def _each(parent: etree._Element, localname: str, read: Callable[[etree._Element], _T]) -> list[_T]:
    uri = etree.QName(parent).namespace
    return [read(child) for child in parent.iterchildren(f"{{{uri}}}{localname}")]
