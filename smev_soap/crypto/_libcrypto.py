"""ctypes declarations for system libcrypto 3 and the GOST engine's one-time set-up.

Every pointer-returning function has ``restype = c_void_p`` (GOST.md §8.7). ``CDLL``
releases the GIL during each call, so threads run crypto in parallel.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from dataclasses import dataclass

from .errors import OpenSSLError, UnsupportedAlgorithm

P, S, I, B = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_char_p
UINT, LONG, ULONG = ctypes.c_uint, ctypes.c_long, ctypes.c_ulong
PP, PB = ctypes.POINTER(P), ctypes.POINTER(B)

lib = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")

ENGINE_METHOD_ALL = 0xFFFF
BIO_CTRL_INFO = 3
MBSTRING_UTF8 = 0x1000
PEM_PASSWORD_CB = ctypes.CFUNCTYPE(I, P, I, I, P)


def _fn(name: str, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype, fn.argtypes = restype, list(argtypes)
    return fn


# errors
ERR_get_error = _fn("ERR_get_error", ULONG)
ERR_error_string_n = _fn("ERR_error_string_n", None, ULONG, B, S)
ERR_clear_error = _fn("ERR_clear_error", None)
# engine and objects
ENGINE_by_id = _fn("ENGINE_by_id", P, B)
ENGINE_init = _fn("ENGINE_init", I, P)
ENGINE_set_default = _fn("ENGINE_set_default", I, P, UINT)
ENGINE_free = _fn("ENGINE_free", I, P)
OBJ_sn2nid = _fn("OBJ_sn2nid", I, B)
OBJ_nid2sn = _fn("OBJ_nid2sn", B, I)
# digests
EVP_get_digestbyname = _fn("EVP_get_digestbyname", P, B)
EVP_get_cipherbyname = _fn("EVP_get_cipherbyname", P, B)
EVP_Digest = _fn("EVP_Digest", I, B, S, P, ctypes.POINTER(UINT), P, P)
EVP_MD_CTX_new = _fn("EVP_MD_CTX_new", P)
EVP_MD_CTX_free = _fn("EVP_MD_CTX_free", None, P)
# signatures
EVP_DigestSignInit = _fn("EVP_DigestSignInit", I, P, P, P, P, P)
EVP_DigestSign = _fn("EVP_DigestSign", I, P, P, ctypes.POINTER(S), B, S)
EVP_DigestVerifyInit = _fn("EVP_DigestVerifyInit", I, P, P, P, P, P)
EVP_DigestVerify = _fn("EVP_DigestVerify", I, P, B, S, B, S)
EVP_PKEY_CTX_new = _fn("EVP_PKEY_CTX_new", P, P, P)
EVP_PKEY_CTX_new_id = _fn("EVP_PKEY_CTX_new_id", P, I, P)
EVP_PKEY_CTX_free = _fn("EVP_PKEY_CTX_free", None, P)
EVP_PKEY_CTX_ctrl_str = _fn("EVP_PKEY_CTX_ctrl_str", I, P, B, B)
EVP_PKEY_sign_init = _fn("EVP_PKEY_sign_init", I, P)
EVP_PKEY_sign = _fn("EVP_PKEY_sign", I, P, P, ctypes.POINTER(S), B, S)
EVP_PKEY_verify_init = _fn("EVP_PKEY_verify_init", I, P)
EVP_PKEY_verify = _fn("EVP_PKEY_verify", I, P, B, S, B, S)
EVP_PKEY_keygen_init = _fn("EVP_PKEY_keygen_init", I, P)
EVP_PKEY_keygen = _fn("EVP_PKEY_keygen", I, P, PP)
EVP_PKEY_free = _fn("EVP_PKEY_free", None, P)
EVP_PKEY_get_base_id = _fn("EVP_PKEY_get_base_id", I, P)
# BIO and key (de)serialisation
BIO_new_mem_buf = _fn("BIO_new_mem_buf", P, B, I)
BIO_s_mem = _fn("BIO_s_mem", P)
BIO_new = _fn("BIO_new", P, P)
BIO_free = _fn("BIO_free", I, P)
BIO_ctrl = _fn("BIO_ctrl", LONG, P, I, LONG, P)
PEM_read_bio_PrivateKey = _fn("PEM_read_bio_PrivateKey", P, P, P, PEM_PASSWORD_CB, P)
d2i_PKCS8PrivateKey_bio = _fn("d2i_PKCS8PrivateKey_bio", P, P, P, PEM_PASSWORD_CB, P)
d2i_AutoPrivateKey = _fn("d2i_AutoPrivateKey", P, P, PB, LONG)
d2i_PUBKEY = _fn("d2i_PUBKEY", P, P, PB, LONG)
i2d_PUBKEY = _fn("i2d_PUBKEY", I, P, PP)
PEM_write_bio_PKCS8PrivateKey = _fn("PEM_write_bio_PKCS8PrivateKey", I, P, P, P, B, I, P, P)
# X.509 certificates
d2i_X509 = _fn("d2i_X509", P, P, PB, LONG)
i2d_X509 = _fn("i2d_X509", I, P, PP)
X509_new = _fn("X509_new", P)
X509_free = _fn("X509_free", None, P)
X509_set_version = _fn("X509_set_version", I, P, LONG)
X509_set_serialNumber = _fn("X509_set_serialNumber", I, P, P)
X509_set_subject_name = _fn("X509_set_subject_name", I, P, P)
X509_set_issuer_name = _fn("X509_set_issuer_name", I, P, P)
X509_get_subject_name = _fn("X509_get_subject_name", P, P)
X509_getm_notBefore = _fn("X509_getm_notBefore", P, P)
X509_getm_notAfter = _fn("X509_getm_notAfter", P, P)
X509_set_pubkey = _fn("X509_set_pubkey", I, P, P)
X509_add_ext = _fn("X509_add_ext", I, P, P, I)
X509_sign = _fn("X509_sign", I, P, P, P)
X509_NAME_new = _fn("X509_NAME_new", P)
X509_NAME_free = _fn("X509_NAME_free", None, P)
X509_NAME_add_entry_by_txt = _fn("X509_NAME_add_entry_by_txt", I, P, B, I, B, I, I, I)
X509V3_set_ctx = _fn("X509V3_set_ctx", None, P, P, P, P, P, I)
X509V3_EXT_conf_nid = _fn("X509V3_EXT_conf_nid", P, P, P, I, B)
X509_EXTENSION_free = _fn("X509_EXTENSION_free", None, P)
ASN1_TIME_set = _fn("ASN1_TIME_set", P, P, ctypes.c_int64)
ASN1_TIME_new = _fn("ASN1_TIME_new", P)
ASN1_TIME_free = _fn("ASN1_TIME_free", None, P)
ASN1_INTEGER_free = _fn("ASN1_INTEGER_free", None, P)
BN_bin2bn = _fn("BN_bin2bn", P, B, I, P)
BN_free = _fn("BN_free", None, P)
BN_to_ASN1_INTEGER = _fn("BN_to_ASN1_INTEGER", P, P, P)
# CRLs
d2i_X509_CRL = _fn("d2i_X509_CRL", P, P, PB, LONG)
i2d_X509_CRL = _fn("i2d_X509_CRL", I, P, PP)
X509_CRL_new = _fn("X509_CRL_new", P)
X509_CRL_free = _fn("X509_CRL_free", None, P)
X509_CRL_set_version = _fn("X509_CRL_set_version", I, P, LONG)
X509_CRL_set_issuer_name = _fn("X509_CRL_set_issuer_name", I, P, P)
X509_CRL_set1_lastUpdate = _fn("X509_CRL_set1_lastUpdate", I, P, P)
X509_CRL_set1_nextUpdate = _fn("X509_CRL_set1_nextUpdate", I, P, P)
X509_CRL_add0_revoked = _fn("X509_CRL_add0_revoked", I, P, P)
X509_CRL_sort = _fn("X509_CRL_sort", I, P)
X509_CRL_sign = _fn("X509_CRL_sign", I, P, P, P)
X509_REVOKED_new = _fn("X509_REVOKED_new", P)
X509_REVOKED_free = _fn("X509_REVOKED_free", None, P)
X509_REVOKED_set_serialNumber = _fn("X509_REVOKED_set_serialNumber", I, P, P)
X509_REVOKED_set_revocationDate = _fn("X509_REVOKED_set_revocationDate", I, P, P)
# chain validation
X509_STORE_new = _fn("X509_STORE_new", P)
X509_STORE_free = _fn("X509_STORE_free", None, P)
X509_STORE_add_cert = _fn("X509_STORE_add_cert", I, P, P)
X509_STORE_add_crl = _fn("X509_STORE_add_crl", I, P, P)
X509_STORE_set_flags = _fn("X509_STORE_set_flags", I, P, ULONG)
X509_STORE_CTX_new = _fn("X509_STORE_CTX_new", P)
X509_STORE_CTX_free = _fn("X509_STORE_CTX_free", None, P)
X509_STORE_CTX_init = _fn("X509_STORE_CTX_init", I, P, P, P, P)
X509_STORE_CTX_set_time = _fn("X509_STORE_CTX_set_time", None, P, ULONG, ctypes.c_int64)
X509_STORE_CTX_get_error = _fn("X509_STORE_CTX_get_error", I, P)
X509_STORE_CTX_get_error_depth = _fn("X509_STORE_CTX_get_error_depth", I, P)
X509_verify_cert = _fn("X509_verify_cert", I, P)
X509_verify_cert_error_string = _fn("X509_verify_cert_error_string", B, LONG)


def error_text() -> str:
    """Drain this thread's error queue into one readable line."""
    lines: list[str] = []
    buf = ctypes.create_string_buffer(256)
    while code := ERR_get_error():
        ERR_error_string_n(code, buf, len(buf))
        line = buf.value.decode(errors="replace")
        if line not in lines:
            lines.append(line)
    return "; ".join(lines[-3:]) or "no detail from libcrypto"


