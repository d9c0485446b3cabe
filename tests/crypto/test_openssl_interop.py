"""Both directions against the ``openssl`` command line with the GOST engine."""

import base64

import pytest

from smev_soap.crypto import Certificate, PrivateKey, PublicKey, digest, issue_certificate

CASES = [  # our algorithm, openssl genpkey algorithm, paramset, -md option
    ("gost2012-256", "gost2012_256", "XA", "-md_gost12_256"),
    ("gost2012-512", "gost2012_512", "A", "-md_gost12_512"),
    ("gost2001", "gost2001", "XA", "-md_gost94"),
]
IDS = [case[0] for case in CASES]


def spki_pem(der: bytes) -> bytes:
    body = base64.encodebytes(der)
    return b"-----BEGIN PUBLIC KEY-----\n" + body + b"-----END PUBLIC KEY-----\n"


@pytest.mark.parametrize(("ours", "theirs", "paramset", "md"), CASES, ids=IDS)
def test_our_signature_verifies_with_openssl(openssl, tmp_path, ours, theirs, paramset, md):
    key = PrivateKey.generate(ours, paramset)
    message = b"<ds:SignedInfo>" * 100
    (tmp_path / "msg").write_bytes(message)
    (tmp_path / "sig").write_bytes(key.sign(message))
    (tmp_path / "pub.pem").write_bytes(spki_pem(key.public_key().spki_der))
    out = openssl(
        "dgst",
        md,
        "-verify",
        tmp_path / "pub.pem",
        "-signature",
        tmp_path / "sig",
        tmp_path / "msg",
    )
    assert b"Verified OK" in out
    # and the precomputed-digest form through pkeyutl
    (tmp_path / "dgst").write_bytes(digest(key.algorithm.digest_name, message))
    (tmp_path / "sig2").write_bytes(key.sign_digest(digest(key.algorithm.digest_name, message)))
    out = openssl(
        "pkeyutl",
        "-verify",
        "-pubin",
        "-inkey",
        tmp_path / "pub.pem",
        "-in",
        tmp_path / "dgst",
        "-sigfile",
        tmp_path / "sig2",
    )
    assert b"Signature Verified Successfully" in out


@pytest.mark.parametrize(("ours", "theirs", "paramset", "md"), CASES, ids=IDS)
def test_openssl_key_and_signature_work_in_ours(openssl, tmp_path, ours, theirs, paramset, md):
    key_pem = openssl("genpkey", "-algorithm", theirs, "-pkeyopt", f"paramset:{paramset}")
    (tmp_path / "key.pem").write_bytes(key_pem)
    message = b"interop " * 1000
    (tmp_path / "msg").write_bytes(message)
    signature = openssl("dgst", md, "-sign", tmp_path / "key.pem", tmp_path / "msg")
    spki = openssl("pkey", "-in", tmp_path / "key.pem", "-pubout", "-outform", "DER")
    public = PublicKey.from_spki_der(spki)
    assert public.algorithm.name == ours
    assert public.verify(message, signature)
    assert not public.verify(message + b"x", signature)
    loaded = PrivateKey.load(key_pem)
    assert loaded.public_key() == public
    assert public.verify(b"mine", loaded.sign(b"mine"))


def test_openssl_key_formats_load(openssl, tmp_path):
    (tmp_path / "key.pem").write_bytes(
        openssl("genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:XA")
    )
    expected = PublicKey.from_spki_der(
        openssl("pkey", "-in", tmp_path / "key.pem", "-pubout", "-outform", "DER")
    )
    der = openssl("pkey", "-in", tmp_path / "key.pem", "-outform", "DER")
    assert PrivateKey.load(der).public_key() == expected
    encrypted_pem = openssl(
        "pkcs8",
        "-topk8",
        "-in",
        tmp_path / "key.pem",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:open sesame",
    )
    assert b"ENCRYPTED PRIVATE KEY" in encrypted_pem
    assert PrivateKey.load(encrypted_pem, b"open sesame").public_key() == expected
    encrypted_der = openssl(
        "pkcs8",
        "-topk8",
        "-in",
        tmp_path / "key.pem",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:open sesame",
        "-outform",
        "DER",
    )
    assert PrivateKey.load(encrypted_der, b"open sesame").public_key() == expected


@pytest.mark.parametrize("password", [None, b"pa55"])
def test_our_keys_load_in_openssl(openssl, tmp_path, key512, password):
    (tmp_path / "key.pem").write_bytes(key512.to_pem(password))
    args = ["-passin", f"pass:{password.decode()}"] if password else []
    spki = openssl("pkey", "-in", tmp_path / "key.pem", *args, "-pubout", "-outform", "DER")
    assert spki == key512.public_key().spki_der
    (tmp_path / "msg").write_bytes(b"hello")
    signature = openssl(
        "dgst", "-md_gost12_512", "-sign", tmp_path / "key.pem", *args, tmp_path / "msg"
    )
    assert key512.public_key().verify(b"hello", signature)


def test_our_certificates_parse_and_verify_in_openssl(openssl, tmp_path, key256, key512):
    ca = issue_certificate({"C": "RU", "O": "Тест", "CN": "Test CA"}, key256, ca=True)
    leaf = issue_certificate({"CN": "Участник", "INN": "007700000001"}, key512, key256, ca)
    (tmp_path / "ca.pem").write_bytes(ca.to_pem())
    (tmp_path / "leaf.pem").write_bytes(leaf.to_pem())
    text = openssl(
        "x509", "-in", tmp_path / "leaf.pem", "-noout", "-text", "-nameopt", "oneline,-esc_msb"
    ).decode()
    assert "GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)" in text  # signed by the CA key
    assert "GOST R 34.10-2012 with 512 bit modulus" in text
    assert "CN = Участник" in text and "CA:FALSE" in text
    assert b"leaf.pem: OK" in openssl(
        "verify", "-CAfile", tmp_path / "ca.pem", tmp_path / "leaf.pem"
    )
    fingerprint = openssl(
        "x509", "-in", tmp_path / "leaf.pem", "-noout", "-fingerprint", "-sha256"
    ).decode()
    assert fingerprint.split("=")[1].strip().replace(":", "").lower() == leaf.fingerprint_sha256


def test_openssl_certificate_loads_in_ours(openssl, tmp_path):
    pem = openssl(
        "req",
        "-x509",
        "-newkey",
        "gost2012_256",
        "-pkeyopt",
        "paramset:A",
        "-nodes",
        "-keyout",
        tmp_path / "k.pem",
        "-md_gost12_256",
        "-subj",
        "/C=RU/O=Test/CN=oneshot",
        "-days",
        "30",
    )
    cert = Certificate.load(pem)
    assert cert.subject == "CN=oneshot,O=Test,C=RU"
    assert cert.paramset == "id-GostR3410-2001-CryptoPro-A-ParamSet"
    assert cert.is_ca  # openssl req -x509 marks it CA:TRUE
    key = PrivateKey.from_file(tmp_path / "k.pem")
    assert cert.public_key == key.public_key()
    der = openssl("x509", "-in", "/dev/stdin", "-outform", "DER", stdin=pem)
    assert Certificate.load(der) == cert
