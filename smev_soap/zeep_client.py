"""A participant of the single service as a zeep client of its published WSDL.

zeep builds each operation from the WSDL; :class:`SigningPlugin` signs the envelope zeep built
(actor ``smev``, adding the soap:Header zeep leaves out) and verifies the gateway's signature on
every answer. AppData is ``xs:any``: zeep takes lxml elements as ``_value_1`` and writes them as
they are. Used by ``smev-soap demo play`` and the interop tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
import zeep
from lxml import etree
from zeep.plugins import Plugin
from zeep.transports import Transport

from smev_soap.client import Answer, Participant, read_answer
from smev_soap.crypto import TrustStore
from smev_soap.envelope.model import Org, Status, TypeCode
from smev_soap.wsse.smev2 import sign_envelope, verify_envelope

TIMEOUT = 30


class SigningPlugin(Plugin):
    """Signs outgoing envelopes with the participant's key; verifies each answer's signature."""

    def __init__(self, participant: Participant, trust: TrustStore | None) -> None:
        self.participant = participant
        self.trust = trust

    def egress(self, envelope, http_headers, operation, binding_options):
        sign_envelope(envelope, self.participant.key, self.participant.cert)
        return envelope, http_headers

    def ingress(self, envelope, http_headers, operation):
        verification = verify_envelope(envelope, trust=self.trust)
        if not verification.ok:
            raise ValueError(f"the gateway's answer does not verify: {verification.reason}")
        return envelope, http_headers


class RecordingTransport(Transport):
    """A transport that keeps the last request and answer bytes exactly as on the wire."""

    last_sent: bytes = b""
    last_received: bytes = b""

    def post(self, address, message, headers):
        self.last_sent = message
        response = super().post(address, message, headers)
        self.last_received = response.content
        return response


@dataclass
class ZeepAnswer:
    """zeep's reading of an answer and ours (:func:`read_answer` over the received bytes)."""

    result: Any
    answer: Answer
    sent: bytes
    received: bytes


class ZeepParticipant:
    """Calls the operations of the single service through zeep as ``participant``."""

    def __init__(self, wsdl_url: str, participant: Participant, trust: TrustStore | None,
                 address: str | None = None) -> None:
        session = requests.Session()
        session.trust_env = False  # loopback or a configured gateway: no proxies from the env
        self.participant = participant
        self.trust = trust
        self.transport = RecordingTransport(session=session, timeout=TIMEOUT,
                                            operation_timeout=TIMEOUT)
        self.client = zeep.Client(wsdl_url, transport=self.transport,
                                  plugins=[SigningPlugin(participant, trust)])
        binding = next(iter(self.client.wsdl.bindings))
        self.service = self.client.create_service(
            binding, address or wsdl_url.split("?", 1)[0])

    def call(
        self,
        operation: str,
        status: Status,
        *,
        recipient: Org | None = None,
        app_data: Iterable[etree._Element] = (),
        request_id_ref: str | None = None,
        origin_request_id_ref: str | None = None,
        type_code: TypeCode = TypeCode.GSRV,
        exchange_type: str = "2",
        case_number: str | None = None,
    ) -> ZeepAnswer:
        """One operation; AppData elements are passed to zeep as ``xs:any`` content."""
        to = recipient or self.participant.gateway
        message: dict[str, Any] = {
            "Sender": {"Code": self.participant.code, "Name": self.participant.name},
            "Recipient": {"Code": to.code, "Name": to.name},
            "TypeCode": type_code.value,
            "Status": status.value,
            "Date": datetime.now(UTC),
            "ExchangeType": exchange_type,
            "RequestIdRef": request_id_ref,
            "OriginRequestIdRef": origin_request_id_ref,
            "CaseNumber": case_number,
        }
        elements = list(app_data)
        message_data = {"AppData": {"_value_1": elements}} if elements else {}
        result = getattr(self.service, operation)(Message=message, MessageData=message_data)
        return ZeepAnswer(result, read_answer(self.transport.last_received, self.trust),
                          self.transport.last_sent, self.transport.last_received)

    def control(self, operation: str, request_id_ref: str | None = None) -> ZeepAnswer:
        """A control call to the gateway (Get*, Ack, GetStatus): PING, OTHR, type 0 (D5)."""
        return self.call(operation, Status.PING, request_id_ref=request_id_ref,
                         type_code=TypeCode.OTHR, exchange_type="0")