def fail(what: str) -> OpenSSLError:
    """An OpenSSLError for ``what``, clearing the error queue."""
    return OpenSSLError(f"{what}: {error_text()}")


def check(result: int, what: str) -> None:
    """Raise OpenSSLError unless a libcrypto status result is 1."""
    if result != 1:
        raise fail(what)


def pointer(result: int | None, what: str) -> int:
    """Raise OpenSSLError if a pointer result is NULL; else return it."""
    if not result:
        raise fail(what)
    return result


def d2i(fn, der: bytes, what: str) -> int:
    """Call a ``d2i_*`` function on DER bytes; the caller frees the result."""
    p = B(der)
    return pointer(fn(None, ctypes.byref(p), len(der)), what)


def i2d(fn, obj: int, what: str) -> bytes:
    """Call an ``i2d_*`` function and return the DER bytes."""
    size = fn(obj, None)
    if size <= 0:
        raise fail(what)
    buf = ctypes.create_string_buffer(size)
    cursor = P(ctypes.addressof(buf))
    if fn(obj, ctypes.byref(cursor)) != size:
        raise fail(what)
    return buf.raw


def bio_contents(bio: int) -> bytes:
    """The bytes written so far into a memory BIO."""
    data = P()
    size = BIO_ctrl(bio, BIO_CTRL_INFO, 0, ctypes.byref(data))
    return ctypes.string_at(data, size) if size > 0 else b""


