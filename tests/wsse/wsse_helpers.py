"""Helpers shared by the signature tests (fixtures live in conftest.py)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from smev_soap.crypto import Certificate, PrivateKey

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"
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


def openssl_signer(directory: Path, name: str) -> Signer:
    key_pem, cert_pem = directory / f"{name}.key.pem", directory / f"{name}.crt.pem"
    openssl("req", "-engine", "gost", "-x509", "-newkey", "gost2012_256", "-pkeyopt", "paramset:A",
            "-nodes", "-keyout", str(key_pem), "-out", str(cert_pem), "-md_gost12_256",
            "-subj", f"/C=RU/O=Test/CN={name}", "-days", "30")
    return Signer(PrivateKey.from_file(key_pem), Certificate.from_file(cert_pem), key_pem, cert_pem)
