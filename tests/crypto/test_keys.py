import gc
import os
import weakref

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from smev_soap.crypto import KeyLoadError, PrivateKey, PublicKey, UnsupportedAlgorithm
from smev_soap.crypto._der import spki_algorithm

XCHA, CRYPTOPRO_A = "1.2.643.2.2.36.0", "1.2.643.2.2.35.1"
TC26_512_A, TC26_256_A = "1.2.643.7.1.2.1.2.1", "1.2.643.7.1.2.1.1.1"


@pytest.mark.parametrize(
    ("algorithm", "paramset", "oid", "size"),
    [
        ("gost2012-256", None, XCHA, 64),
        ("gost2012-256", "A", CRYPTOPRO_A, 64),
        ("gost2012-256", "TCA", TC26_256_A, 64),
        ("gost2012-512", None, TC26_512_A, 128),
        ("gost2001", None, XCHA, 64),
    ],
)
def test_generate_sign_verify(algorithm, paramset, oid, size):
    key = PrivateKey.generate(algorithm, paramset)
    public = key.public_key()
    assert key.algorithm.name == public.algorithm.name == algorithm
    assert spki_algorithm(public.spki_der)[1][0] == oid
    signature = key.sign(b"payload")
    assert len(signature) == size
    assert public.verify(b"payload", signature)
    assert not public.verify(b"payload.", signature)


def test_signatures_are_randomised(key256):
    assert key256.sign(b"x") != key256.sign(b"x")


def test_unknown_paramset_and_algorithm():
    with pytest.raises(UnsupportedAlgorithm):
        PrivateKey.generate("gost2012-256", "Z")
    with pytest.raises(UnsupportedAlgorithm):
        PrivateKey.generate("dsa")


@pytest.mark.parametrize("algorithm", ["rsa-sha256", "ecdsa-sha256"])
def test_rsa_and_ecdsa_behind_the_same_classes(algorithm):
    key = PrivateKey.generate(algorithm)
    signature = key.sign(b"payload")
    public = PublicKey.from_spki_der(key.public_key().spki_der)
    assert public.algorithm.name == algorithm
    assert public.verify(b"payload", signature)
    assert not public.verify(b"other", signature)
    assert not public.verify(b"payload", signature[:-1])
    reloaded = PrivateKey.load(key.to_pem(b"pw"), b"pw")
    assert public.verify(b"x", reloaded.sign(b"x"))
    if algorithm == "ecdsa-sha256":
        assert len(signature) == 64  # raw r||s, as XMLDSig wants


def test_pem_round_trip_plain_and_encrypted(key256):
    plain = key256.to_pem()
    assert plain.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert PrivateKey.load(plain).public_key() == key256.public_key()
    encrypted = key256.to_pem(b"s3cret")
    assert encrypted.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert PrivateKey.load(encrypted, b"s3cret").public_key() == key256.public_key()


def test_binary_password_is_used_whole(key256):
    password = "пароль\0с нулём".encode()
    encrypted = key256.to_pem(password)
    assert PrivateKey.load(encrypted, password).public_key() == key256.public_key()
    with pytest.raises(KeyLoadError):
        PrivateKey.load(encrypted, password.split(b"\0")[0])


def test_wrong_or_missing_password(key512):
    encrypted = key512.to_pem(b"right")
    with pytest.raises(KeyLoadError, match="wrong password"):
        PrivateKey.load(encrypted, b"wrong")
    with pytest.raises(KeyLoadError, match="password is required"):
        PrivateKey.load(encrypted)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"garbage",
        os.urandom(300),
        b"\x30\x03\x02\x01\x00",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ],
)
def test_garbage_is_a_key_load_error(data):
    with pytest.raises(KeyLoadError):
        PrivateKey.load(data)


def test_from_file(tmp_path, key256):
    path = tmp_path / "key.pem"
    path.write_bytes(key256.to_pem(b"pw"))
    assert PrivateKey.from_file(path, b"pw").public_key() == key256.public_key()
    with pytest.raises(KeyLoadError, match="cannot read"):
        PrivateKey.from_file(tmp_path / "missing.pem")


def test_public_key_errors():
    with pytest.raises(KeyLoadError):
        PublicKey.from_spki_der(b"not der")
    ed = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(UnsupportedAlgorithm):
        PublicKey.from_spki_der(ed)


def test_unsupported_private_key_type():
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(UnsupportedAlgorithm):
        PrivateKey.load(pem)


def test_bad_signatures_never_raise(key256, key512):
    for key in (key256, key512):
        public = key.public_key()
        for signature in (b"", b"\0" * 64, b"\xff" * 64, os.urandom(128), os.urandom(7)):
            assert public.verify(b"data", signature) is False
            assert public.verify_digest(b"\0" * 32, signature) is False


def test_sign_digest_checks_the_length(key256):
    with pytest.raises(ValueError):
        key256.sign_digest(b"short")


def test_keys_free_their_evp_pkey_when_collected():
    key = PrivateKey.generate()
    public = key.public_key()
    finalizers = [key._impl._pkey, public._impl._pkey]
    refs = [weakref.ref(obj) for obj in finalizers]
    del key, public, finalizers
    gc.collect()
    assert all(ref() is None for ref in refs)
