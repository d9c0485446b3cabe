"""The gateway's own AppData vocabulary (``urn://smev-soap/types/1.0``, xsd/smev-soap-types.xsd)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from . import ns
from .dates import format_datetime
from .errors import EnvelopeError

_NSMAP = {"st": ns.TYPES}
_T = f"{{{ns.TYPES}}}"


def _t(name: str) -> str:
    return _T + name


@dataclass(frozen=True, slots=True)
class Selector:
    """What GetRequest / GetResponse may filter on; all ``None`` = any message."""

    namespace_uri: str | None = None
    root_local_name: str | None = None
    service_mnemonic: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One leased message: its id, how often it was delivered, the sealed envelope bytes and
    the multipart parts (Content-ID, bytes) its AppDocument references."""

    message_id: str
    delivery_count: int
    envelope: bytes
    attachments: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One journal event of a message chain."""

    time: datetime
    type: str
    message_id: str
    participant: str | None = None
    status: str | None = None
    code: str | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class QueueStats:
    """Counts of one queue."""

    name: str
    pending: int
    leased: int
    dead_lettered: int


def build_error(code: str, text_ru: str, text_en: str, detail: str | None = None) -> etree._Element:
    """``st:Error{Code, Text xml:lang="ru", Text xml:lang="en", Detail?}``."""
    return _notice("Error", code, text_ru, text_en, detail)


def build_warning(
    code: str, text_ru: str, text_en: str, detail: str | None = None
) -> etree._Element:
    """``st:Warning``, the same shape as Error, for problems that did not stop the message."""
    return _notice("Warning", code, text_ru, text_en, detail)


def build_accepted(message_id: str) -> etree._Element:
    """``st:Accepted{MessageId}``: the id the gateway assigned to the accepted message."""
    el = etree.Element(_t("Accepted"), nsmap=_NSMAP)
    _sub(el, "MessageId", message_id)
    return el


def build_delivery(delivery: Delivery) -> etree._Element:
    """``st:Delivery{MessageId, DeliveryCount, Envelope}``; Envelope is base64 of the bytes."""
    el = etree.Element(_t("Delivery"), nsmap=_NSMAP)
    _sub(el, "MessageId", delivery.message_id)
    _sub(el, "DeliveryCount", str(delivery.delivery_count))
    _sub(el, "Envelope", base64.b64encode(delivery.envelope).decode("ascii"))
    for content_id, content in delivery.attachments:
        attachment = etree.SubElement(el, _t("Attachment"))
        _sub(attachment, "ContentId", content_id)
        _sub(attachment, "Content", base64.b64encode(content).decode("ascii"))
    return el


def build_selector(selector: Selector) -> etree._Element:
    """``st:Selector``: kind of information (namespace, root) or service mnemonic, or empty."""
    el = etree.Element(_t("Selector"), nsmap=_NSMAP)
    if selector.namespace_uri:
        _sub(el, "NamespaceURI", selector.namespace_uri)
        if selector.root_local_name:
            _sub(el, "RootElementLocalName", selector.root_local_name)
    elif selector.service_mnemonic:
        _sub(el, "ServiceMnemonic", selector.service_mnemonic)
    return el


def build_history(message_id: str, events: Iterable[HistoryEvent]) -> etree._Element:
    """``st:History{MessageId, Event*}`` in the order given."""
    el = etree.Element(_t("History"), nsmap=_NSMAP)
    _sub(el, "MessageId", message_id)
    for event in events:
        event_el = etree.SubElement(el, _t("Event"))
        _sub(event_el, "Time", format_datetime(event.time, "Time"))
        _sub(event_el, "Type", event.type)
        _optional(event_el, "Participant", event.participant)
        _sub(event_el, "MessageId", event.message_id)
        _optional(event_el, "Status", event.status)
        _optional(event_el, "Code", event.code)
        _optional(event_el, "Detail", event.detail)
    return el


def build_queue_statistics(time: datetime, queues: Iterable[QueueStats]) -> etree._Element:
    """``st:QueueStatistics{Time, Queue*{Name, Pending, Leased, DeadLettered}}``."""
    el = etree.Element(_t("QueueStatistics"), nsmap=_NSMAP)
    _sub(el, "Time", format_datetime(time, "Time"))
    for queue in queues:
        queue_el = etree.SubElement(el, _t("Queue"))
        _sub(queue_el, "Name", queue.name)
        _sub(queue_el, "Pending", str(queue.pending))
        _sub(queue_el, "Leased", str(queue.leased))
        _sub(queue_el, "DeadLettered", str(queue.dead_lettered))
    return el


def find_types_element(app_data: etree._Element | None, name: str) -> etree._Element | None:
    """The first ``st:<name>`` child of AppData, if any."""
    return None if app_data is None else app_data.find(_t(name))


def parse_selector(element: etree._Element | None) -> Selector:
    """Read ``st:Selector`` leniently (``None`` or empty = no filter)."""
    if element is None:
        return Selector()
    return Selector(
        namespace_uri=_text(element, "NamespaceURI"),
        root_local_name=_text(element, "RootElementLocalName"),
        service_mnemonic=_text(element, "ServiceMnemonic"),
    )


def parse_delivery(element: etree._Element) -> Delivery:
    """Read ``st:Delivery``; raises EnvelopeError("bad_delivery") when it is incomplete."""
    message_id = _text(element, "MessageId")
    count = _text(element, "DeliveryCount")
    envelope = _text(element, "Envelope")
    if not (message_id and count and count.isdigit() and envelope):
        raise EnvelopeError("bad_delivery", "Delivery needs MessageId, DeliveryCount, Envelope")
    attachments = tuple(
        (_text(a, "ContentId") or "", _decode(_text(a, "Content") or "", "Attachment/Content"))
        for a in element.iterfind(_t("Attachment"))
    )
    return Delivery(message_id, int(count), _decode(envelope, "Envelope"), attachments)


def _decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error:
        raise EnvelopeError("bad_delivery", f"Delivery/{what} is not base64") from None


def _notice(tag: str, code: str, text_ru: str, text_en: str, detail: str | None) -> etree._Element:
    el = etree.Element(_t(tag), nsmap=_NSMAP)
    _sub(el, "Code", code)
    etree.SubElement(el, _t("Text"), {ns.XML_LANG: "ru"}).text = text_ru
    etree.SubElement(el, _t("Text"), {ns.XML_LANG: "en"}).text = text_en
    _optional(el, "Detail", detail)
    return el


def _sub(parent: etree._Element, name: str, value: str) -> None:
    etree.SubElement(parent, _t(name)).text = value


def _optional(parent: etree._Element, name: str, value: str | None) -> None:
    if value:
        etree.SubElement(parent, _t(name)).text = value


def _text(parent: etree._Element, name: str) -> str | None:
    child = parent.find(_t(name))
    return None if child is None else (child.text or "").strip() or None
