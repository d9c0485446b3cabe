"""Journal test fixtures: the gateway's sealing key and certificate."""

from __future__ import annotations

import pytest

from smev_soap.crypto import Certificate, PrivateKey, issue_certificate


@pytest.fixture(scope="session")
def gateway_key() -> PrivateKey:
    return PrivateKey.generate("gost2012-256")


@pytest.fixture(scope="session")
def gateway_cert(gateway_key) -> Certificate:
    return issue_certificate("CN=RSMV00001 gateway", gateway_key)
