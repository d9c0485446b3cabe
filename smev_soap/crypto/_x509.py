"""Building X.509 certificates and CRLs with libcrypto (issuer-side helpers)."""

from __future__ import annotations

import ctypes
from collections.abc import Iterable, Sequence

from . import _libcrypto as L

X509V3_CTX_SIZE = 256  # generous: the struct is 8 pointer-sized fields in OpenSSL 3.0


def _asn1_integer(value: int) -> int:
    raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    bn = L.pointer(L.BN_bin2bn(raw, len(raw), None), "BN_bin2bn")
    try:
        return L.pointer(L.BN_to_ASN1_INTEGER(bn, None), "BN_to_ASN1_INTEGER")
    finally:
        L.BN_free(bn)


def _name(entries: Sequence[tuple[str, str]]) -> int:
    name = L.pointer(L.X509_NAME_new(), "X509_NAME_new")
    for field, value in entries:
        data = value.encode()
        if (
            L.X509_NAME_add_entry_by_txt(
                name, field.encode(), L.MBSTRING_UTF8, data, len(data), -1, 0
            )
            != 1
        ):
            L.X509_NAME_free(name)
            raise L.fail(f"name attribute {field}={value!r}")
    return name


def build_certificate(
    *,
    subject: Sequence[tuple[str, str]],
    spki_der: bytes,
    serial: int,
    not_before: int,
    not_after: int,
    extensions: Iterable[tuple[str, str]],
    signer: int,
    md: int,
    issuer_der: bytes | None,
) -> bytes:
    """Sign a v3 certificate; self-signed when ``issuer_der`` is None. Returns DER.

    ``extensions`` are (short name, openssl config value) pairs; times are Unix seconds.
    """
    L.engine()
    cert = L.pointer(L.X509_new(), "X509_new")
    issuer = L.d2i(L.d2i_X509, issuer_der, "issuer certificate") if issuer_der else None
    try:
        subject_pkey = L.d2i(L.d2i_PUBKEY, spki_der, "subject public key")
        try:
            L.check(L.X509_set_pubkey(cert, subject_pkey), "X509_set_pubkey")
        finally:
            L.EVP_PKEY_free(subject_pkey)
        L.check(L.X509_set_version(cert, 2), "X509_set_version")
        number = _asn1_integer(serial)
        try:
            L.check(L.X509_set_serialNumber(cert, number), "X509_set_serialNumber")
        finally:
            L.ASN1_INTEGER_free(number)
        name = _name(subject)
        try:
            L.check(L.X509_set_subject_name(cert, name), "X509_set_subject_name")
            issuer_name = L.X509_get_subject_name(issuer) if issuer else name
            L.check(L.X509_set_issuer_name(cert, issuer_name), "X509_set_issuer_name")
        finally:
            L.X509_NAME_free(name)
        L.pointer(L.ASN1_TIME_set(L.X509_getm_notBefore(cert), not_before), "notBefore")
        L.pointer(L.ASN1_TIME_set(L.X509_getm_notAfter(cert), not_after), "notAfter")
        _add_extensions(cert, issuer or cert, extensions)
        if L.X509_sign(cert, signer, md) <= 0:
            raise L.fail("X509_sign")
        return L.i2d(L.i2d_X509, cert, "i2d_X509")
    finally:
        L.X509_free(cert)
        if issuer:
            L.X509_free(issuer)


def _add_extensions(cert: int, issuer: int, extensions: Iterable[tuple[str, str]]) -> None:
    ctx = ctypes.create_string_buffer(X509V3_CTX_SIZE)
    L.X509V3_set_ctx(ctx, issuer, cert, None, None, 0)
    for short_name, value in extensions:
        nid = L.OBJ_sn2nid(short_name.encode())
        ext = L.pointer(L.X509V3_EXT_conf_nid(None, ctx, nid, value.encode()), short_name)
        try:
            L.check(L.X509_add_ext(cert, ext, -1), f"X509_add_ext({short_name})")
        finally:
            L.X509_EXTENSION_free(ext)


def build_crl(
    *,
    issuer_der: bytes,
    revoked: Iterable[tuple[int, int]],
    last_update: int,
    next_update: int,
    signer: int,
    md: int,
) -> bytes:
    """Sign a v2 CRL listing (serial, revocation time) pairs. Returns DER."""
    L.engine()
    crl = L.pointer(L.X509_CRL_new(), "X509_CRL_new")
    issuer = L.d2i(L.d2i_X509, issuer_der, "issuer certificate")
    when = L.pointer(L.ASN1_TIME_new(), "ASN1_TIME_new")
    try:
        L.check(L.X509_CRL_set_version(crl, 1), "X509_CRL_set_version")
        L.check(L.X509_CRL_set_issuer_name(crl, L.X509_get_subject_name(issuer)), "CRL issuer")
        L.pointer(L.ASN1_TIME_set(when, last_update), "ASN1_TIME_set")
        L.check(L.X509_CRL_set1_lastUpdate(crl, when), "X509_CRL_set1_lastUpdate")
        L.pointer(L.ASN1_TIME_set(when, next_update), "ASN1_TIME_set")
        L.check(L.X509_CRL_set1_nextUpdate(crl, when), "X509_CRL_set1_nextUpdate")
        for serial, revoked_at in revoked:
            _add_revoked(crl, serial, revoked_at, when)
        L.check(L.X509_CRL_sort(crl), "X509_CRL_sort")
        if L.X509_CRL_sign(crl, signer, md) <= 0:
            raise L.fail("X509_CRL_sign")
        return L.i2d(L.i2d_X509_CRL, crl, "i2d_X509_CRL")
    finally:
        L.ASN1_TIME_free(when)
        L.X509_free(issuer)
        L.X509_CRL_free(crl)


def _add_revoked(crl: int, serial: int, revoked_at: int, when: int) -> None:
    entry = L.pointer(L.X509_REVOKED_new(), "X509_REVOKED_new")
    number = _asn1_integer(serial)
    try:
        L.check(L.X509_REVOKED_set_serialNumber(entry, number), "revoked serial")
        L.pointer(L.ASN1_TIME_set(when, revoked_at), "ASN1_TIME_set")
        L.check(L.X509_REVOKED_set_revocationDate(entry, when), "revocation date")
        L.check(L.X509_CRL_add0_revoked(crl, entry), "X509_CRL_add0_revoked")
    except BaseException:
        L.X509_REVOKED_free(entry)
        raise
    finally:
        L.ASN1_INTEGER_free(number)