@dataclass(frozen=True)
class Engine:
    """Per-process handles set up once the GOST engine is loaded."""

    pid: int
    digests: dict[str, int]  # digest name -> EVP_MD pointer

    def md(self, digest_name: str) -> int:
        """The EVP_MD of ``streebog256``, ``streebog512``, ``gost94`` or ``sha256``."""
        try:
            return self.digests[digest_name]
        except KeyError:
            raise UnsupportedAlgorithm(f"unsupported digest {digest_name!r}") from None


_lock = threading.Lock()
_engine: Engine | None = None


def engine() -> Engine:
    """The engine set-up for this process; (re)initialised after a fork."""
    state = _engine
    if state is not None and state.pid == os.getpid():
        return state
    with _lock:
        if _engine is None or _engine.pid != os.getpid():
            _init()
        assert _engine is not None
        return _engine


def _init() -> None:
    global _engine
    handle = pointer(ENGINE_by_id(b"gost"), "loading the GOST engine (libengine-gost-openssl)")
    check(ENGINE_init(handle), "ENGINE_init(gost)")
    check(ENGINE_set_default(handle, ENGINE_METHOD_ALL), "ENGINE_set_default(gost)")
    ENGINE_free(handle)  # the functional reference from ENGINE_init stays for the process
    names = {
        "streebog256": b"md_gost12_256",
        "streebog512": b"md_gost12_512",
        "gost94": b"md_gost94",
        "sha256": b"SHA256",
    }
    digests = {name: pointer(EVP_get_digestbyname(md), md.decode()) for name, md in names.items()}
    _engine = Engine(pid=os.getpid(), digests=digests)


def _forget_after_fork() -> None:
    global _engine, _lock
    _engine, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)
