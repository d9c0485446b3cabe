"""Helpers of the service tests: hand-made signed envelopes, refusal and fault checks, schemas."""

from __future__ import annotations

import io
import struct
import threading
import zipfile
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from smev_soap.client import Answer, Participant, open_delivery
from smev_soap.crypto import Certificate, PrivateKey
from smev_soap.envelope.parse import ParsedMessage
from smev_soap.errors import CODES
from smev_soap.journal.models import JournalEvent
from smev_soap.resources import XSD_DIR
from smev_soap.wsse.smev2 import sign_envelope
from smev_soap.xml.ns import SMEV, SOAP, WSSE, WSU_ID

TYPES = "urn://smev-soap/types/1.0"
CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"
PUBLISHED_SMEV_XSD = CONFORMANCE / "xsd" / "smev2" / "smev-rev120315-v2.5.3.xsd"
TYPES_XSD = XSD_DIR / "smev-soap-types.xsd"
REGISTRY = "urn://smev-soap/registry/1.0"
REGISTRY_XSD = XSD_DIR / "smev-soap-registry.xsd"

SOAP_HEADER = f"{{{SOAP}}}Header"
SOAP_BODY = f"{{{SOAP}}}Body"
WSSE_SECURITY = f"{{{WSSE}}}Security"


# ------------------------------------------------------------------------- envelopes by hand


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def body_of(root: etree._Element) -> etree._Element:
    return root.find(SOAP_BODY)


def smev(root: etree._Element, path: str) -> etree._Element | None:
    """The element at ``path`` (``Message/Status``) under the operation, in the smev namespace."""
    steps = "/".join(f"smev:{step}" for step in path.split("/"))
    found = body_of(root).xpath(f"*[1]/{steps}", namespaces={"smev": SMEV})
    return found[0] if found else None


def app_data(root: etree._Element) -> etree._Element:
    return smev(root, "MessageData/AppData")


def resign(participant: Participant, envelope: bytes,
           mutate: Callable[[etree._Element], None]) -> bytes:
    """``envelope`` with its signature removed, changed by ``mutate``, signed again."""
    root = parse(envelope)
    header = root.find(SOAP_HEADER)
    for block in header.findall(WSSE_SECURITY):
        header.remove(block)
    mutate(root)
    sign_envelope(root, participant.key, participant.cert)
    return serialise(root)


def signed_by(participant: Participant, key: PrivateKey, cert: Certificate) -> Participant:
    """The same participant code signing with another key and certificate."""
    return replace(participant, key=key, cert=cert)


def strip_signature(envelope: bytes) -> bytes:
    root = parse(envelope)
    header = root.find(SOAP_HEADER)
    for block in header.findall(WSSE_SECURITY):
        header.remove(block)
    return serialise(root)


def body_id(root: etree._Element) -> str:
    return body_of(root).get(WSU_ID)


# ------------------------------------------------------------------------------- assertions


def journal(harness, event: str | None = None, code: str | None = None) -> list[JournalEvent]:
    query = select(JournalEvent).order_by(JournalEvent.id)
    if event is not None:
        query = query.where(JournalEvent.event == event)
    if code is not None:
        query = query.where(JournalEvent.error_code == code)
    with harness.gateway.database.sessions() as session:
        return list(session.scalars(query))


def assert_refused(harness, answer: Answer, code: str) -> None:
    """A gateway-signed refusal (the harness checked the signer) with ``code``, journalled."""
    error = CODES[code]
    assert answer.error_code == code, (answer.error_code, answer.types_element("Error") is not None
                                       and etree.tostring(answer.types_element("Error")))
    assert answer.status.value == error.status
    assert answer.error_texts == {"ru": error.ru, "en": error.en}
    assert any("\u0400" <= ch <= "\u04ff" for ch in error.ru), "the Russian text is Russian"
    assert answer.delivery is None and answer.types_element("Accepted") is None
    assert journal(harness, "refused", code), f"no refused journal event with {code}"


