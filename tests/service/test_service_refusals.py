"""Every refusal the single service can produce (issue: "each refusal code the service can produce").

A signed refusal is HTTP 200 and a gateway-signed SMEV answer with Status INVALID, REJECT or
FAILURE and ``AppData/Error{Code, Text ru, Text en}``, journalled as ``refused`` with the code.
Transport breakage is an unsigned SOAP Fault, HTTP 500, ``faultcode soap:Client.RSMEV-1xx`` (D11).

``SIGNED`` and ``FAULTS`` hold one scenario per code; a test reads the codes out of the service's
source and requires a scenario for each, so a new code cannot land without its test.
"""

from __future__ import annotations

import base64
import copy
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from service_samples import payments_request, payments_response
from service_tools import (
    SOAP_HEADER,
    assert_fault,
    assert_refused,
    body_of,
    declare_sizes,
    fault_of,
    journal,
    parse,
    resign,
    serialise,
    signed_by,
    smev,
    strip_signature,
    zeros_archive,
    zip_archive,
)

import smev_soap.service.app as service_app
from smev_soap.crypto import TrustStore
from smev_soap.crypto.digest import digest
from smev_soap.demo import DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT
from smev_soap.envelope.model import AppDocument, Status, TypeCode
from smev_soap.errors import CODES
from smev_soap.registry import (
    PROVIDER,
    KindProvider,
    add_certificate,
    add_classified,
    add_participant,
    block_participant,
    find_kind,
)
from smev_soap.registry.grants import put_grant
from smev_soap.xml.ns import DS, WSSE

SERVICE_SOURCES = Path(__file__).resolve().parents[2] / "smev_soap"


@dataclass
class Case:
    harness: object
    pki: object
    monkeypatch: pytest.MonkeyPatch


Post = bytes | tuple[bytes, str]


def request(h, sender=None, payload=None, **kwargs) -> bytes:
    """A SendRequest of the demo kind (by default the МФЦ's, with a valid payload)."""
    sender = sender or h.mfc
    app_data = payload if isinstance(payload, list) else [
        payments_request() if payload is None else payload]
    return sender.envelope("SendRequest", Status.REQUEST, recipient=h.agency.org,
                           app_data=app_data, **kwargs)


def with_document(h, data: bytes) -> bytes:
    return request(h, app_document=AppDocument.from_bytes("req-1", data))


def answer_to(h, request_id: str, sender=None, status: Status = Status.RESULT) -> bytes:
    sender = sender or h.agency
    return sender.envelope("SendResponse", status, recipient=h.mfc.org,
                           request_id_ref=request_id, origin_request_id_ref=request_id,
                           app_data=[payments_response()])


