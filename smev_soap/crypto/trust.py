"""Certificate chain validation with libcrypto's X509_STORE, plus CRL issuing for tests/demo CAs."""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from . import _libcrypto as L
from . import _x509
from .certificates import Certificate
from .errors import CertificateRejected, CryptoError
from .keys import PrivateKey

log = logging.getLogger(__name__)

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
#: How often (at most) a TrustStore read from directories looks whether their files changed.
CHECK_SECONDS = 10


class TrustStore:
    """Trusted CA certificates (and CRLs) to validate signers' certificates against.

    ``ca_dir`` / ``crl_dir`` are directories (or single files) of PEM or DER certificates /
    CRLs; hidden files are skipped, unreadable files raise CryptoError. With CRLs, every
    certificate of the chain needs a current CRL from its issuer (fail closed).

    **Reloading.** A store read from directories watches them without a restart: the first
    validation at least ``check_seconds`` (:data:`CHECK_SECONDS`) after the previous look lists
    both locations (one ``scandir`` + a ``stat`` per file; every other call costs one monotonic
    clock comparison). If a file was added, removed, replaced or rewritten (its name, size,
    mtime, ctime or inode differ) it reads both locations again, builds a complete new
    X509_STORE and swaps it in; the memo of successes belongs to the replaced store and goes
    with it. So **a CRL (or CA) published in the directory takes effect for every validation
    started more than ``check_seconds`` + the time one re-read takes after it was written**;
    the :data:`REMEMBER_SECONDS` memo does not lengthen that bound, as a reload drops it (a
    success remembered before a change is never reused after it). The look is made by the
    validating thread (no background thread); other threads keep validating with the current
    store meanwhile, and a validation in progress finishes with the store it started with,
    which stays alive until its last user lets go of it. ``refresh()`` looks at once.

    Publish by writing a hidden file (``.root.crl.tmp``) and renaming it into place: a rename
    is atomic and changes the inode, whereas an in-place rewrite keeping the size within the
    file system's timestamp granularity could go unnoticed until the next change.

    **A file that cannot be read or parsed keeps the previous store** (its CAs and CRLs,
    revocations included) and is logged as an error; the directories are read again at every
    later look until they load. This fails closed for what was already revoked: a corrupt or
    half-written CRL never drops the revocations the previous one listed, and a restart with
    that file would refuse to start. A directory that held CRLs and holds none any more (an
    unmounted volume, a fetcher that deleted what it failed to download) is refused the same
    way: revocation is never switched off by a reload. A revocation is lifted by publishing a
    newer CRL that no longer lists the certificate; checking stops only with a restart.
    """

    def __init__(
        self,
        ca_dir: str | Path | None,
        crl_dir: str | Path | None = None,
        *,
        check_seconds: float | None = CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``check_seconds=None`` never looks for changes; ``clock`` is for tests."""
        self._locations = tuple(None if loc is None else Path(loc) for loc in (ca_dir, crl_dir))
        self._watch = check_seconds is not None and any(self._locations)
        self._check_seconds = check_seconds or 0.0
        self._clock = clock
        self._lock = threading.Lock()
        self._seen = _signature(self._locations)  # before reading: a later change is noticed
        self._failed: tuple | None = None
        self.reload_error: str | None = None
        self._current = _load(*self._locations)
        self._next_check = clock() + self._check_seconds

    @classmethod
    def from_certificates(
        cls, cas: Iterable[Certificate], crls: Iterable[bytes] = ()
    ) -> TrustStore:
        """A store of the given CA certificates and CRLs (PEM or DER bytes each); fixed."""
        store = cls(None)
        store._current = _Store(list(cas), [der for crl in crls for der in _crl_ders(crl)])
        return store

    @property
    def certificates(self) -> list[Certificate]:
        """The trusted CA certificates of the current store."""
        return self._current.certificates

    @property
    def crl_count(self) -> int:
        """How many CRLs the current store holds."""
        return self._current.crl_count

    def refresh(self) -> bool:
        """Look for changed files now (whatever the interval); True if a new store is in use."""
        if not any(self._locations):
            return False
        with self._lock:
            return self._reload_if_changed()

    def validate(self, cert: Certificate, at: datetime | None = None) -> None:
        """Raise CertificateRejected unless ``cert`` chains to a trusted CA at ``at`` (now).

        Checks validity periods (a directly trusted self-signed certificate too),
        signatures along the chain and, when CRLs are configured, revocation. A success "now"
        is remembered for :data:`REMEMBER_SECONDS` (never past the certificate's ``not_after``)
        by the current store: a reload of the CAs or CRLs starts with an empty memo.
        """
        if self._watch and self._clock() >= self._next_check:
            self._look()
        store = self._current  # one reference for the whole call: keeps its X509_STORE alive
        memo = store.trusted_until
        now = datetime.now(UTC)
        if at is None and now < memo.get(cert.fingerprint_sha256, now):
            return
        store.verify(cert, at)
        if at is None:
            if len(memo) >= REMEMBERED_CERTIFICATES:
                memo.clear()
            memo[cert.fingerprint_sha256] = min(
                cert.not_after, now + timedelta(seconds=REMEMBER_SECONDS))

    def _look(self) -> None:
        # One thread looks; the others go on with the current store rather than wait.
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self._clock() >= self._next_check:
                self._next_check = self._clock() + self._check_seconds
                self._reload_if_changed()
        finally:
            self._lock.release()

    def _reload_if_changed(self) -> bool:
        """Under ``_lock``: swap in a store built from the locations if their files changed."""
        signature = _signature(self._locations)
        if signature == self._seen:
            return False
        try:
            fresh = _load(*self._locations)
            if self._current.crl_count and not fresh.crl_count:
                # An unmounted volume or a fetcher that deleted what it could not download
                # must not switch revocation off: publish a newer CRL to lift a revocation.
                raise ValueError("the CRL directory holds no CRL any more")
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, keep the previous store
            self.reload_error = str(exc)
            if signature != self._failed:  # once per state of the files, retried at each look
                self._failed = signature
                log.error("trust store not reloaded, still using the previous CAs and CRLs: %s",
                          exc)
            return False
        self._current = fresh  # the one reference validations read
        self._seen, self._failed, self.reload_error = signature, None, None
        log.info("trust store reloaded: %d CA certificates, %d CRLs", len(fresh.certificates),
                 fresh.crl_count)
        return True


class _Store:
    """One X509_STORE with its CAs and CRLs, never changed once built, and its memo of
    successes. It is freed when the last reference goes: the TrustStore's until a reload
    replaces it, and each validation's for the duration of its X509_verify_cert."""

    __slots__ = ("__weakref__", "certificates", "crl_count", "ptr", "trusted_until")

    def __init__(self, cas: list[Certificate], crls: list[bytes]) -> None:
        L.engine()
        self.trusted_until: dict[str, datetime] = {}
        self.certificates = cas
        self.crl_count = len(crls)
        self.ptr = L.pointer(L.X509_STORE_new(), "X509_STORE_new")
        weakref.finalize(self, L.X509_STORE_free, self.ptr).atexit = False
        for cert in cas:
            _add(L.d2i_X509, L.X509_free, L.X509_STORE_add_cert, self.ptr, cert.der, "CA")
        for der in crls:
            _add(L.d2i_X509_CRL, L.X509_CRL_free, L.X509_STORE_add_crl, self.ptr, der, "CRL")
        if crls:
            flags = X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL
            L.check(L.X509_STORE_set_flags(self.ptr, flags), "X509_STORE_set_flags")

    def verify(self, cert: Certificate, at: datetime | None) -> None:
        x = L.d2i(L.d2i_X509, cert.der, "d2i_X509")
        ctx = L.X509_STORE_CTX_new()
        try:
            if not ctx:
                raise L.fail("X509_STORE_CTX_new")
            L.check(L.X509_STORE_CTX_init(ctx, self.ptr, x, None), "X509_STORE_CTX_init")
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


def _load(ca_dir: Path | None, crl_dir: Path | None) -> _Store:
    cas = [Certificate(der) for der in _read_all(ca_dir, _certificate_ders)]
    return _Store(cas, list(_read_all(crl_dir, _crl_ders)))


def _signature(locations: Iterable[Path | None]) -> tuple:
    """What the files at ``locations`` look like (names, sizes, times, inodes); never raises."""
    return tuple(_files(loc) for loc in locations)


def _files(location: Path | None) -> tuple:
    if location is None:
        return ()
    try:
        if not location.is_dir():
            return ("file", _stat(location.stat()))
        seen = []
        with os.scandir(location) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                try:
                    if entry.is_file():
                        seen.append((entry.name, _stat(entry.stat())))
                except OSError as exc:
                    seen.append((entry.name, ("error", exc.errno)))
        return ("dir", tuple(sorted(seen)))
    except OSError as exc:
        return ("error", exc.errno)


def _stat(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


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
