"""Checks shared by the interop tests: published-schema validity, payload identity, draining."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from smev_soap.client import Answer, Participant, open_delivery, read_answer
from smev_soap.crypto import TrustStore
from smev_soap.demo import DEMO_KIND_XSD
from smev_soap.demo_agent import post_envelope
from smev_soap.xml.ns import SMEV, SOAP

PUBLISHED_XSD = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "xsd" / "smev2" / "smev-rev120315-v2.5.3.xsd"
S = f"{{{SMEV}}}"
_PAYLOAD = re.compile(rb"<([\w.-]+:)?(PaymentsRequest|PaymentsResponse)\b.*?</\1\2>", re.DOTALL)


def published_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(PUBLISHED_XSD), etree.XMLParser(no_network=True)))


def kind_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DEMO_KIND_XSD)))


def schema_problems(envelope: bytes, schema: etree.XMLSchema) -> list[str]:
    """smev:Message, smev:MessageData and any smev:Header of an envelope against ``schema``."""
    root = etree.fromstring(envelope)
    operation = root.find(f"{{{SOAP}}}Body")[0]
    problems = [] if [c.tag for c in operation] == [S + "Message", S + "MessageData"] else \
        [f"{operation.tag} holds {[c.tag for c in operation]}"]
    for element in [*operation, *root.iter(S + "Header")]:
        if not schema.validate(element):
            problems.append(f"{element.tag}: {schema.error_log.last_error}")
    return problems


def emitted_problems(answer: bytes, schema: etree.XMLSchema, trust: TrustStore | None
                     ) -> list[str]:
    """An answer of the gateway and, for a pull, the envelope it delivers, against the schema."""
    problems = schema_problems(answer, schema)
    delivery = read_answer(answer, trust).delivery
    if delivery is not None:
        problems += [f"delivered: {p}" for p in schema_problems(delivery.envelope, schema)]
    return problems


def payload_bytes(envelope: bytes) -> bytes:
    """The serialised PaymentsRequest/PaymentsResponse element inside an envelope."""
    found = _PAYLOAD.search(envelope)
    assert found, "no demo payload in the envelope"
    return found.group(0)


def drain(url: str, who: Participant, operation: str, trust: TrustStore | None,
          limit: int = 50) -> int:
    """Take and acknowledge what waits in ``who``'s queue (GetRequest or GetResponse)."""
    for taken in range(limit):
        got = read_answer(post_envelope(url, who.control(operation)), trust)
        if got.delivery is None:
            return taken
        read_answer(post_envelope(url, who.control("Ack", request_id_ref=got.delivery.message_id)),
                    trust)
    raise AssertionError(f"{who.code}'s queue did not drain in {limit} takes")


def delivered_payload(answer: Answer, trust: TrustStore | None) -> tuple[bytes, etree._Element]:
    """The delivered envelope's payload: its bytes and the element (both signatures verified)."""
    verification, parsed = open_delivery(answer.delivery, trust)
    assert verification.ok and verification.recipient is not None
    return payload_bytes(answer.delivery.envelope), parsed.app_data[0]
