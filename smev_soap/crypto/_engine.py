"""GOST backend on system libcrypto and gost-engine, through ctypes."""

from __future__ import annotations

import ctypes
import threading
import weakref

from . import _libcrypto as L
from ._der import looks_like_pem
from .algorithms import GOST2001, GOST2012_256, GOST2012_512, SignatureAlgorithm
from .errors import KeyLoadError, OpenSSLError, UnsupportedAlgorithm

_KEY_TYPES = {  # EVP_PKEY type short name -> algorithm
    b"gost2012_256": GOST2012_256,
    b"gost2012_512": GOST2012_512,
    b"gost2001": GOST2001,
}
_NID_ALGORITHM = {L.OBJ_sn2nid(sn): alg for sn, alg in _KEY_TYPES.items()}
_ALGORITHM_NID = {alg.name: nid for nid, alg in _NID_ALGORITHM.items()}
_DEFAULT_PARAMSET = {"gost2012-256": "XA", "gost2012-512": "A", "gost2001": "XA"}
_SIGNATURE_SIZE = {"gost2012-256": 64, "gost2012-512": 128, "gost2001": 64}
_DIGEST_SIZE = {"streebog256": 32, "streebog512": 64, "gost94": 32}


class _PendingPassword(threading.local):
    """The password of the key being read by this thread (None: refuse to decrypt)."""

    value: bytes | None = None


_pending_password = _PendingPassword()


@L.PEM_PASSWORD_CB
def _password_callback(buf, size, rwflag, userdata):
    """Hand libcrypto the pending password (any bytes, NUL included); never prompt."""
    password = _pending_password.value
    if password is None or len(password) > size:
        return -1
    ctypes.memmove(buf, password, len(password))
    return len(password)


class _Buffers(threading.local):
    """Per-thread output buffers for the hashing hot path."""

    def __init__(self) -> None:
        self.out = ctypes.create_string_buffer(64)
        self.size = ctypes.c_uint()
        self.size_ref = ctypes.byref(self.size)


_buffers = _Buffers()


def _md(name: str) -> int:
    if name not in _DIGEST_SIZE:
        raise UnsupportedAlgorithm(f"unsupported GOST digest {name!r}")
    return L.engine().md(name)


class _OwnedPkey:
    """An EVP_PKEY pointer freed when its owner is garbage-collected."""

    def __init__(self, ptr: int) -> None:
        self.ptr = ptr
        finalizer = weakref.finalize(self, L.EVP_PKEY_free, ptr)
        finalizer.atexit = False


def _algorithm_of(pkey: _OwnedPkey) -> SignatureAlgorithm:
    nid = L.EVP_PKEY_get_base_id(pkey.ptr)
    try:
        return _NID_ALGORITHM[nid]
    except KeyError:
        name = (L.OBJ_nid2sn(nid) or b"?").decode()
        raise UnsupportedAlgorithm(f"not a GOST R 34.10 key: {name}") from None