def fault_of(body: bytes) -> dict[str, str]:
    """faultcode, faultstring and the detail's Error of an unsigned SOAP Fault."""
    root = etree.fromstring(body)
    assert root.tag == f"{{{SOAP}}}Envelope"
    assert root.find(f".//{WSSE_SECURITY}") is None, "a fault is not signed"
    fault = root.find(f"{SOAP_BODY}/{{{SOAP}}}Fault")
    assert fault is not None, body[:300]
    error = fault.find(f"detail/{{{TYPES}}}Error")
    texts = {t.get("{http://www.w3.org/XML/1998/namespace}lang"): t.text
             for t in error.iter(f"{{{TYPES}}}Text")}
    return {"faultcode": fault.findtext("faultcode"), "faultstring": fault.findtext("faultstring"),
            "code": error.findtext(f"{{{TYPES}}}Code"), "ru": texts.get("ru"),
            "en": texts.get("en")}


def assert_fault(harness, exchange, code: str, side: str = "Client") -> dict[str, str]:
    """An unsigned SOAP Fault, HTTP 500, faultcode ``soap:<side>.<code>``, journalled."""
    assert exchange.status.startswith("500"), (exchange.status, exchange.body[:300])
    fault = fault_of(exchange.body)
    error = CODES[code]
    assert fault["faultcode"] == f"soap:{side}.{code}", fault
    assert fault["code"] == code
    assert (fault["ru"], fault["en"]) == (error.ru, error.en)
    assert journal(harness, "refused", code), f"no refused journal event with {code}"
    return fault


# ---------------------------------------------------------------------------------- schemas

_schema_lock = threading.Lock()


@cache
def _schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


def _problems(path: Path, element: etree._Element) -> list[str]:
    with _schema_lock:  # an XMLSchema keeps its error log on the instance
        schema = _schema(path)
        if schema.validate(element):
            return []
        return [f"{etree.QName(element).localname}: {e.message}" for e in schema.error_log]


def schema_problems(answer: Answer) -> list[str]:
    """What in an answer does not validate: smev:Message and smev:MessageData against the
    published rev120315 schema, our AppData elements against ``smev-soap-types.xsd`` or
    ``smev-soap-registry.xsd`` and, in a delivery, the gateway's smev:Header against the
    published schema."""
    problems = _message_problems(answer.parsed)
    if answer.delivery is not None:
        verification, inner = open_delivery(answer.delivery)
        problems += _problems(PUBLISHED_SMEV_XSD, verification.header)
        if verification.sender.certificate == answer.verification.sender.certificate:
            problems += _message_problems(inner)  # a status message: the gateway wrote it too
    return problems


def _message_problems(parsed: ParsedMessage) -> list[str]:
    problems: list[str] = []
    children = [child for child in parsed.operation if isinstance(child.tag, str)]
    names = [etree.QName(child).localname for child in children]
    if names != ["Message", "MessageData"]:
        problems.append(f"operation children {names}")
    for child in children:
        problems += _problems(PUBLISHED_SMEV_XSD, child)
    app = parsed.app_data
    ours = {TYPES: TYPES_XSD, REGISTRY: REGISTRY_XSD}
    for element in [] if app is None else app:
        if isinstance(element.tag, str) and etree.QName(element).namespace in ours:
            problems += _problems(ours[etree.QName(element).namespace], element)
    return problems


# ------------------------------------------------------------------------------ attachments


@cache
def zeros_archive(size: int) -> bytes:
    """A zip of ``size`` zero bytes (a bomb when large), made once per run."""
    return zip_archive({"zeros.bin": bytes(size)})


def zip_archive(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def declare_sizes(archive: bytes, file_size: int, compress_size: int | None = None) -> bytes:
    """The archive with the central directory lying about its entries' sizes."""
    data = bytearray(archive)
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        if compress_size is not None:
            struct.pack_into("<I", data, position + 20, compress_size)
        struct.pack_into("<I", data, position + 24, file_size)
        position += 4
    return bytes(data)
