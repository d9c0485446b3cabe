"""Key pairs on disk: a PKCS#8 PEM key and its certificate, self-signed or issued by a CA."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from smev_soap.crypto import Certificate, PrivateKey, issue_certificate

ALGORITHM_BY_BITS = {256: "gost2012-256", 512: "gost2012-512"}


@dataclass(frozen=True)
class KeyPair:
    key_path: Path
    cert_path: Path

    def load(self, password: bytes | None = None) -> tuple[PrivateKey, Certificate]:
        return PrivateKey.from_file(self.key_path, password), Certificate.from_file(self.cert_path)


def file_stem(common_name: str) -> str:
    """A file-system friendly name for a certificate's CN."""
    stem = re.sub(r"[^0-9A-Za-z._-]+", "-", common_name).strip("-.").lower()
    return stem or "key"


def write_key_pair(
    out_dir: Path,
    stem: str,
    subject: str | dict[str, str],
    *,
    bits: int = 256,
    ca: bool = False,
    days: int = 365,
    issuer: KeyPair | None = None,
) -> KeyPair:
    """Generate a GOST key, issue its certificate and write ``<stem>.key.pem``/``.cert.pem``."""
    if bits not in ALGORITHM_BY_BITS:
        raise ValueError(f"--bits must be 256 or 512, not {bits}")
    key = PrivateKey.generate(ALGORITHM_BY_BITS[bits])
    issuer_key, issuer_cert = issuer.load() if issuer else (None, None)
    cert = issue_certificate(subject, key, issuer_key, issuer_cert, days=days, ca=ca)
    out_dir.mkdir(parents=True, exist_ok=True)
    pair = KeyPair(out_dir / f"{stem}.key.pem", out_dir / f"{stem}.cert.pem")
    fd = os.open(pair.key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.to_pem())
    pair.cert_path.write_bytes(cert.to_pem())
    return pair
