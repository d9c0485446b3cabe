"""Known-answer tests run at gateway start-up (``smev-soap selftest``): GOST.md §3 vectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import _der
from .digest import digest
from .keys import PrivateKey, PublicKey

M1 = b"012345678901234567890123456789012345678901234567890123456789012"
M2 = bytes.fromhex(
    "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5"
    "ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb"
)
STREEBOG = {  # RFC 6986, raw output order
    ("M1", "streebog256"): "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500",
    ("M1", "streebog512"): "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
    "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48",
    ("M2", "streebog256"): "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50",
    ("M2", "streebog512"): "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376"
    "035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28",
}


@dataclass(frozen=True)
class Vector3410:
    """An RFC 7091 example in engine form: SPKI, raw digest LE(e), signature BE(s)||BE(r)."""

    spki_der: bytes
    digest: bytes
    signature: bytes


def _be(hex_int: str, size: int) -> bytes:
    return int(hex_int, 16).to_bytes(size, "big")


def _vector(
    key_oid: str, params: list[str], qx: str, qy: str, e: str, r: str, s: str, size: int
) -> Vector3410:
    point = _be(qx, size)[::-1] + _be(qy, size)[::-1]
    algorithm = _der.sequence(
        _der.encode_oid(key_oid), _der.sequence(*(_der.encode_oid(p) for p in params))
    )
    key = _der.tlv(_der.BIT_STRING, b"\x00" + _der.tlv(_der.OCTET_STRING, point))
    return Vector3410(
        spki_der=_der.sequence(algorithm, key),
        digest=_be(e, size)[::-1],
        signature=_be(s, size) + _be(r, size),
    )


RFC7091_A1 = _vector(  # GOST R 34.10-2012 256-bit, id-GostR3410-2001-TestParamSet
    "1.2.643.7.1.1.1.1",
    ["1.2.643.2.2.35.0", "1.2.643.7.1.1.2.2"],
    "7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B",
    "26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA",
    "2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5",
    "41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493",
    "01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40",
    32,
)
RFC7091_A2 = _vector(  # GOST R 34.10-2012 512-bit, id-tc26-gost-3410-2012-512-paramSetTest
    "1.2.643.7.1.1.1.2",
    ["1.2.643.7.1.2.1.2.0", "1.2.643.7.1.1.2.3"],
    "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD"
    "5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1",
    "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61"
    "EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC",
    "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C591"
    "7184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C",
    "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD3"
    "5492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36",
    "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5"
    "823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A",
    64,
)


@dataclass(frozen=True)
class SelfTestResult:
    """One known-answer test: its name, whether it passed, and a short detail."""

    name: str
    ok: bool
    detail: str


def _streebog(message: str, name: str) -> Callable[[], str]:
    def check() -> str:
        got = digest(name, {"M1": M1, "M2": M2}[message]).hex()
        if got != STREEBOG[(message, name)]:
            raise AssertionError(f"got {got}")
        return "RFC 6986 value"

    return check


def _rfc7091(vector: Vector3410) -> Callable[[], str]:
    def check() -> str:
        key = PublicKey.from_spki_der(vector.spki_der)
        if not key.verify_digest(vector.digest, vector.signature):
            raise AssertionError("the RFC signature does not verify")
        n = len(vector.signature) // 2
        if key.verify_digest(vector.digest, vector.signature[n:] + vector.signature[:n]):
            raise AssertionError("the r||s order verifies too")
        return f"{key.algorithm.name} RFC signature verifies, r||s order refused"

    return check


def _round_trip(algorithm: str) -> Callable[[], str]:
    def check() -> str:
        key = PrivateKey.generate(algorithm)
        message = b"smev_soap self-test"
        signature = key.sign(message)
        public = key.public_key()
        if not public.verify(message, signature):
            raise AssertionError("a fresh signature does not verify")
        if public.verify(message + b"!", signature):
            raise AssertionError("a signature verifies over other data")
        return f"{len(signature)}-byte signature"

    return check


CHECKS: list[tuple[str, Callable[[], str]]] = [
    *(
        (f"{name} {message}", _streebog(message, name))
        for message in ("M1", "M2")
        for name in ("streebog256", "streebog512")
    ),
    ("GOST R 34.10-2012 256 RFC 7091 A.1 verify", _rfc7091(RFC7091_A1)),
    ("GOST R 34.10-2012 512 RFC 7091 A.2 verify", _rfc7091(RFC7091_A2)),
    ("gost2012-256 sign/verify round trip", _round_trip("gost2012-256")),
    ("gost2012-512 sign/verify round trip", _round_trip("gost2012-512")),
]


def run_selftest() -> list[SelfTestResult]:
    """Run every known-answer test; never raises."""
    results = []
    for name, check in CHECKS:
        try:
            results.append(SelfTestResult(name, True, check()))
        except Exception as exc:  # noqa: BLE001 - a failed self-test is reported, not raised
            results.append(SelfTestResult(name, False, f"{type(exc).__name__}: {exc}"))
    return results
