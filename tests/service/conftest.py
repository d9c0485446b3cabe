"""A gateway with the demo registry, called in-process over WSGI, on both backends."""

from __future__ import annotations

import dataclasses
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from service_samples import payments_request
from service_tools import schema_problems
from sqlalchemy import text

from smev_soap import migrate
from smev_soap.client import Answer, Participant, read_answer
from smev_soap.config import load_settings
from smev_soap.crypto import Certificate, PrivateKey, TrustStore, issue_certificate, issue_crl
from smev_soap.db import Database
from smev_soap.demo import (
    DEMO_AGENCY,
    DEMO_KIND_NAMESPACE,
    DEMO_KIND_ROOT,
    DEMO_MFC,
    demo_ca,
    demo_participant_keys,
    ensure_gateway_keys,
    load_demo_registry,
)
from smev_soap.envelope.model import Org, Status
from smev_soap.registry import CONSUMER, add_participant, find_kind, grant
from smev_soap.service.app import SingleService, SoapService
from smev_soap.service.gateway import Gateway


@dataclass
class Exchange:
    status: str
    body: bytes


class Harness:
    """A SOAP face (the single service unless told) plus the demo МФЦ and agency as signed
    clients."""

    def __init__(self, gateway: Gateway, mfc: Participant, agency: Participant,
                 face: type[SoapService] = SingleService) -> None:
        self.gateway = gateway
        self.face = face
        self.app = face(gateway)
        self.mfc = mfc
        self.agency = agency
        self.trust = gateway.trust

    def post(self, body: bytes, content_type: str = "text/xml; charset=utf-8") -> Exchange:
        environ = {
            "REQUEST_METHOD": "POST", "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "PATH_INFO": self.face.spec.path, "QUERY_STRING": "",
        }
        seen: list[str] = []
        chunks = self.app(environ, lambda status, headers: seen.append(status))
        return Exchange(seen[0], b"".join(chunks))

    def call(self, envelope: bytes, content_type: str = "text/xml; charset=utf-8") -> Answer:
        """POST a signed envelope; the answer must be a gateway-signed SMEV message that
        validates against the published rev120315 schema and our types schema."""
        exchange = self.post(envelope, content_type)
        assert exchange.status.startswith("200"), exchange.body[:500]
        answer = read_answer(exchange.body, self.trust)
        assert answer.verification.sender.certificate.fingerprint_sha256 == \
            self.gateway.cert.fingerprint_sha256
        assert schema_problems(answer) == [], schema_problems(answer)
        return answer

    def reconfigure(self, **changes) -> None:
        """Serve with changed settings (``lease_seconds=0``, ``environment="sandbox"`` …)."""
        settings = dataclasses.replace(self.gateway.settings, **changes)
        self.use_gateway(dataclasses.replace(self.gateway, settings=settings))

    def facing(self, face: type[SoapService]) -> Harness:
        """The same gateway serving ``face``, the participants writing in its namespace."""
        tns = face.spec.tns(self.gateway.settings)
        return Harness(self.gateway, dataclasses.replace(self.mfc, tns=tns),
                       dataclasses.replace(self.agency, tns=tns), face)

    def use_gateway(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.app = self.face(gateway)

    def register(self, code: str, name: str, key: PrivateKey, cert: Certificate, *,
                 consumer: bool = False, allow_test: bool = False) -> Participant:
        """One more participant, optionally a consumer of the demo kind."""
        with self.gateway.database.transaction() as session:
            add_participant(session, code, name, [cert], "test")
            if consumer:
                kind = find_kind(session, DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT)
                grant(session, code, kind, CONSUMER, "test", allow_test=allow_test)
        return Participant(code, name, key, cert, gateway=self.mfc.gateway)

    def send_request(self, snils: str = "12345678901", **kwargs) -> Answer:
        return self.call(self.mfc.envelope("SendRequest", Status.REQUEST,
                                           recipient=self.agency.org,
                                           app_data=[payments_request(snils)], **kwargs))


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating takes a third of a second)."""
    path = tmp_path_factory.mktemp("template") / "smev.db"
    template = Database(f"sqlite:///{path}")
    migrate.upgrade(template)
    template.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path, migrated_sqlite) -> Iterator[Database]:
    """The shared ``database`` fixture, with SQLite copied from a migrated template."""
    if request.param == "sqlite":
        path = tmp_path / "smev.db"
        shutil.copyfile(migrated_sqlite, path)
        db = Database(f"sqlite:///{path}")
        yield db
        db.dispose()
    else:
        yield request.getfixturevalue("database_postgresql")


@pytest.fixture
def database_postgresql(pg_database) -> Database:
    """The run's PostgreSQL database, emptied; DELETE of a few rows is ~20x cheaper than the
    shared fixture's TRUNCATE (ids are not restarted: no service test depends on them)."""
    tables = [t for t in reversed(migrate.target_metadata().sorted_tables)
              if t.name != "registry_version"]
    with pg_database.engine.begin() as connection:
        for table in tables:
            connection.execute(table.delete())
        connection.execute(text("UPDATE registry_version SET version = 0"))
    return pg_database


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory):
    """Demo keys made once per run (key generation is the slow part)."""
    var = tmp_path_factory.mktemp("var")
    settings = load_settings(var_dir=var)
    ensure_gateway_keys(settings)
    for who in (DEMO_MFC, DEMO_AGENCY):
        demo_participant_keys(settings, who)
    return var


@dataclass(frozen=True)
class Pki:
    """Extra keys and certificates, made once per run: (key, certificate) pairs."""

    ca: Certificate
    consumer: tuple[PrivateKey, Certificate]  # demo CA; for a second consumer
    provider: tuple[PrivateKey, Certificate]  # demo CA; for a second provider
    foreign: tuple[PrivateKey, Certificate]  # demo CA, registered to nobody
    expired: tuple[PrivateKey, Certificate]  # demo CA, expired yesterday
    not_yet_valid: tuple[PrivateKey, Certificate]  # demo CA, valid from next week
    self_signed: tuple[PrivateKey, Certificate]
    revoked: tuple[PrivateKey, Certificate]  # demo CA, listed in ``crl``
    crl: bytes


@pytest.fixture(scope="session")
def pki(keys_dir) -> Pki:
    ca_key, ca_cert = demo_ca(load_settings(var_dir=keys_dir)).load()
    now = datetime.now(UTC)

    def issued(cn: str, **kwargs) -> tuple[PrivateKey, Certificate]:
        key = PrivateKey.generate("gost2012-256")
        return key, issue_certificate({"C": "RU", "O": "test", "CN": cn}, key, ca_key, ca_cert,
                                      **kwargs)

    self_key = PrivateKey.generate("gost2012-256")
    revoked = issued("revoked")
    return Pki(
        ca=ca_cert,
        consumer=issued("MFCR00002"),
        provider=issued("SZNR00002"),
        foreign=issued("foreign"),
        expired=issued("expired", not_before=now - timedelta(days=3), days=1),
        not_yet_valid=issued("future", not_before=now + timedelta(days=7), days=30),
        self_signed=(self_key, issue_certificate({"CN": "MFCR00001"}, self_key)),
        revoked=revoked,
        crl=issue_crl(ca_cert, ca_key, [revoked[1].serial]),
    )


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
