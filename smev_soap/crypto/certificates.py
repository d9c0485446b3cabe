"""X.509 certificates with GOST (or RSA/EC) keys: reading metadata and issuing test/demo ones."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import warnings
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from . import _der, _x509
from . import _libcrypto as L
from .algorithms import (
    ECDSA_SHA256,
    GOST2001,
    GOST2012_256,
    GOST2012_512,
    RSA_SHA256,
    SignatureAlgorithm,
)
from .errors import CryptoError, UnsupportedAlgorithm
from .keys import PrivateKey, PublicKey

KEY_ALGORITHMS = {
    "1.2.643.7.1.1.1.1": GOST2012_256,
    "1.2.643.7.1.1.1.2": GOST2012_512,
    "1.2.643.2.2.19": GOST2001,
    "1.2.840.113549.1.1.1": RSA_SHA256,
    "1.2.840.10045.2.1": ECDSA_SHA256,
}
PARAMSETS = {  # GOST.md §1.3, named as OpenSSL names them
    "1.2.643.2.2.35.0": "id-GostR3410-2001-TestParamSet",
    "1.2.643.2.2.35.1": "id-GostR3410-2001-CryptoPro-A-ParamSet",
    "1.2.643.2.2.35.2": "id-GostR3410-2001-CryptoPro-B-ParamSet",
    "1.2.643.2.2.35.3": "id-GostR3410-2001-CryptoPro-C-ParamSet",
    "1.2.643.2.2.36.0": "id-GostR3410-2001-CryptoPro-XchA-ParamSet",
    "1.2.643.2.2.36.1": "id-GostR3410-2001-CryptoPro-XchB-ParamSet",
    "1.2.643.7.1.2.1.1.1": "id-tc26-gost-3410-2012-256-paramSetA",
    "1.2.643.7.1.2.1.1.2": "id-tc26-gost-3410-2012-256-paramSetB",
    "1.2.643.7.1.2.1.1.3": "id-tc26-gost-3410-2012-256-paramSetC",
    "1.2.643.7.1.2.1.1.4": "id-tc26-gost-3410-2012-256-paramSetD",
    "1.2.643.7.1.2.1.2.0": "id-tc26-gost-3410-2012-512-paramSetTest",
    "1.2.643.7.1.2.1.2.1": "id-tc26-gost-3410-2012-512-paramSetA",
    "1.2.643.7.1.2.1.2.2": "id-tc26-gost-3410-2012-512-paramSetB",
    "1.2.643.7.1.2.1.2.3": "id-tc26-gost-3410-2012-512-paramSetC",
    "1.2.840.10045.3.1.7": "prime256v1",
    "1.3.132.0.34": "secp384r1",
    "1.3.132.0.35": "secp521r1",
}
NAME_ATTRIBUTES = {  # short names for OIDs ``cryptography`` prints as dotted numbers
    "1.2.643.100.1": "OGRN",
    "1.2.643.100.3": "SNILS",
    "1.2.643.100.4": "INNLE",
    "1.2.643.100.5": "OGRNIP",
    "1.2.643.3.131.1.1": "INN",
    "1.2.840.113549.1.9.1": "emailAddress",
    "1.2.840.113549.1.9.2": "unstructuredName",
}
_NAME_OVERRIDES = {x509.ObjectIdentifier(oid): name for oid, name in NAME_ATTRIBUTES.items()}
_KEY_USAGES = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)


class Certificate:
    """A parsed X.509 certificate. Metadata comes from ``cryptography``; keys from our backend."""

    def __init__(self, der: bytes) -> None:
        # Russian qualified certificates carry long names: CN > 64 characters is common.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Attribute's length must be", UserWarning)
            self._parse(der)

    def _parse(self, der: bytes) -> None:
        try:
            cert = x509.load_der_x509_certificate(der)
            self.subject = cert.subject.rfc4514_string(_NAME_OVERRIDES)
            self.issuer = cert.issuer.rfc4514_string(_NAME_OVERRIDES)
            self.not_before = cert.not_valid_before_utc
            self.not_after = cert.not_valid_after_utc
            extensions = cert.extensions
            self.spki_der = _der.tbs_spki(cert.tbs_certificate_bytes)
        except ValueError as exc:
            raise CryptoError(f"not a readable X.509 certificate: {exc}") from None
        self.der = der
        self.serial: int = cert.serial_number
        self.key_usage = _key_usage(extensions)
        self.is_ca = _is_ca(extensions)
        self.fingerprint_sha256 = hashlib.sha256(der).hexdigest()

    @classmethod
    def load(cls, data: bytes) -> Certificate:
        """DER, or PEM (the first certificate; text around it is ignored)."""
        if _der.looks_like_pem(data):
            try:
                data = x509.load_pem_x509_certificate(data).public_bytes(Encoding.DER)
            except ValueError as exc:
                raise CryptoError(f"not a PEM certificate: {exc}") from None
        return cls(data)

    @classmethod
    def from_file(cls, path: str | Path) -> Certificate:
        """A PEM or DER certificate file."""
        try:
            return cls.load(Path(path).read_bytes())
        except OSError as exc:
            raise CryptoError(f"cannot read certificate {path}: {exc}") from None

    @classmethod
    def from_base64(cls, text: str | bytes) -> Certificate:
        """Base64 DER as in BinarySecurityToken / X509Certificate; whitespace is ignored."""
        if isinstance(text, bytes):
            text = text.decode("ascii", errors="replace")
        try:
            der = base64.b64decode(re.sub(r"\s+", "", text), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError(f"certificate is not valid base64: {exc}") from None
        return cls(der)

    @cached_property
    def _spki_algorithm(self) -> tuple[str, list[str]]:
        return _der.spki_algorithm(self.spki_der)

    @property
    def key_algorithm(self) -> SignatureAlgorithm:
        """The signature family of the certified key (GOST 2012-256, ...)."""
        oid = self._spki_algorithm[0]
        try:
            return KEY_ALGORITHMS[oid]
        except KeyError:
            raise UnsupportedAlgorithm(f"unsupported public key algorithm {oid}") from None

    @property
    def paramset_oid(self) -> str | None:
        """OID of the key's curve / GOST parameter set (None for RSA)."""
        params = self._spki_algorithm[1]
        return params[0] if params else None

    @property
    def paramset(self) -> str | None:
        """Readable name of the parameter set, e.g. id-GostR3410-2001-CryptoPro-XchA-ParamSet."""
        oid = self.paramset_oid
        return PARAMSETS.get(oid, oid) if oid else None

    @cached_property
    def public_key(self) -> PublicKey:
        """The certified public key."""
        return PublicKey.from_spki_der(self.spki_der)

    def to_pem(self) -> bytes:
        body = base64.encodebytes(self.der).replace(b"\n", b"")
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        return (
            b"-----BEGIN CERTIFICATE-----\n" + b"\n".join(lines) + b"\n-----END CERTIFICATE-----\n"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Certificate) and other.der == self.der

    def __hash__(self) -> int:
        return hash(self.der)

    def __repr__(self) -> str:
        return f"<Certificate {self.subject!r} serial={self.serial:x}>"


