"""Hostile input at the single service: XML bombs, oversize and odd transport, signature wrapping
and tampering, replays, certificates that must not count, header injection, chain hijacking."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from service_samples import payments_request, payments_response
from service_tools import (
    SOAP_HEADER,
    assert_fault,
    assert_refused,
    body_of,
    declare_sizes,
    journal,
    parse,
    resign,
    serialise,
    signed_by,
    smev,
    zeros_archive,
)
from sqlalchemy import func, select
from test_service_refusals import Case, _wrapped, request, with_document

import smev_soap.service.app as service_app
from smev_soap.client import open_delivery
from smev_soap.demo import DEMO_KIND_NAMESPACE, DEMO_SERVICE
from smev_soap.envelope.build import build_header, new_header
from smev_soap.envelope.model import MessageClass, ServiceRef, Status
from smev_soap.errors import SmevRefusal
from smev_soap.queue import Message as QueuedMessage
from smev_soap.registry import add_classified, block_participant, unblock_participant

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"


def _with_doctype(envelope: bytes, doctype: bytes, entity_ref: bytes | None = None) -> bytes:
    head, rest = envelope.split(b"?>", 1)
    if entity_ref is not None:
        rest = rest.replace(b"12345678901", entity_ref, 1)
    return head + b"?>" + doctype + rest


# ------------------------------------------------------------------------------ XML bombs


def test_xxe_external_entity_is_refused_unresolved(harness):
    doctype = b'<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    exchange = harness.post(_with_doctype(request(harness), doctype, b"&xxe;"))
    assert_fault(harness, exchange, "RSMEV-103")
    assert b"root:" not in exchange.body


def test_xxe_in_utf16_is_refused_too(harness):
    """The byte-level DOCTYPE check cannot see UTF-16; the parsed document's DTD is refused."""
    text = ('<?xml version="1.0" encoding="UTF-16"?>'
            '<!DOCTYPE soap:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>&xxe;</soap:Body></soap:Envelope>')
    exchange = harness.post(text.encode("utf-16"))
    assert_fault(harness, exchange, "RSMEV-103")
    assert b"root:" not in exchange.body and "root:".encode("utf-16-le") not in exchange.body


