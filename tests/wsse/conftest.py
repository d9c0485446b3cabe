"""Fixtures for the signature tests: GOST keys made by the openssl CLI, an independent verifier."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smev_soap.crypto import Certificate, PrivateKey, TrustStore, issue_certificate

CONFORMANCE = Path("/work/shared/conformance")
SMEV2_SAMPLE = CONFORMANCE / "envelopes/smev2-rev120315-request-AppDocument-BinaryData-zip-unsigned.xml"


@dataclass(frozen=True)
class Signer:
    key: PrivateKey
    cert: Certificate
    key_pem: Path
    cert_pem: Path


def openssl(*args: str, data: bytes | None = None) -> bytes:
    """Run the openssl CLI with the GOST engine; return stdout."""
    done = subprocess.run(["openssl", *args], input=data, capture_output=True, check=True)
    return done.stdout


def _openssl_signer(directory: Path, name: str) -> Signer:
    key_pem, cert_pem = directory / f"{name}.key.pem", directory / f"{name}.crt.pem"
    openssl("req", "-engine", "gost", "-x509", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A",
            "-nodes", "-keyout", str(key_pem), "-out", str(cert_pem), "-md_gost12_256",
            "-subj", f"/C=RU/O=Test/CN={name}", "-days", "30")
    return Signer(PrivateKey.from_file(key_pem), Certificate.from_file(cert_pem), key_pem, cert_pem)


@pytest.fixture(scope="session")
def signer(tmp_path_factory) -> Signer:
    """A GOST 2012-256 key and self-signed certificate made by `openssl req -engine gost`."""
    return _openssl_signer(tmp_path_factory.mktemp("signer"), "sender")


@pytest.fixture(scope="session")
def other_signer(tmp_path_factory) -> Signer:
    return _openssl_signer(tmp_path_factory.mktemp("other"), "gateway")


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
