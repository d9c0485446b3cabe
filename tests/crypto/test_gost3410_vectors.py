"""RFC 7091 examples A.1 and A.2 in engine form (GOST.md §3.3, §3.4)."""

import pytest

from smev_soap.crypto import PrivateKey, PublicKey, digest
from smev_soap.crypto.selftest import RFC7091_A1, RFC7091_A2

A1_SPKI_HEX = (  # GOST.md §3.3, verbatim
    "3066301f06082a85030701010101301306072a85030202230006082a85030701010202034300044"
    "00bd86fe5d8db89668f789b4e1dba8585c5508b45ec5b59d8906ddb70e2492b7f"
    "da77ff871a10fbdf2766d293c5d164afbb3c7b973a41c885d11d70d689b4f126"
)
A1_PKCS8_HEX = (
    "3046020100301f06082a85030701010101301306072a85030202230006082a8503070101020204"
    "20283bec9198ce191dee7e39491f96601bc1729ad39d35ed10beb99b78de9a927a"
)
A1_DIGEST_HEX = "e53e042b67e6ec678e2e02b12a0352ce1fc6eee0529cc088119ad872b3c1fb2d"
A1_SIGNATURE_HEX = (
    "01456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c40"
    "41aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493"
)
VECTORS = {"A.1": RFC7091_A1, "A.2": RFC7091_A2}


def test_a1_engine_form_matches_the_spec_bytes():
    assert RFC7091_A1.spki_der.hex() == A1_SPKI_HEX
    assert RFC7091_A1.digest.hex() == A1_DIGEST_HEX
    assert RFC7091_A1.signature.hex() == A1_SIGNATURE_HEX


def test_a2_engine_form_shape():
    assert RFC7091_A2.digest.hex().startswith("8c5b0772297d77c6")
    assert RFC7091_A2.digest.hex().endswith("cff35437")
    assert len(RFC7091_A2.signature) == 128


@pytest.mark.parametrize("name", VECTORS)
def test_rfc_signature_verifies(name):
    vector = VECTORS[name]
    key = PublicKey.from_spki_der(vector.spki_der)
    assert key.algorithm.name == ("gost2012-256" if name == "A.1" else "gost2012-512")
    assert key.verify_digest(vector.digest, vector.signature)


@pytest.mark.parametrize("name", VECTORS)
def test_r_s_order_fails(name):
    vector = VECTORS[name]
    n = len(vector.signature) // 2
    swapped = vector.signature[n:] + vector.signature[:n]
    assert not PublicKey.from_spki_der(vector.spki_der).verify_digest(vector.digest, swapped)


@pytest.mark.parametrize("name", VECTORS)
def test_big_endian_digest_fails(name):
    vector = VECTORS[name]
    key = PublicKey.from_spki_der(vector.spki_der)
    assert not key.verify_digest(vector.digest[::-1], vector.signature)


@pytest.mark.parametrize("name", VECTORS)
@pytest.mark.parametrize("bit", [0, 7, 100, 255, 256, 511])
def test_bit_flips_fail(name, bit):
    vector = VECTORS[name]
    key = PublicKey.from_spki_der(vector.spki_der)
    signature = bytearray(vector.signature)
    signature[bit // 8] ^= 1 << (bit % 8)
    assert not key.verify_digest(vector.digest, bytes(signature))
    flipped = bytearray(vector.digest)
    flipped[(bit // 8) % len(flipped)] ^= 1 << (bit % 8)
    assert not key.verify_digest(bytes(flipped), vector.signature)


@pytest.mark.parametrize("name", VECTORS)
def test_wrong_lengths_are_false_not_errors(name):
    vector = VECTORS[name]
    key = PublicKey.from_spki_der(vector.spki_der)
    assert not key.verify_digest(vector.digest, vector.signature[:-1])
    assert not key.verify_digest(vector.digest, b"")
    assert not key.verify_digest(vector.digest[:-1], vector.signature)
    assert not key.verify(b"data", vector.signature + b"\0")


def test_a1_private_key_loads_derives_the_public_key_and_signs():
    key = PrivateKey.load(bytes.fromhex(A1_PKCS8_HEX))
    assert key.public_key().spki_der.hex() == A1_SPKI_HEX
    rfc_key = PublicKey.from_spki_der(RFC7091_A1.spki_der)
    signature = key.sign_digest(RFC7091_A1.digest)
    assert signature != RFC7091_A1.signature  # random k
    assert rfc_key.verify_digest(RFC7091_A1.digest, signature)


def test_sign_equals_sign_digest_of_streebog(key256, key512):
    for key in (key256, key512):
        message = b"<ds:SignedInfo/>"
        hashed = digest(key.algorithm.digest_name, message)
        public = key.public_key()
        assert public.verify_digest(hashed, key.sign(message))
        assert public.verify(message, key.sign_digest(hashed))