def _key_usage(extensions: x509.Extensions) -> list[str]:
    try:
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return []
    names = [name for attr, name in _KEY_USAGES if getattr(usage, attr)]
    if usage.key_agreement:
        names += [
            n
            for a, n in (("encipher_only", "encipherOnly"), ("decipher_only", "decipherOnly"))
            if getattr(usage, a)
        ]
    return names


def _is_ca(extensions: x509.Extensions) -> bool:
    try:
        return extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def issue_certificate(
    subject: str | dict[str, str],
    key: PrivateKey | PublicKey,
    issuer_key: PrivateKey | None = None,
    issuer_cert: Certificate | None = None,
    days: int = 365,
    ca: bool = False,
    not_before: datetime | None = None,
    serial: int | None = None,
) -> Certificate:
    """Issue a certificate for ``key``; self-signed (by ``key``) when no issuer is given.

    ``subject`` is a dict of attributes ({"CN": ..., "O": ..., "INN": ...}, top-down order),
    an RFC 4514 string ("CN=x,O=y") or an OpenSSL one ("/C=RU/O=y/CN=x"). ``not_before``
    (default: one minute ago) and ``days`` may lie in the past or the future. The signature
    uses the issuer key's digest (Streebog-256/512 for GOST 2012).
    """
    if issuer_key is None:
        if issuer_cert is not None or not isinstance(key, PrivateKey):
            raise ValueError("a self-signed certificate needs the subject's private key")
        issuer_key = key
    elif issuer_cert is None:
        raise ValueError("issuer_key needs issuer_cert")
    public = key.public_key() if isinstance(key, PrivateKey) else key
    start = not_before or datetime.now(UTC) - timedelta(minutes=1)
    extensions = [
        ("basicConstraints", "critical,CA:TRUE" if ca else "critical,CA:FALSE"),
        (
            "keyUsage",
            "critical,keyCertSign,cRLSign,digitalSignature"
            if ca
            else "critical,digitalSignature,nonRepudiation,keyEncipherment",
        ),
        ("subjectKeyIdentifier", "hash"),
    ]
    if issuer_cert is not None:
        extensions.append(("authorityKeyIdentifier", "keyid:always"))
    signer = issuer_key._libcrypto_pkey()
    der = _x509.build_certificate(
        subject=_name_entries(subject),
        spki_der=public.spki_der,
        serial=serial if serial is not None else secrets.randbits(127) | 1 << 126,
        not_before=int(start.timestamp()),
        not_after=int((start + timedelta(days=days)).timestamp()),
        extensions=extensions,
        signer=signer.ptr,
        md=L.engine().md(issuer_key.algorithm.digest_name),
        issuer_der=issuer_cert.der if issuer_cert else None,
    )
    return Certificate(der)


def _name_entries(subject: str | dict[str, str]) -> list[tuple[str, str]]:
    if isinstance(subject, dict):
        return list(subject.items())
    if subject.startswith("/"):
        pairs = [part.split("=", 1) for part in subject.strip("/").split("/") if part]
        return [(k.strip(), v) for k, v in pairs]
    names = {name: oid for oid, name in NAME_ATTRIBUTES.items()}
    parsed = x509.Name.from_rfc4514_string(
        subject, {name: x509.ObjectIdentifier(oid) for name, oid in names.items()}
    )
    return [(attr.oid.dotted_string, str(attr.value)) for attr in parsed]