class EnginePublicKey:
    """A GOST public key held as an EVP_PKEY."""

    def __init__(self, pkey: _OwnedPkey, spki_der: bytes) -> None:
        self._pkey = pkey
        self.algorithm = _algorithm_of(pkey)
        self.spki_der = spki_der
        self._md_name = self.algorithm.digest_name
        self._size = _SIGNATURE_SIZE[self.algorithm.name]

    def verify(self, data: bytes, signature: bytes) -> bool:
        if len(signature) != self._size:
            return False
        ctx = L.pointer(L.EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        try:
            L.check(
                L.EVP_DigestVerifyInit(ctx, None, _md(self._md_name), None, self._pkey.ptr),
                "EVP_DigestVerifyInit",
            )
            ok = L.EVP_DigestVerify(ctx, signature, len(signature), data, len(data)) == 1
        finally:
            L.EVP_MD_CTX_free(ctx)
        if not ok:
            L.ERR_clear_error()
        return ok

    def verify_digest(self, digest: bytes, signature: bytes) -> bool:
        if len(signature) != self._size or len(digest) != _DIGEST_SIZE[self._md_name]:
            return False
        ctx = L.pointer(L.EVP_PKEY_CTX_new(self._pkey.ptr, None), "EVP_PKEY_CTX_new")
        try:
            L.check(L.EVP_PKEY_verify_init(ctx), "EVP_PKEY_verify_init")
            ok = L.EVP_PKEY_verify(ctx, signature, len(signature), digest, len(digest)) == 1
        finally:
            L.EVP_PKEY_CTX_free(ctx)
        if not ok:
            L.ERR_clear_error()
        return ok


class EnginePrivateKey:
    """A GOST private key held as an EVP_PKEY."""

    def __init__(self, pkey: _OwnedPkey) -> None:
        self._pkey = pkey
        self.algorithm = _algorithm_of(pkey)
        self._md_name = self.algorithm.digest_name
        self._size = _SIGNATURE_SIZE[self.algorithm.name]

    @property
    def owned_pkey(self) -> _OwnedPkey:
        """The EVP_PKEY holder (for libcrypto X.509 signing)."""
        return self._pkey

    def sign(self, data: bytes) -> bytes:
        ctx = L.pointer(L.EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        try:
            L.check(
                L.EVP_DigestSignInit(ctx, None, _md(self._md_name), None, self._pkey.ptr),
                "EVP_DigestSignInit",
            )
            out, size = ctypes.create_string_buffer(self._size), ctypes.c_size_t(self._size)
            L.check(L.EVP_DigestSign(ctx, out, ctypes.byref(size), data, len(data)), "sign")
        finally:
            L.EVP_MD_CTX_free(ctx)
        return out.raw[: size.value]

    def sign_digest(self, digest: bytes) -> bytes:
        if len(digest) != _DIGEST_SIZE[self._md_name]:
            raise ValueError(f"{self.algorithm.name} signs a {self._md_name} digest")
        ctx = L.pointer(L.EVP_PKEY_CTX_new(self._pkey.ptr, None), "EVP_PKEY_CTX_new")
        try:
            L.check(L.EVP_PKEY_sign_init(ctx), "EVP_PKEY_sign_init")
            out, size = ctypes.create_string_buffer(self._size), ctypes.c_size_t(self._size)
            L.check(L.EVP_PKEY_sign(ctx, out, ctypes.byref(size), digest, len(digest)), "sign")
        finally:
            L.EVP_PKEY_CTX_free(ctx)
        return out.raw[: size.value]

    def public_spki_der(self) -> bytes:
        return L.i2d(L.i2d_PUBKEY, self._pkey.ptr, "i2d_PUBKEY")

    def to_pem(self, password: bytes | None) -> bytes:
        cipher = None
        if password:
            cipher = L.pointer(L.EVP_get_cipherbyname(b"aes-256-cbc"), "aes-256-cbc")
        bio = L.pointer(L.BIO_new(L.BIO_s_mem()), "BIO_new")
        try:
            L.check(
                L.PEM_write_bio_PKCS8PrivateKey(
                    bio, self._pkey.ptr, cipher, password, len(password or b""), None, None
                ),
                "PEM_write_bio_PKCS8PrivateKey",
            )
            return L.bio_contents(bio)
        finally:
            L.BIO_free(bio)


def read_private_pkey(data: bytes, password: bytes | None) -> _OwnedPkey:
    """Any PKCS#8 private key libcrypto understands, PEM or DER; raises KeyLoadError."""
    L.engine()
    L.ERR_clear_error()
    pem = looks_like_pem(data)
    bio = L.pointer(L.BIO_new_mem_buf(data, len(data)), "BIO_new_mem_buf")
    _pending_password.value = password
    try:
        if pem:
            ptr = L.PEM_read_bio_PrivateKey(bio, None, _password_callback, None)
        else:
            ptr = _read_der_key(bio, data, password)
    finally:
        _pending_password.value = None
        L.BIO_free(bio)
    if ptr:
        return _OwnedPkey(ptr)
    detail = L.error_text()
    encrypted = b"ENCRYPTED" in data if pem else password is not None
    if encrypted and password is None:
        raise KeyLoadError("the private key is encrypted: a password is required")
    if encrypted:
        raise KeyLoadError(f"cannot decrypt the private key (wrong password?): {detail}")
    raise KeyLoadError(f"not a PKCS#8 private key (PEM or DER): {detail}")


def _read_der_key(bio: int, der: bytes, password: bytes | None) -> int | None:
    p = L.B(der)
    ptr = L.d2i_AutoPrivateKey(None, ctypes.byref(p), len(der))
    if ptr or password is None:
        return ptr
    L.ERR_clear_error()  # not a plain PKCS#8: try EncryptedPrivateKeyInfo
    return L.d2i_PKCS8PrivateKey_bio(bio, None, _password_callback, None)


class EngineBackend:
    """gost-engine 3.x through system libcrypto."""

    name = "gost-engine"

    def digest(self, name: str, data: bytes) -> bytes:
        buffers = _buffers
        if L.EVP_Digest(data, len(data), buffers.out, buffers.size_ref, _md(name), None) != 1:
            raise L.fail(f"{name} digest")
        return buffers.out.raw[: buffers.size.value]

    def load_private_key(self, data: bytes, password: bytes | None) -> EnginePrivateKey:
        return EnginePrivateKey(read_private_pkey(data, password))

    def load_public_key(self, spki_der: bytes) -> EnginePublicKey:
        L.engine()
        try:
            pkey = _OwnedPkey(L.d2i(L.d2i_PUBKEY, spki_der, "d2i_PUBKEY"))
        except OpenSSLError as exc:
            raise KeyLoadError(f"not a GOST SubjectPublicKeyInfo: {exc}") from None
        return EnginePublicKey(pkey, spki_der)

    def generate_private_key(
        self, algorithm: SignatureAlgorithm, paramset: str | None
    ) -> EnginePrivateKey:
        nid = _ALGORITHM_NID.get(algorithm.name)
        if nid is None:
            raise UnsupportedAlgorithm(f"{algorithm.name} is not a GOST key type")
        paramset = paramset or _DEFAULT_PARAMSET[algorithm.name]
        L.engine()
        ctx = L.pointer(L.EVP_PKEY_CTX_new_id(nid, None), "EVP_PKEY_CTX_new_id")
        try:
            L.check(L.EVP_PKEY_keygen_init(ctx), "EVP_PKEY_keygen_init")
            if L.EVP_PKEY_CTX_ctrl_str(ctx, b"paramset", paramset.encode()) <= 0:
                L.ERR_clear_error()
                raise UnsupportedAlgorithm(f"unknown {algorithm.name} paramset {paramset!r}")
            out = L.P()
            L.check(L.EVP_PKEY_keygen(ctx, ctypes.byref(out)), "EVP_PKEY_keygen")
        finally:
            L.EVP_PKEY_CTX_free(ctx)
        return EnginePrivateKey(_OwnedPkey(out.value))
