import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from smev_soap.crypto import Certificate, CryptoError, PrivateKey, issue_certificate


@pytest.fixture(scope="module")
def ca(key256):
    return issue_certificate(
        {"C": "RU", "O": "Демо УЦ", "CN": "Demo CA"}, key256, ca=True, days=3650
    )


def test_issued_metadata(key256, key512, ca):
    start = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    cert = issue_certificate(
        {
            "C": "RU",
            "O": "Министерство тестов",
            "CN": "ИС Участника",
            "INN": "007700000001",
            "OGRN": "1027700000001",
        },
        key512,
        key256,
        ca,
        days=10,
        not_before=start,
        serial=0x1234,
    )
    assert cert.subject == (
        "OGRN=1027700000001,INN=007700000001,CN=ИС Участника,O=Министерство тестов,C=RU"
    )
    assert cert.issuer == ca.subject == "CN=Demo CA,O=Демо УЦ,C=RU"
    assert cert.serial == 0x1234
    assert (cert.not_before, cert.not_after) == (start, start + timedelta(days=10))
    assert cert.not_before.tzinfo is not None
    assert cert.key_usage == ["digitalSignature", "nonRepudiation", "keyEncipherment"]
    assert not cert.is_ca
    assert cert.key_algorithm.name == "gost2012-512"
    assert cert.paramset == "id-tc26-gost-3410-2012-512-paramSetA"
    assert cert.fingerprint_sha256 == hashlib.sha256(cert.der).hexdigest()
    assert cert.public_key == key512.public_key()


def test_ca_metadata(ca, key256):
    assert ca.is_ca and ca.issuer == ca.subject
    assert ca.key_usage == ["digitalSignature", "keyCertSign", "cRLSign"]
    assert ca.key_algorithm.name == "gost2012-256"
    assert ca.paramset == "id-GostR3410-2001-CryptoPro-XchA-ParamSet"
    assert ca.paramset_oid == "1.2.643.2.2.36.0"
    assert ca.public_key.verify(b"m", key256.sign(b"m"))


@pytest.mark.parametrize(
    "subject", ["/C=RU/O=Org/CN=Name", "CN=Name,O=Org,C=RU", {"C": "RU", "O": "Org", "CN": "Name"}]
)
def test_subject_spellings(key256, subject):
    assert issue_certificate(subject, key256).subject == "CN=Name,O=Org,C=RU"


def test_rfc4514_escapes_survive(key256):
    cert = issue_certificate(r"CN=Иванов\, Иван,O=ООО \"Ромашка\"", key256)
    assert cert.subject == r"CN=Иванов\, Иван,O=ООО \"Ромашка\""


def test_load_forms(ca, tmp_path):
    pem = ca.to_pem()
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----\n")
    assert Certificate.load(pem) == Certificate.load(ca.der) == ca
    text = base64.encodebytes(ca.der).decode()  # 76-column lines
    assert Certificate.from_base64("\n  " + text.replace("\n", "\r\n\t")) == ca
    assert Certificate.from_base64(text.encode()) == ca
    (tmp_path / "ca.cer").write_bytes(ca.der)
    (tmp_path / "ca.pem").write_bytes(b"junk before\n" + pem)
    assert Certificate.from_file(tmp_path / "ca.cer") == Certificate.from_file(tmp_path / "ca.pem")


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"garbage",
        b"\x30\x03\x02\x01\x00",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
    ],
)
def test_garbage_certificates(bad):
    with pytest.raises(CryptoError):
        Certificate.load(bad)


def test_bad_base64_and_missing_file(tmp_path):
    with pytest.raises(CryptoError):
        Certificate.from_base64("not base64 !!!")
    with pytest.raises(CryptoError):
        Certificate.from_file(tmp_path / "nope.pem")


@pytest.mark.parametrize("algorithm", ["rsa-sha256", "ecdsa-sha256"])
def test_non_gost_certificates(algorithm, key256, ca):
    key = PrivateKey.generate(algorithm)
    self_signed = issue_certificate("CN=test", key)
    assert self_signed.key_algorithm.name == algorithm
    assert self_signed.public_key.verify(b"m", key.sign(b"m"))
    by_gost_ca = issue_certificate("CN=test", key, key256, ca)
    assert by_gost_ca.public_key == key.public_key()


def test_issue_for_a_public_key_only(key256, key512, ca):
    cert = issue_certificate("CN=pub", key512.public_key(), key256, ca)
    assert cert.public_key == key512.public_key()
    with pytest.raises(ValueError):
        issue_certificate("CN=pub", key512.public_key())
    with pytest.raises(ValueError):
        issue_certificate("CN=x", key512, issuer_key=key256)
