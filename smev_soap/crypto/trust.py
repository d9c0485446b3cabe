"""Certificate chain validation with libcrypto's X509_STORE, plus CRL issuing for tests/demo CAs."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from . import _libcrypto as L
from . import _x509
from .certificates import Certificate
from .errors import CertificateRejected, CryptoError
from .keys import PrivateKey

X509_V_FLAG_CRL_CHECK = 0x4
X509_V_FLAG_CRL_CHECK_ALL = 0x8

# X509_V_ERR_* codes with a reason of their own; every other code is "invalid".
_REASONS = {
    9: "not_yet_valid",  # CERT_NOT_YET_VALID
    10: "expired",  # CERT_HAS_EXPIRED
    23: "revoked",  # CERT_REVOKED
    2: "untrusted",  # UNABLE_TO_GET_ISSUER_CERT
    18: "untrusted",  # DEPTH_ZERO_SELF_SIGNED_CERT
    19: "untrusted",  # SELF_SIGNED_CERT_IN_CHAIN
    20: "untrusted",  # UNABLE_TO_GET_ISSUER_CERT_LOCALLY
    21: "untrusted",  # UNABLE_TO_VERIFY_LEAF_SIGNATURE
    27: "untrusted",  # CERT_UNTRUSTED
    28: "untrusted",  # CERT_REJECTED
}


#: How long a successful validation "now" is reused, and for how many certificates at most.
REMEMBER_SECONDS = 60
REMEMBERED_CERTIFICATES = 10_000


class TrustStore:
    """Trusted CA certificates (and CRLs) to validate signers' certificates against.

    ``ca_dir`` / ``crl_dir`` are directories (or single files) of PEM or DER certificates /
    CRLs; hidden files are skipped, unreadable files raise CryptoError. With CRLs, every
    certificate of the chain needs a current CRL from its issuer (fail closed).
    """

    def __init__(self, ca_dir: str | Path | None, crl_dir: str | Path | None = None) -> None:
        cas = [Certificate(der) for der in _read_all(ca_dir, _certificate_ders)]
        crls = list(_read_all(crl_dir, _crl_ders))
        self._init(cas, crls)

    @classmethod
    def from_certificates(
        cls, cas: Iterable[Certificate], crls: Iterable[bytes] = ()
    ) -> TrustStore:
        """A store of the given CA certificates and CRLs (PEM or DER bytes each)."""
        store = cls.__new__(cls)
        store._init(list(cas), [der for crl in crls for der in _crl_ders(crl)])
        return store

    def _init(self, cas: list[Certificate], crls: list[bytes]) -> None:
        L.engine()
        self._trusted_until: dict[str, datetime] = {}
        self.certificates = cas
        self.crl_count = len(crls)
        self._store = L.pointer(L.X509_STORE_new(), "X509_STORE_new")
        weakref.finalize(self, L.X509_STORE_free, self._store).atexit = False
        for cert in cas:
            _add(L.d2i_X509, L.X509_free, L.X509_STORE_add_cert, self._store, cert.der, "CA")
        for der in crls:
            _add(L.d2i_X509_CRL, L.X509_CRL_free, L.X509_STORE_add_crl, self._store, der, "CRL")
        if crls:
            flags = X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL
            L.check(L.X509_STORE_set_flags(self._store, flags), "X509_STORE_set_flags")

    def validate(self, cert: Certificate, at: datetime | None = None) -> None:
        """Raise CertificateRejected unless ``cert`` chains to a trusted CA at ``at`` (now).

        Checks validity periods (a directly trusted self-signed certificate too),
        signatures along the chain and, when CRLs are configured, revocation. A success "now"
        is remembered for :data:`REMEMBER_SECONDS` (never past the certificate's ``not_after``):
        the store's CAs and CRLs do not change after loading, only the clock does.
        """
        now = datetime.now(UTC)
        if at is None and now < self._trusted_until.get(cert.fingerprint_sha256, now):
            return
        self._verify(cert, at)
        if at is None:
            if len(self._trusted_until) >= REMEMBERED_CERTIFICATES:
                self._trusted_until.clear()
            self._trusted_until[cert.fingerprint_sha256] = min(
                cert.not_after, now + timedelta(seconds=REMEMBER_SECONDS))

    def _verify(self, cert: Certificate, at: datetime | None) -> None:
        x = L.d2i(L.d2i_X509, cert.der, "d2i_X509")
        ctx = L.X509_STORE_CTX_new()
        try:
            if not ctx:
                raise L.fail("X509_STORE_CTX_new")
            L.check(L.X509_STORE_CTX_init(ctx, self._store, x, None), "X509_STORE_CTX_init")
            if at is not None:
                when = at if at.tzinfo else at.replace(tzinfo=UTC)
                L.X509_STORE_CTX_set_time(ctx, 0, int(when.timestamp()))
            if L.X509_verify_cert(ctx) == 1:
                return
            code = L.X509_STORE_CTX_get_error(ctx)
            depth = L.X509_STORE_CTX_get_error_depth(ctx)
            L.ERR_clear_error()
        finally:
            L.X509_STORE_CTX_free(ctx)
            L.X509_free(x)
        text = L.X509_verify_cert_error_string(code).decode(errors="replace")
        where = "the certificate" if depth == 0 else f"its issuer at chain depth {depth}"
        raise CertificateRejected(
            _REASONS.get(code, "invalid"),
            f"certificate {cert.subject!r} rejected: {text} ({where}, X509_V_ERR {code})",
        )


def _add(d2i, free, add, store: int, der: bytes, what: str) -> None:
    obj = L.d2i(d2i, der, what)
    try:
        L.check(add(store, obj), f"adding a {what} to the trust store")
    finally:
        free(obj)


def _read_all(location: str | Path | None, split) -> Iterable[bytes]:
    if location is None:
        return
    path = Path(location)
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if file.name.startswith("."):
            continue
        try:
            yield from split(file.read_bytes())
        except (OSError, ValueError, CryptoError) as exc:
            raise CryptoError(f"cannot read {file}: {exc}") from None


def _certificate_ders(data: bytes) -> list[bytes]:
    if b"-----BEGIN" in data:
        return [Certificate.load(block).der for block in _pem_blocks(data, b"CERTIFICATE")]
    return [Certificate(data).der]


def _crl_ders(data: bytes) -> list[bytes]:
    if b"-----BEGIN" in data:
        return [
            x509.load_pem_x509_crl(block).public_bytes(Encoding.DER)
            for block in _pem_blocks(data, b"X509 CRL")
        ]
    x509.load_der_x509_crl(data)
    return [data]


def _pem_blocks(data: bytes, label: bytes) -> list[bytes]:
    begin, end = b"-----BEGIN " + label + b"-----", b"-----END " + label + b"-----"
    blocks, pos = [], 0
    while (start := data.find(begin, pos)) >= 0:
        stop = data.find(end, start)
        if stop < 0:
            raise ValueError(f"unterminated PEM {label.decode()} block")
        pos = stop + len(end)
        blocks.append(data[start:pos] + b"\n")
    if not blocks:
        raise ValueError(f"no PEM {label.decode()} block")
    return blocks


def issue_crl(
    issuer_cert: Certificate,
    issuer_key: PrivateKey,
    revoked: Iterable[int] = (),
    *,
    last_update: datetime | None = None,
    days: int = 30,
) -> bytes:
    """A DER CRL signed by ``issuer_key`` listing the ``revoked`` serial numbers.

    ``last_update`` defaults to one minute ago; nextUpdate is ``days`` later (may be past).
    """
    start = last_update or datetime.now(UTC) - timedelta(minutes=1)
    signer = issuer_key._libcrypto_pkey()
    return _x509.build_crl(
        issuer_der=issuer_cert.der,
        revoked=[(serial, int(start.timestamp())) for serial in revoked],
        last_update=int(start.timestamp()),
        next_update=int((start + timedelta(days=days)).timestamp()),
        signer=signer.ptr,
        md=L.engine().md(issuer_key.algorithm.digest_name),
    )
