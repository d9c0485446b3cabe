"""One real gateway per session: ``smev-soap run`` (gunicorn) on a free loopback port, SQLite,
with the demo registry loaded beforehand (and so without the demo-agent, which would take the
agency's requests away from the clients under test)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gateway_process import start_gateway, stop_gateway
from interop_support import PUBLISHED_XSD, drain, published_schema
from lxml import etree

from smev_soap import migrate
from smev_soap.client import Participant
from smev_soap.config import Settings, load_settings
from smev_soap.crypto import Certificate, TrustStore
from smev_soap.db import Database
from smev_soap.demo import DEMO_AGENCY, DEMO_MFC, ensure_gateway_keys, load_demo_registry
from smev_soap.demo_agent import demo_participant, trust_store
from smev_soap.service.app import PATH


@dataclass
class Server:
    """A running gateway and the demo participants that use it."""

    settings: Settings
    base_url: str
    process: subprocess.Popen
    log: Path
    mfc: Participant
    agency: Participant
    trust: TrustStore | None

    @property
    def fingerprint(self) -> str:
        """SHA-256 fingerprint of the gateway's certificate (the signer of every answer)."""
        return Certificate.from_file(self.settings.cert).fingerprint_sha256

    @property
    def url(self) -> str:
        return self.base_url + PATH

    @property
    def wsdl_url(self) -> str:
        return self.url + "?wsdl"


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    var = tmp_path_factory.mktemp("interop-var")
    settings = load_settings(var_dir=var)
    database = Database(settings.database_url)
    migrate.upgrade(database)
    ensure_gateway_keys(settings)
    load_demo_registry(settings, database)
    database.dispose()
    settings, process, log, base_url = start_gateway(var)
    try:
        yield Server(settings, base_url, process, log, demo_participant(settings, DEMO_MFC),
                     demo_participant(settings, DEMO_AGENCY), trust_store(settings))
    finally:
        stop_gateway(process)


@pytest.fixture
def gateway(server: Server) -> Server:
    """The session's gateway with both demo queues emptied before the test."""
    drain(server.url, server.agency, "GetRequest", server.trust)
    drain(server.url, server.mfc, "GetResponse", server.trust)
    return server


@pytest.fixture(scope="session")
def published() -> etree.XMLSchema:
    """The published rev120315 schema (conformance/xsd)."""
    if not PUBLISHED_XSD.exists():
        pytest.skip(f"{PUBLISHED_XSD} is not available")
    return published_schema()
