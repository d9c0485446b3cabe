"""Fixtures for the signature tests: GOST keys made by the openssl CLI, an independent verifier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from wsse_helpers import Signer, openssl_signer

from smev_soap.crypto import Certificate, PrivateKey, TrustStore, issue_certificate


@pytest.fixture(scope="session")
def signer(tmp_path_factory) -> Signer:
    """A GOST 2012-256 key and self-signed certificate made by `openssl req -engine gost`."""
    return openssl_signer(tmp_path_factory.mktemp("signer"), "sender")


@pytest.fixture(scope="session")
def other_signer(tmp_path_factory) -> Signer:
    return openssl_signer(tmp_path_factory.mktemp("other"), "gateway")


@dataclass(frozen=True)
class Pki:
    ca: Certificate
    trust: TrustStore
    valid: tuple[PrivateKey, Certificate]
    expired: tuple[PrivateKey, Certificate]


@pytest.fixture(scope="session")
def pki() -> Pki:
    """A CA in a TrustStore with one valid and one expired end-entity certificate."""
    ca_key = PrivateKey.generate("gost2012-256")
    ca = issue_certificate("/O=Test/CN=Test CA", ca_key, ca=True, days=3650)
    key = PrivateKey.generate("gost2012-256")
    valid = issue_certificate("/O=Test/CN=valid", key, ca_key, ca)
    old_key = PrivateKey.generate("gost2012-256")
    expired = issue_certificate(
        "/O=Test/CN=expired", old_key, ca_key, ca,
        not_before=datetime.now(UTC) - timedelta(days=400), days=30,
    )
    return Pki(ca, TrustStore.from_certificates([ca]), (key, valid), (old_key, expired))