def multipart(envelope: bytes, parts: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = "MIMEBoundary_" + uuid.uuid4().hex
    chunks = [f"--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; "
              f'type="text/xml"\r\nContent-ID: <root.message>\r\n\r\n'.encode(), envelope, b"\r\n"]
    for cid, data in parts.items():
        chunks += [f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
                   f"Content-Transfer-Encoding: binary\r\nContent-ID: <{cid}>\r\n\r\n".encode(),
                   data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    content_type = (f'multipart/related; type="application/xop+xml"; '
                    f'start="<root.message>"; start-info="text/xml"; boundary="{boundary}"')
    return b"".join(chunks), content_type


def referenced(h, cid: str, digest_of: bytes) -> bytes:
    value = base64.b64encode(digest("streebog256", digest_of)).decode()
    return request(h, app_document=AppDocument("req-1", reference_href=f"cid:{cid}",
                                               digest_value=value))


def transaction(h):
    return h.gateway.database.transaction()


def demo_kind(session):
    return find_kind(session, DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT)


# ------------------------------------------------------------- signed refusals, one per code


def structure_violation(c: Case) -> Post:
    def status_before_type_code(root):
        smev(root, "Message/TypeCode").addprevious(smev(root, "Message/Status"))
    return resign(c.harness.mfc, request(c.harness), status_before_type_code)


def stale_date(c: Case) -> Post:
    return request(c.harness, date=datetime.now(UTC) - timedelta(days=2))


def wrong_status(c: Case) -> Post:
    return c.harness.agency.envelope("GetRequest", Status.REQUEST, type_code=TypeCode.OTHR,
                                     exchange_type="0")


def missing_request_id_ref(c: Case) -> Post:
    return c.harness.agency.control("Ack")


def unsigned(c: Case) -> Post:
    return strip_signature(request(c.harness))


def bad_signature_value(c: Case) -> Post:
    root = parse(request(c.harness))
    value = root.find(f".//{{{DS}}}SignatureValue")
    raw = bytearray(base64.b64decode(value.text))
    raw[5] ^= 0x01
    value.text = base64.b64encode(bytes(raw)).decode()
    return serialise(root)


def tampered_body(c: Case) -> Post:
    signed = request(c.harness)
    assert signed.count(b"12345678901") == 1
    return signed.replace(b"12345678901", b"12345678902")


def _wrapped(c: Case, forged_keeps_id: bool) -> bytes:
    """The signed Body moved under a header element, a forged Body in its place."""
    root = parse(request(c.harness))
    signed_body = body_of(root)
    forged = copy.deepcopy(signed_body)
    if not forged_keeps_id:
        forged.attrib.clear()
    forged.xpath(".//*[local-name()='Snils']")[0].text = "99999999999"
    wrapper = etree.SubElement(root.find(SOAP_HEADER), "{urn:attacker}Wrapper")
    wrapper.append(signed_body)
    root.append(forged)
    return serialise(root)


def signature_wrapping(c: Case) -> Post:
    return _wrapped(c, forged_keeps_id=False)


def duplicate_id(c: Case) -> Post:
    return _wrapped(c, forged_keeps_id=True)


def missing_token(c: Case) -> Post:
    root = parse(request(c.harness))
    token = root.find(f".//{{{WSSE}}}BinarySecurityToken")
    token.getparent().remove(token)
    return serialise(root)


def unsupported_algorithm(c: Case) -> Post:
    root = parse(request(c.harness))
    root.find(f".//{{{DS}}}DigestMethod").set("Algorithm", "urn:example:digest:md4")
    return serialise(root)


def _registered(c: Case, pair) -> object:
    with transaction(c.harness) as session:
        add_certificate(session, c.harness.mfc.code, pair[1], "test")
    return signed_by(c.harness.mfc, *pair)


def expired_certificate(c: Case) -> Post:
    return request(c.harness, sender=_registered(c, c.pki.expired))


def not_yet_valid_certificate(c: Case) -> Post:
    return request(c.harness, sender=_registered(c, c.pki.not_yet_valid))


def self_signed_certificate(c: Case) -> Post:
    return request(c.harness, sender=signed_by(c.harness.mfc, *c.pki.self_signed))


def revoked_certificate(c: Case) -> Post:
    h = c.harness
    h.use_gateway(replace(h.gateway, trust=TrustStore.from_certificates([c.pki.ca], [c.pki.crl])))
    assert request(h) and h.send_request().status is Status.ACCEPT, "unrevoked ones still pass"
    return request(h, sender=_registered(c, c.pki.revoked))


def foreign_certificate(c: Case) -> Post:
    return request(c.harness, sender=signed_by(c.harness.mfc, *c.pki.foreign))


def delivered_envelope_posted_back(c: Case) -> Post:
    """A delivery carries the gateway's actor-recipient block: not a participant's message."""
    h = c.harness
    h.send_request()
    return h.call(h.agency.control("GetRequest")).delivery.envelope


def blocked_sender(c: Case) -> Post:
    with transaction(c.harness) as session:
        block_participant(session, c.harness.mfc.code, "нарушение соглашения", "test")
    return request(c.harness)


def blocked_provider(c: Case) -> Post:
    with transaction(c.harness) as session:
        block_participant(session, c.harness.agency.code, "нарушение соглашения", "test")
    return request(c.harness)


def unknown_kind(c: Case) -> Post:
    thing = etree.Element("{urn://example/unknown/1.0}Thing")
    thing.text = "x"
    return request(c.harness, payload=thing)


def ungranted_kind(c: Case) -> Post:
    return request(c.harness, sender=c.harness.agency)  # a provider, not a consumer of the kind


def classified_kind(c: Case) -> Post:
    with transaction(c.harness) as session:
        add_classified(session, DEMO_KIND_NAMESPACE, None, "test")
    return request(c.harness)


def forbidden_test_traffic(c: Case) -> Post:
    h = c.harness
    consumer = h.register("MFCR00002", "МФЦ без тестового трафика", *c.pki.consumer,
                          consumer=True, allow_test=False)
    assert h.call(request(h, sender=consumer)).status is Status.ACCEPT
    return request(h, sender=consumer, test=True)


def ambiguous_provider(c: Case) -> Post:
    h = c.harness
    with transaction(h) as session:
        add_participant(session, "SZNR00002", "Второй поставщик", [c.pki.provider[1]], "test")
        kind = demo_kind(session)
        session.add(KindProvider(kind_id=kind.id, participant_code="SZNR00002"))
        put_grant(session, "SZNR00002", kind, PROVIDER, "test")
    return h.mfc.envelope("SendRequest", Status.REQUEST, recipient=h.mfc.gateway,
                          app_data=[payments_request()])


def answer_by_stranger(c: Case) -> Post:
    h = c.harness
    request_id = h.send_request().message.request_id_ref
    return answer_to(h, request_id, sender=h.mfc)  # the МФЦ answering its own request


def status_by_stranger(c: Case) -> Post:
    h = c.harness
    request_id = h.send_request().message.request_id_ref
    stranger = h.register("MFCR00002", "Посторонний МФЦ", *c.pki.consumer)
    return stranger.control("GetStatus", request_id_ref=request_id)


def schema_violation(c: Case) -> Post:
    return request(c.harness, payload=payments_request(snils="not-a-snils"))


def two_elements(c: Case) -> Post:
    return request(c.harness, payload=[payments_request(), payments_request("10987654321")])


@cache
def _stored_archive_claiming_101_mib() -> bytes:
    """1.5 MiB stored, declared as 101 MiB: no bomb by ratio, too large in total."""
    archive = zip_archive({"req-1.xml": os.urandom(1536 * 1024)}, method=0)
    return declare_sizes(archive, 101 * 1024 * 1024)


def attachment_too_large(c: Case) -> Post:
    return with_document(c.harness, _stored_archive_claiming_101_mib())


def zip_bomb(c: Case) -> Post:
    return with_document(c.harness, zeros_archive(4 * 1024 * 1024))


def too_many_entries(c: Case) -> Post:
    return with_document(c.harness, zip_archive({f"f{i}.txt": b"x" for i in range(1001)}))


def corrupt_archive(c: Case) -> Post:
    return with_document(c.harness, b"this is not a zip archive at all")


def manifest_mismatch(c: Case) -> Post:
    return with_document(c.harness, zip_archive({"scan.pdf": b"%PDF-1.4 scan"}))


def missing_part(c: Case) -> Post:
    return multipart(referenced(c.harness, "part-1", b"the scan"), {})


def part_digest_mismatch(c: Case) -> Post:
    return multipart(referenced(c.harness, "part-1", b"the scan"), {"part-1": b"another scan"})


def unknown_message(c: Case) -> Post:
    return c.harness.mfc.control("GetStatus", request_id_ref=str(uuid.uuid1()))


def ack_unknown(c: Case) -> Post:
    return c.harness.agency.control("Ack", request_id_ref=str(uuid.uuid1()))


def answered_twice(c: Case) -> Post:
    h = c.harness
    request_id = h.send_request().message.request_id_ref
    assert h.call(answer_to(h, request_id)).status is Status.ACCEPT
    return answer_to(h, request_id, status=Status.STATE)


def internal_error(c: Case) -> Post:
    def broken(gateway, inbound):
        raise RuntimeError("disk on fire")
    c.monkeypatch.setitem(service_app.OPERATION_HANDLERS, "GetQueueStatistics", broken)
    return c.harness.agency.control("GetQueueStatistics")


SIGNED: dict[str, Callable[[Case], Post]] = {
    "RSMEV-110": structure_violation,
    "RSMEV-111": stale_date,
    "RSMEV-112": wrong_status,
    "RSMEV-113": missing_request_id_ref,
    "RSMEV-200": unsigned,
    "RSMEV-201": bad_signature_value,
    "RSMEV-202": tampered_body,
    "RSMEV-203": signature_wrapping,
    "RSMEV-204": duplicate_id,
    "RSMEV-205": missing_token,
    "RSMEV-206": unsupported_algorithm,
    "RSMEV-207": expired_certificate,
    "RSMEV-208": not_yet_valid_certificate,
    "RSMEV-209": self_signed_certificate,
    "RSMEV-210": revoked_certificate,
    "RSMEV-211": foreign_certificate,
    "RSMEV-212": delivered_envelope_posted_back,
    "RSMEV-301": blocked_sender,
    "RSMEV-302": blocked_provider,
    "RSMEV-303": unknown_kind,
    "RSMEV-304": ungranted_kind,
    "RSMEV-305": classified_kind,
    "RSMEV-306": forbidden_test_traffic,
    "RSMEV-307": ambiguous_provider,
    "RSMEV-308": answer_by_stranger,
    "RSMEV-309": status_by_stranger,
    "RSMEV-400": schema_violation,
    "RSMEV-401": two_elements,
    "RSMEV-402": attachment_too_large,
    "RSMEV-403": zip_bomb,
    "RSMEV-404": too_many_entries,
    "RSMEV-405": corrupt_archive,
    "RSMEV-406": manifest_mismatch,
    "RSMEV-407": missing_part,
    "RSMEV-408": part_digest_mismatch,
    "RSMEV-500": unknown_message,
    "RSMEV-501": ack_unknown,
    "RSMEV-502": answered_twice,
    "RSMEV-900": internal_error,
}


@pytest.mark.parametrize("code", sorted(SIGNED))
def test_signed_refusal(harness, pki, monkeypatch, code):
    post = SIGNED[code](Case(harness, pki, monkeypatch))
    envelope, content_type = post if isinstance(post, tuple) else (post, "text/xml; charset=utf-8")
    refused_before = len(journal(harness, "refused"))
    answer = harness.call(envelope, content_type)
    assert_refused(harness, answer, code)
    assert len(journal(harness, "refused")) == refused_before + 1, "journalled once"


# ------------------------------------------------------------------ SOAP Faults, one per code

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"


def _control_envelope(h) -> bytes:
    return h.agency.control("GetRequest")


def not_xml(c: Case) -> Post:
    return b"this is not XML <at all"


def wrong_content_type(c: Case) -> Post:
    return _control_envelope(c.harness), "application/soap+xml; charset=utf-8"


def oversize(c: Case) -> Post:
    c.harness.reconfigure(max_body_bytes=4096)
    return request(c.harness, payload=payments_request()) + b" " * 4096


def doctype(c: Case) -> Post:
    envelope = _control_envelope(c.harness)
    head, rest = envelope.split(b"?>", 1)
    return head + b'?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + rest


def too_deep(c: Case) -> Post:
    depth = c.harness.gateway.settings.max_xml_depth + 10
    nested = b"<a>" * depth + b"</a>" * depth
    return (f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>'.encode() + nested
            + b"</soap:Body></soap:Envelope>")


def unknown_operation(c: Case) -> Post:
    root = parse(_control_envelope(c.harness))
    operation = body_of(root)[0]
    operation.tag = f"{{{c.harness.gateway.tns}}}DeleteEverything"
    return serialise(root)


def no_message(c: Case) -> Post:
    root = parse(_control_envelope(c.harness))
    operation = body_of(root)[0]
    operation.remove(smev(root, "Message"))
    return serialise(root)


def bad_sender_code(c: Case) -> Post:
    root = parse(_control_envelope(c.harness))
    smev(root, "Message/Sender/Code").text = "szn-1"
    return serialise(root)


FAULTS: dict[str, Callable[[Case], Post]] = {
    "RSMEV-100": not_xml,
    "RSMEV-101": wrong_content_type,
    "RSMEV-102": oversize,
    "RSMEV-103": doctype,
    "RSMEV-104": too_deep,
    "RSMEV-105": unknown_operation,
    "RSMEV-106": no_message,
    "RSMEV-107": bad_sender_code,
}


@pytest.mark.parametrize("code", sorted(FAULTS))
def test_transport_fault(harness, pki, monkeypatch, code):
    post = FAULTS[code](Case(harness, pki, monkeypatch))
    body, content_type = post if isinstance(post, tuple) else (post, "text/xml; charset=utf-8")
    fault = assert_fault(harness, harness.post(body, content_type), code)
    assert fault["faultstring"].startswith(f"{code}: {CODES[code].en}")


def test_an_answer_that_cannot_be_signed_is_a_server_fault(harness, monkeypatch):
    def cannot_sign(*args, **kwargs):
        raise RuntimeError("the key is gone")
    monkeypatch.setattr(service_app, "refusal_answer", cannot_sign)
    exchange = harness.post(wrong_status(Case(harness, None, monkeypatch)))
    assert exchange.status.startswith("500")
    fault = fault_of(exchange.body)
    assert fault["faultcode"] == "soap:Server.RSMEV-901"
    assert fault["code"] == "RSMEV-901"
    assert journal(harness, "refused", "RSMEV-112"), "the refusal itself is journalled"


# ------------------------------------------------------------------- every code is covered

COVERED_ELSEWHERE = {
    "RSMEV-503": "test_service_queues.py::test_dead_letter_tells_the_sender",
    "RSMEV-800": "test_rate_limits.py::test_a_participant_over_its_burst_gets_a_signed_refusal_"
                 "and_others_do_not",
    "RSMEV-901": "test_an_answer_that_cannot_be_signed_is_a_server_fault",
    "RSMEV-310": "test_registry_service.py::test_refusal[unknown classifier]",
    "RSMEV-311": "test_registry_service.py::test_refusal[status of another certificate]",
    "RSMEV-312": "test_registry_service.py::test_refusal[application for a registered code]",
    "RSMEV-410": "test_registry_service.py::test_refusal[parameters invalid]",
    "RSMEV-411": "test_registry_service.py::test_refusal[future classifier version]",
}
UNREACHABLE = {
    # The rev120315 structure check (RSMEV-110) validates BinaryData and DigestValue as
    # xs:base64Binary before the attachment is decoded, and it is stricter than the decoder.
    "RSMEV-409": "test_bad_base64_attachment_is_a_structure_error",
}


def test_every_code_the_service_raises_has_a_scenario():
    sources = [*sorted((SERVICE_SOURCES / "service").glob("*.py")),
               SERVICE_SOURCES / "registry" / "routing.py"]
    raised = set()
    for source in sources:
        raised |= set(re.findall(r"\"(RSMEV-\d{3})\"", source.read_text(encoding="utf-8")))
    assert raised <= set(CODES)
    covered = set(SIGNED) | set(FAULTS) | set(COVERED_ELSEWHERE) | set(UNREACHABLE)
    assert raised - covered == set(), "codes without a test"
    for code in SIGNED:
        assert CODES[code].status in ("INVALID", "REJECT", "FAILURE")
    for code in FAULTS:
        assert CODES[code].status == "FAULT"


def test_bad_base64_attachment_is_a_structure_error(harness):
    envelope = request(harness, app_document=AppDocument("req-1", binary_data="AB=="))
    assert_refused(harness, harness.call(envelope), "RSMEV-110")
