"""A gateway with the demo registry, called in-process over WSGI, on both backends."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from service_samples import payments_request

from smev_soap.client import Answer, Participant, read_answer
from smev_soap.config import load_settings
from smev_soap.crypto import TrustStore
from smev_soap.demo import (
    DEMO_AGENCY,
    DEMO_MFC,
    demo_participant_keys,
    ensure_gateway_keys,
    load_demo_registry,
)
from smev_soap.envelope.model import Org, Status
from smev_soap.service.app import SingleService
from smev_soap.service.gateway import Gateway


@dataclass
class Exchange:
    status: str
    body: bytes


class Harness:
    """The single service plus the demo МФЦ and agency as signed clients."""

    def __init__(self, gateway: Gateway, mfc: Participant, agency: Participant) -> None:
        self.gateway = gateway
        self.app = SingleService(gateway)
        self.mfc = mfc
        self.agency = agency
        self.trust = gateway.trust

    def post(self, body: bytes, content_type: str = "text/xml; charset=utf-8") -> Exchange:
        environ = {
            "REQUEST_METHOD": "POST", "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "PATH_INFO": "/smev/ws", "QUERY_STRING": "",
        }
        seen: list[str] = []
        chunks = self.app(environ, lambda status, headers: seen.append(status))
        return Exchange(seen[0], b"".join(chunks))

    def call(self, envelope: bytes) -> Answer:
        """POST a signed envelope; the answer must be a gateway-signed SMEV message."""
        exchange = self.post(envelope)
        assert exchange.status.startswith("200"), exchange.body[:500]
        answer = read_answer(exchange.body, self.trust)
        assert answer.verification.sender.certificate.fingerprint_sha256 == \
            self.gateway.cert.fingerprint_sha256
        return answer

    def send_request(self, snils: str = "12345678901", **kwargs) -> Answer:
        return self.call(self.mfc.envelope("SendRequest", Status.REQUEST,
                                           recipient=self.agency.org,
                                           app_data=[payments_request(snils)], **kwargs))


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory):
    """Demo keys made once per run (key generation is the slow part)."""
    var = tmp_path_factory.mktemp("var")
    settings = load_settings(var_dir=var)
    ensure_gateway_keys(settings)
    for who in (DEMO_MFC, DEMO_AGENCY):
        demo_participant_keys(settings, who)
    return var


@pytest.fixture
def harness(database, keys_dir) -> Harness:
    settings = load_settings(var_dir=keys_dir, database_url=database.url)
    load_demo_registry(settings, database)
    gateway = Gateway.from_settings(settings, database)
    assert isinstance(gateway.trust, TrustStore)

    def participant(who) -> Participant:
        key, cert = demo_participant_keys(settings, who).load()
        return Participant(who.code, who.name, key, cert, gateway=Org(gateway.code, "РСМЭВ"))

    return Harness(gateway, participant(DEMO_MFC), participant(DEMO_AGENCY))