def test_billion_laughs_is_refused(harness):
    entities = [b'<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)]
    doctype = b"<!DOCTYPE soap:Envelope [" + b"".join(entities) + b"]>"
    tracemalloc.start()
    try:
        exchange = harness.post(_with_doctype(request(harness), doctype, b"&lol9;"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_fault(harness, exchange, "RSMEV-103")
    assert peak < 16 * 1024 * 1024


@pytest.mark.parametrize("depth", [129, 300, 10_000])
def test_deep_nesting_is_refused(harness, depth):
    nested = b"<a>" * depth + b"</a>" * depth
    envelope = (f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>'.encode() + nested
                + b"</soap:Body></soap:Envelope>")
    assert_fault(harness, harness.post(envelope), "RSMEV-104")


# ----------------------------------------------------------------------- size and transport


class Endless(io.RawIOBase):
    """A request body that never ends; counts what the service read of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "the service must never read without a bound"
        self.read_bytes += size
        return b"<" * size


def _post_stream(harness, stream, content_length: str | None):
    environ = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "text/xml; charset=utf-8",
               "wsgi.input": stream, "PATH_INFO": "/smev/ws", "QUERY_STRING": ""}
    if content_length is not None:
        environ["CONTENT_LENGTH"] = content_length
    seen: list[str] = []
    body = b"".join(harness.app(environ, lambda status, headers: seen.append(status)))
    return type("Exchange", (), {"status": seen[0], "body": body})()


def test_oversize_with_content_length_is_refused_before_reading(harness):
    limit = harness.gateway.settings.max_body_bytes
    stream = Endless()
    exchange = _post_stream(harness, stream, str(limit + 1))
    assert_fault(harness, exchange, "RSMEV-102")
    assert stream.read_bytes == 0


def test_oversize_without_content_length_reads_one_byte_past_the_limit(harness):
    harness.reconfigure(max_body_bytes=64 * 1024)
    stream = Endless()
    exchange = _post_stream(harness, stream, None)
    assert_fault(harness, exchange, "RSMEV-102")
    assert stream.read_bytes <= 64 * 1024 + 1


def test_a_signed_request_above_the_limit_is_refused(harness):
    harness.reconfigure(max_body_bytes=8 * 1024)
    envelope = request(harness, payload=payments_request())
    padded = envelope.replace(b"<soap:Body", b" " * 8 * 1024 + b"<soap:Body", 1)
    assert_fault(harness, harness.post(padded), "RSMEV-102")


@pytest.mark.parametrize("content_type", [
    "application/soap+xml; charset=utf-8", "application/json", "text/plain", ""])
def test_wrong_content_type(harness, content_type):
    exchange = harness.post(harness.agency.control("GetRequest"), content_type)
    assert_fault(harness, exchange, "RSMEV-101")


@pytest.mark.parametrize("body", [
    b"not XML at all", b"<unclosed>", b"   ",
    b"<Envelope><Body/></Envelope>",
    (b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
     b"<x/></soap:Body></soap:Envelope>"),
    f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body/></soap:Envelope>'.encode(),
], ids=["text", "malformed", "blank", "not-soap", "soap-1.2", "empty-body"])
def test_not_soap_11_xml(harness, body):
    assert_fault(harness, harness.post(body), "RSMEV-100")


def test_unknown_operation_in_a_foreign_namespace(harness):
    root = parse(harness.agency.control("GetRequest"))
    body_of(root)[0].tag = "{urn:other-service}GetRequest"
    assert_fault(harness, harness.post(serialise(root)), "RSMEV-105")


def test_a_fault_code_raised_after_verification_is_still_a_fault(harness, monkeypatch):
    def no_message(gateway, located):
        raise SmevRefusal("RSMEV-106", "after verification")
    monkeypatch.setattr(service_app, "authenticate", no_message)
    assert_fault(harness, harness.post(harness.agency.control("GetRequest")), "RSMEV-106")


# --------------------------------------------------------------------- attachments as bombs


def test_zip_bomb_is_refused_without_inflating_it(harness):
    bomb = zeros_archive(64 * 1024 * 1024)
    assert len(bomb) < 256 * 1024
    envelope = with_document(harness, bomb)
    tracemalloc.start()
    try:
        answer = harness.call(envelope)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_refused(harness, answer, "RSMEV-403")
    assert peak < 32 * 1024 * 1024


def test_zip_bomb_lying_about_its_size_is_stopped_at_the_declared_size(harness):
    """Declared sizes pass the ratio checks; inflating stops at the declared size, and the
    archive is refused as corrupt (its CRC covers the whole entry) without inflating 64 MiB."""
    honest = zeros_archive(64 * 1024 * 1024)
    compressed = zipfile.ZipFile(io.BytesIO(honest)).infolist()[0].compress_size
    liar = declare_sizes(honest, file_size=compressed * 2)
    envelope = with_document(harness, liar)
    tracemalloc.start()
    try:
        answer = harness.call(envelope)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_refused(harness, answer, "RSMEV-405")
    assert "CRC" in answer.types_element("Error").findtext("{urn://smev-soap/types/1.0}Detail")
    assert peak < 16 * 1024 * 1024


# ---------------------------------------------------------------------- signature attacks


def test_signature_wrapping_is_refused(harness):
    answer = harness.call(_wrapped(Case(harness, None, None), forged_keeps_id=False))
    assert_refused(harness, answer, "RSMEV-203")
    assert harness.call(harness.agency.control("GetRequest")).delivery is None


def test_signature_wrapping_with_a_copied_id_is_refused(harness):
    answer = harness.call(_wrapped(Case(harness, None, None), forged_keeps_id=True))
    assert_refused(harness, answer, "RSMEV-204")


def test_a_second_body_is_not_soap(harness):
    root = parse(request(harness))
    forged = etree.fromstring(etree.tostring(body_of(root)))
    root.append(forged)
    assert_fault(harness, harness.post(serialise(root)), "RSMEV-100")


@pytest.mark.parametrize("old,new", [
    (b"12345678901", b"12345678902"),
    (b"<smev:Code>SZNR00001</smev:Code>", b"<smev:Code>MFCR00001</smev:Code>"),
    (b"<smev:Status>REQUEST</smev:Status>", b"<smev:Status>REQUEST</smev:Status><!-- x -->"),
], ids=["payload", "recipient", "comment"])
def test_tampered_body_is_refused(harness, old, new):
    signed = request(harness)
    assert signed.count(old) == 1
    answer = harness.call(signed.replace(old, new))
    if old == b"<smev:Status>REQUEST</smev:Status>":
        # exclusive c14n drops comments: the signed content is unchanged, so it verifies
        assert answer.status is Status.ACCEPT
        return
    assert_refused(harness, answer, "RSMEV-202")


def test_a_participant_cannot_inject_the_gateways_header(harness):
    """smev:Header (MessageId, NodeId) is the gateway's; a forged one would be delivered beside
    the gateway's own, and a provider reading the first would take the forged id."""
    def inject(root):
        forged = new_header("RSMV-1", "forged-id", MessageClass.REQUEST, datetime.now(UTC))
        build_header(forged, parent=root.find(SOAP_HEADER))
    answer = harness.call(resign(harness.mfc, request(harness), inject))
    assert_refused(harness, answer, "RSMEV-110")
    assert harness.call(harness.agency.control("GetRequest")).delivery is None


# -------------------------------------------------------------------------------- replays


def test_replayed_request_gets_the_original_accept(harness):
    envelope = request(harness)
    first = harness.call(envelope)
    second = harness.call(envelope)
    assert first.status is second.status is Status.ACCEPT
    message_id = first.message.request_id_ref
    assert second.message.request_id_ref == message_id
    assert second.types_element("Accepted").findtext(
        "{urn://smev-soap/types/1.0}MessageId") == message_id
    duplicates = journal(harness, "duplicate")
    assert [d.message_id for d in duplicates] == [message_id]
    with harness.gateway.database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(QueuedMessage)) == 1
    delivered = harness.call(harness.agency.control("GetRequest"))
    harness.call(harness.agency.control("Ack", request_id_ref=delivered.delivery.message_id))
    assert harness.call(harness.agency.control("GetRequest")).delivery is None


def test_replayed_answer_gets_the_original_accept(harness):
    request_id = harness.send_request().message.request_id_ref
    from test_service_refusals import answer_to
    envelope = answer_to(harness, request_id)
    first, second = harness.call(envelope), harness.call(envelope)
    assert first.status is second.status is Status.ACCEPT
    assert first.message.request_id_ref == second.message.request_id_ref
    assert journal(harness, "duplicate")


def test_replay_after_a_registry_change_still_gets_the_original_accept(harness):
    """The original was accepted and queued: its repeat must not read as refused (D10), even
    when the checks would refuse it now."""
    envelope = request(harness)
    first = harness.call(envelope)
    with harness.gateway.database.transaction() as session:
        add_classified(session, DEMO_KIND_NAMESPACE, None, "test")
    again = harness.call(envelope)
    assert again.status is Status.ACCEPT
    assert again.message.request_id_ref == first.message.request_id_ref
    duplicates = journal(harness, "duplicate")
    assert [d.message_id for d in duplicates] == [first.message.request_id_ref]
    assert duplicates[0].detail.startswith("checks now refuse it: RSMEV-305")  # kept on record
    assert_refused(harness, harness.call(request(harness)), "RSMEV-305")  # a new one is not


def test_resigned_body_is_a_duplicate_too(harness):
    """The idempotency key is the Body's digest: the same Body signed again is the same message."""
    envelope = request(harness)
    first = harness.call(envelope)
    again = harness.call(resign(harness.mfc, envelope, lambda root: None))
    assert again.message.request_id_ref == first.message.request_id_ref


def test_replay_older_than_the_window_is_stale(harness):
    envelope = request(harness, date=datetime.now(UTC) - timedelta(hours=2))
    harness.reconfigure(idempotency_window=3600)
    assert_refused(harness, harness.call(envelope), "RSMEV-111")


def test_message_from_the_future_is_refused(harness):
    envelope = request(harness, date=datetime.now(UTC) + timedelta(minutes=30))
    assert_refused(harness, harness.call(envelope), "RSMEV-111")


# ---------------------------------------------------------------- certificates and authorship


def test_another_participants_certificate_is_not_authorship(harness):
    """The МФЦ's code with the agency's (valid, registered) certificate."""
    forged = signed_by(harness.mfc, harness.agency.key, harness.agency.cert)
    assert_refused(harness, harness.call(request(harness, sender=forged)), "RSMEV-211")


def test_expired_certificate_even_when_registered(harness, pki):
    from smev_soap.registry import add_certificate
    with harness.gateway.database.transaction() as session:
        add_certificate(session, harness.mfc.code, pki.expired[1], "test")
    sender = signed_by(harness.mfc, *pki.expired)
    assert_refused(harness, harness.call(request(harness, sender=sender)), "RSMEV-207")


def test_self_signed_certificate_even_when_registered(harness, pki):
    from smev_soap.registry import add_certificate
    with harness.gateway.database.transaction() as session:
        add_certificate(session, harness.mfc.code, pki.self_signed[1], "test")
    sender = signed_by(harness.mfc, *pki.self_signed)
    assert_refused(harness, harness.call(request(harness, sender=sender)), "RSMEV-209")


def test_a_block_takes_effect_on_the_next_request_and_ends_with_the_unblock(harness):
    harness.send_request()
    with harness.gateway.database.transaction() as session:
        block_participant(session, harness.agency.code, "инцидент ИБ", "test")
    assert_refused(harness, harness.call(harness.agency.control("GetRequest")), "RSMEV-301")
    with harness.gateway.database.transaction() as session:
        unblock_participant(session, harness.agency.code, "test")
    assert harness.call(harness.agency.control("GetRequest")).status is Status.REQUEST


def test_classified_traffic_is_journalled_as_an_incident(harness):
    from smev_soap.demo import DEMO_KIND_NAMESPACE
    from smev_soap.registry import add_classified
    with harness.gateway.database.transaction() as session:
        add_classified(session, DEMO_KIND_NAMESPACE, None, "test")
    assert_refused(harness, harness.call(request(harness)), "RSMEV-305")
    [event] = journal(harness, "refused", "RSMEV-305")
    assert event.participant == harness.mfc.code and "incident" in event.detail


# ------------------------------------------------------------------------ chain hijacking


def test_a_stranger_cannot_join_another_chain(harness, pki):
    """OriginRequestIdRef of someone else's request does not make its history readable."""
    victim = harness.send_request().message.request_id_ref
    stranger = harness.register("MFCR00002", "Посторонний МФЦ", *pki.consumer, consumer=True)
    accepted = harness.call(request(harness, sender=stranger,
                                    payload=payments_request("11111111111"),
                                    origin_request_id_ref=victim))
    own = accepted.message.request_id_ref
    assert accepted.message.origin_request_id_ref == own, "a chain of its own"
    history = harness.call(stranger.control("GetStatus", request_id_ref=own))
    participants = {e.findtext("{urn://smev-soap/types/1.0}Participant")
                    for e in history.types_element("History")}
    assert harness.mfc.code not in participants
    assert_refused(harness, harness.call(stranger.control("GetStatus", request_id_ref=victim)),
                   "RSMEV-309")


def test_a_provider_continues_its_consumers_chain(harness, pki):
    """The recipient of a request may ask another provider within the same chain (D7)."""
    origin = harness.send_request().message.request_id_ref
    harness.register("SZNR00002", "Второй поставщик", *pki.provider)
    from smev_soap.demo import DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT
    from smev_soap.registry import CONSUMER, find_kind, grant
    with harness.gateway.database.transaction() as session:
        grant(session, harness.agency.code, find_kind(session, DEMO_KIND_NAMESPACE,
                                                      DEMO_KIND_ROOT), CONSUMER, "test")
    cascaded = harness.call(harness.agency.envelope(
        "SendRequest", Status.REQUEST, recipient=harness.agency.org,
        app_data=[payments_request()], origin_request_id_ref=origin))
    assert cascaded.status is Status.ACCEPT
    assert cascaded.message.origin_request_id_ref == origin


# ------------------------------------------------------------------------ the delivered copy


def test_delivery_keeps_the_senders_bytes(harness):
    """The provider verifies the consumer's own signature over the Body as it was sent."""
    envelope = request(harness)
    harness.call(envelope)
    delivered = harness.call(harness.agency.control("GetRequest")).delivery
    verification, _ = open_delivery(delivered, harness.trust)
    assert verification.sender.certificate == harness.mfc.cert
    assert verification.recipient.certificate == harness.gateway.cert
    sent_body = etree.tostring(body_of(parse(envelope)), method="c14n", exclusive=True)
    assert etree.tostring(verification.body, method="c14n", exclusive=True) == sent_body
    assert smev(parse(delivered.envelope), "Message/Sender/Code").text == harness.mfc.code


# ------------------------------------------------------------------------- contract (D2)


def _by_mnemonic(harness, app_data) -> bytes:
    return harness.mfc.envelope("SendRequest", Status.REQUEST, recipient=harness.agency.org,
                                app_data=app_data, service=ServiceRef(DEMO_SERVICE, "1.00"))


def test_a_request_without_payload_is_refused(harness):
    assert_refused(harness, harness.call(_by_mnemonic(harness, [])), "RSMEV-401")


def test_a_request_carrying_the_kinds_answer_element_is_refused(harness):
    """Valid against the kind's XSD (a global element), but not the kind's request root."""
    answer = harness.call(_by_mnemonic(harness, [payments_response()]))
    assert_refused(harness, answer, "RSMEV-400")
    assert harness.call(_by_mnemonic(harness, [payments_request()])).status is Status.ACCEPT


def test_text_beside_the_payload_is_refused(harness):
    """AppData is element-only in rev120315: the structure check refuses it first."""
    def add_text(root):
        smev(root, "MessageData/AppData")[0].tail = "stray text"
    assert_refused(harness, harness.call(resign(harness.mfc, request(harness), add_text)),
                   "RSMEV-110")


# --------------------------------------------------------------------- malformed multipart

MULTIPART = 'multipart/related; boundary="b"'


@pytest.mark.parametrize("content_type,body,code", [
    (MULTIPART, b"no parts here", "RSMEV-101"),
    ("multipart/related", b"--b\r\n\r\nx\r\n--b--", "RSMEV-101"),
    (MULTIPART + "; start*=utf-8''%3Croot%3E",
     b"--b\r\nContent-Type: text/xml\r\nContent-ID: <root>\r\n\r\n<a/>\r\n--b--\r\n",
     "RSMEV-100"),
    (MULTIPART, b"--b\r\nContent-Type: image/png\r\n\r\nxx\r\n--b--\r\n", "RSMEV-101"),
    (MULTIPART, (b"--b\r\nContent-Type: text/xml\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                b"!!!!\r\n--b--\r\n"), "RSMEV-100"),
    (MULTIPART, b"--b\r\nContent-Type: text/xml\r\n\r\n\r\n--b--\r\n", "RSMEV-100"),
    (MULTIPART, (b"--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n\r\nx\r\n"
                b"--c--\r\n--b--\r\n"), "RSMEV-101"),
], ids=["no-parts", "no-boundary", "rfc2231-start", "image-root", "bad-base64", "empty-root",
        "nested"])
def test_malformed_multipart_is_a_fault_not_a_crash(harness, content_type, body, code):
    assert_fault(harness, harness.post(body, content_type), code)
