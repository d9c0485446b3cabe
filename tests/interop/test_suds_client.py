"""suds-community, consuming ``?wsdl``, drives the whole exchange as the МФЦ and as the agency.

Signing is a suds ``MessagePlugin.sending`` hook over ``sign_envelope``; each raw reply is read
by ``received`` and verified with ``read_answer``. AppData (``xs:any``) content is passed as
``suds.sax.text.Raw``, which suds writes unescaped, as it is.
"""

from __future__ import annotations

from datetime import UTC, datetime

from interop_support import delivered_payload, emitted_problems, kind_schema, payload_bytes
from lxml import etree
from suds.client import Client
from suds.plugin import MessagePlugin
from suds.sax.text import Raw

from smev_soap.client import Answer, Participant, read_answer
from smev_soap.demo_agent import load_payments, payments_response
from smev_soap.demo_play import payments_request
from smev_soap.envelope.dates import format_datetime
from smev_soap.envelope.model import Org, Status
from smev_soap.wsse.smev2 import sign_envelope
from smev_soap.xml.safe import parse_xml


class SmevSigning(MessagePlugin):
    """Signs what suds sends (actor smev); keeps and verifies what it receives."""

    def __init__(self, participant: Participant, trust) -> None:
        self.participant = participant
        self.trust = trust
        self.last_sent = self.last_received = b""

    def sending(self, context) -> None:
        root = parse_xml(context.envelope, max_bytes=10 * 1024 * 1024)
        sign_envelope(root, self.participant.key, self.participant.cert)
        signed = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        context.envelope = self.last_sent = signed

    def received(self, context) -> None:
        self.last_received = context.reply
        read_answer(context.reply, self.trust)  # raises if the gateway's signature fails


class SudsParticipant:
    def __init__(self, wsdl_url: str, participant: Participant, trust) -> None:
        self.participant = participant
        self.plugin = SmevSigning(participant, trust)
        self.client = Client(wsdl_url, plugins=[self.plugin], cache=None)
        self.trust = trust

    def call(self, operation: str, status: Status, recipient: Org | None = None,
             payload: etree._Element | None = None, **refs: str) -> tuple[object, Answer]:
        to = recipient or self.participant.gateway
        message = {
            "Sender": {"Code": self.participant.code, "Name": self.participant.name},
            "Recipient": {"Code": to.code, "Name": to.name},
            "TypeCode": "GSRV" if recipient else "OTHR", "Status": status.value,
            "Date": format_datetime(datetime.now(UTC)),
            "ExchangeType": "2" if recipient else "0", **refs,
        }
        data = {} if payload is None else {"AppData": Raw(etree.tostring(payload,
                                                                         encoding="unicode"))}
        reply = getattr(self.client.service, operation)(Message=message, MessageData=data)
        return reply, read_answer(self.plugin.last_received, self.trust)


def checked(call: tuple[object, Answer], status: Status, gateway, published,
            raw: bytes) -> Answer:
    reply, answer = call
    assert answer.status is status, (answer.error_code, answer.error_texts)
    assert reply.Message.Status == status.value
    assert reply.Message.Sender.Code == gateway.settings.gateway_code
    assert answer.verification.sender.certificate.fingerprint_sha256 == gateway.fingerprint
    assert emitted_problems(raw, published, gateway.trust) == []
    return answer


def test_suds_full_exchange(gateway, published):
    mfc = SudsParticipant(gateway.wsdl_url, gateway.mfc, gateway.trust)
    agency = SudsParticipant(gateway.wsdl_url, gateway.agency, gateway.trust)

    def step(who: SudsParticipant, status: Status, *args, **kwargs) -> Answer:
        return checked(who.call(*args, **kwargs), status, gateway, published,
                       who.plugin.last_received)

    accepted = step(mfc, Status.ACCEPT, "SendRequest", Status.REQUEST, gateway.agency.org,
                    payments_request("11223344595"))
    request_id = accepted.message.request_id_ref
    sent_payload = payload_bytes(mfc.plugin.last_sent)

    got = step(agency, Status.REQUEST, "GetRequest", Status.PING)
    delivered_bytes, delivered = delivered_payload(got, gateway.trust)
    assert delivered_bytes == sent_payload, "the Raw payload arrives byte-identical"
    assert kind_schema().validate(delivered)

    step(agency, Status.ACCEPT, "SendResponse", Status.RESULT, gateway.mfc.org,
         payments_response(delivered, load_payments()), RequestIdRef=request_id,
         OriginRequestIdRef=request_id)
    answered_payload = payload_bytes(agency.plugin.last_sent)
    step(agency, Status.ACCEPT, "Ack", Status.PING, RequestIdRef=request_id)

    statuses = []
    for _ in range(10):
        reply, polled = mfc.call("GetResponse", Status.PING, RequestIdRef=request_id)
        checked((reply, polled), polled.status, gateway, published, mfc.plugin.last_received)
        if polled.delivery is None:
            continue
        statuses.append(polled.status)
        step(mfc, Status.ACCEPT, "Ack", Status.PING, RequestIdRef=polled.delivery.message_id)
        if polled.status is Status.RESULT:
            break
    assert statuses == [Status.STATE, Status.RESULT]
    result_bytes, result = delivered_payload(polled, gateway.trust)
    assert result_bytes == answered_payload
    assert [p.findtext("{*}Month") for p in result.iter("{*}Payment")] == ["2026-04", "2026-05"]
