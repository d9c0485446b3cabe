"""zeep and suds-community, consuming the registry service's ``?wsdl`` on the real gateway, call
every operation: as the demo МФЦ, and as a system applying to connect with a certificate of the
demo CA. Each answer is verified (gateway signature over the received bytes), its smev:Message
validates against the published rev120315 schema and its AppData against our registry XSD."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from interop_support import emitted_problems
from lxml import etree
from test_suds_client import SudsParticipant

from smev_soap.client import Answer, Participant
from smev_soap.crypto import PrivateKey, issue_certificate
from smev_soap.demo import DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT, demo_ca
from smev_soap.envelope.model import Status, TypeCode
from smev_soap.registry import CONSUMER
from smev_soap.registry.applications import RequestedKind
from smev_soap.resources import XSD_DIR
from smev_soap.service.registry_appdata import (
    KindRef,
    application,
    application_query,
    classifier_query,
    kind_query,
)
from smev_soap.service.registry_service import PATH
from smev_soap.zeep_client import ZeepParticipant

R = "{urn://smev-soap/registry/1.0}"
DEMO = KindRef(DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT)
REGISTRY_SCHEMA = etree.XMLSchema(etree.parse(str(XSD_DIR / "smev-soap-registry.xsd")))


@dataclass
class Called:
    """One call: the client's own reading of the answer's Message and our verified reading."""

    status: str
    sender: str
    answer: Answer
    received: bytes


Caller = Callable[[str, Status, "etree._Element | None"], Called]


def zeep_caller(url: str, who: Participant, trust) -> Caller:
    client = ZeepParticipant(url + "?wsdl", who, trust)

    def call(operation: str, status: Status, parameters: etree._Element | None) -> Called:
        got = client.call(operation, status, app_data=[] if parameters is None else [parameters],
                          type_code=TypeCode.OTHR, exchange_type="0")
        return Called(got.result.Message.Status, got.result.Message.Sender.Code, got.answer,
                      got.received)

    return call


def suds_caller(url: str, who: Participant, trust) -> Caller:
    client = SudsParticipant(url + "?wsdl", who, trust)

    def call(operation: str, status: Status, parameters: etree._Element | None) -> Called:
        reply, answer = client.call(operation, status, payload=parameters)
        return Called(reply.Message.Status, reply.Message.Sender.Code, answer,
                      client.plugin.last_received)

    return call


CLIENTS = {"zeep": (zeep_caller, "NEWZ00001"), "suds": (suds_caller, "NEWS00001")}


@pytest.fixture(params=sorted(CLIENTS))
def client(request: pytest.FixtureRequest) -> str:
    return request.param


def result(call: Called, name: str, gateway, published) -> etree._Element:
    """The RESULT's single ``reg:name``; both readings agree and everything validates."""
    answer = call.answer
    assert answer.status is Status.RESULT, (answer.error_code, answer.error_texts)
    assert (call.status, call.sender) == ("RESULT", gateway.settings.gateway_code)
    assert answer.verification.sender.certificate.fingerprint_sha256 == gateway.fingerprint
    assert emitted_problems(call.received, published, gateway.trust) == []
    [element] = answer.parsed.app_data
    assert element.tag == R + name
    assert REGISTRY_SCHEMA.validate(element), REGISTRY_SCHEMA.error_log
    return element


def test_registry_as_a_participant(server, published, client):
    make, _ = CLIENTS[client]
    url = server.base_url + PATH
    mfc = replace(server.mfc, tns=server.settings.registry_namespace)
    call = make(url, mfc, server.trust)

    available = result(call("ListAvailable", Status.PING, None), "Available", server, published)
    assert [k.findtext(R + "RootElementLocalName") for k in available.iterfind(R + "Kind")] \
        == [DEMO.root]

    schema = result(call("GetKindSchema", Status.PING, kind_query(DEMO)), "KindSchema", server,
                    published)
    xsd = base64.b64decode(schema.findtext(R + "Schema"))
    assert hashlib.sha256(xsd).hexdigest() == schema.findtext(R + "Sha256")

    listed = result(call("ListClassifiers", Status.PING, None), "Classifiers", server, published)
    assert "OKTMO" in [c.findtext(R + "Name") for c in listed]
    oktmo = result(call("GetClassifier", Status.PING, classifier_query("OKTMO")), "Classifier",
                   server, published)
    assert len(oktmo.findall(R + "Item")) > 1
    since = result(call("GetClassifier", Status.PING, classifier_query("OKTMO", 1)),
                   "Classifier", server, published)
    assert since.findtext(R + "SinceVersion") == "1"

    types = result(call("GetDataTypes", Status.PING, kind_query(DEMO)), "DataTypes", server,
                   published)
    assert types.find(R + "Attribute") is not None


def test_registry_application_from_a_new_system(server, published, client):
    make, code = CLIENTS[client]
    url = server.base_url + PATH
    ca_key, ca_cert = demo_ca(server.settings).load()
    key = PrivateKey.generate("gost2012-256")
    cert = issue_certificate({"C": "RU", "O": "interop", "CN": code}, key, ca_key, ca_cert)
    newcomer = Participant(code, "Новая система", key, cert,
                           tns=server.settings.registry_namespace, gateway=server.mfc.gateway)
    call = make(url, newcomer, server.trust)

    submitted = result(call("SubmitApplication", Status.REQUEST, application(
        "ГБУ «Новая организация»", "ИС учёта обращений", "regional", "it@example.org",
        [RequestedKind(DEMO.namespace, DEMO.root, CONSUMER)])), "ApplicationStatus", server,
        published)
    assert submitted.findtext(R + "ParticipantCode") == code
    status = result(call("GetApplicationStatus", Status.PING,
                         application_query(int(submitted.findtext(R + "ApplicationId")))),
                    "ApplicationStatus", server, published)
    assert status.findtext(R + "Status") == "submitted"
