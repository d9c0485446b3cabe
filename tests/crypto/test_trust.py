from datetime import UTC, datetime, timedelta

import pytest

from smev_soap.crypto import (
    CertificateRejected,
    CryptoError,
    PrivateKey,
    TrustStore,
    issue_certificate,
    issue_crl,
)

NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def pki(key256, key512):
    """Root CA -> intermediate CA -> leaves, plus an unrelated CA."""
    long_ago = NOW - timedelta(days=1000)
    root = issue_certificate("CN=Root CA,O=Тест", key256, ca=True, days=3650, not_before=long_ago)
    sub_key = PrivateKey.generate()
    sub = issue_certificate(
        "CN=Sub CA,O=Тест", sub_key, key256, root, ca=True, days=2000, not_before=long_ago
    )
    stranger_key = PrivateKey.generate()
    stranger_ca = issue_certificate("CN=Stranger CA", stranger_key, ca=True)

    def leaf(name, issuer=(key256, root), **kw):
        return issue_certificate(f"CN={name}", key512, issuer[0], issuer[1], **kw)

    return {
        "root": root,
        "root_key": key256,
        "sub": sub,
        "sub_key": sub_key,
        "valid": leaf("valid"),
        "deep": leaf("deep", (sub_key, sub)),
        "expired": leaf("expired", not_before=NOW - timedelta(days=400), days=30),
        "future": leaf("future", not_before=NOW + timedelta(days=30)),
        "revoked": leaf("revoked"),
        "stranger": leaf("stranger", (stranger_key, stranger_ca)),
    }


@pytest.fixture(scope="module")
def store(pki):
    return TrustStore.from_certificates([pki["root"], pki["sub"]])


@pytest.fixture(scope="module")
def crl_store(pki):
    crls = [
        issue_crl(pki["root"], pki["root_key"], [pki["revoked"].serial]),
        issue_crl(pki["sub"], pki["sub_key"]),
    ]
    return TrustStore.from_certificates([pki["root"], pki["sub"]], crls)


def reason(store, cert, **kw):
    with pytest.raises(CertificateRejected) as info:
        store.validate(cert, **kw)
    assert str(info.value)
    return info.value.reason


def test_valid_chains(pki, store, crl_store):
    for cert in (pki["valid"], pki["deep"], pki["revoked"]):
        store.validate(cert)
    crl_store.validate(pki["valid"])
    crl_store.validate(pki["deep"])


@pytest.mark.parametrize("which", ["store", "crl_store"])
def test_distinct_reasons(pki, which, request):
    trust = request.getfixturevalue(which)
    assert reason(trust, pki["expired"]) == "expired"
    assert reason(trust, pki["future"]) == "not_yet_valid"
    assert reason(trust, pki["stranger"]) == "untrusted"


def test_revoked_only_with_crls(pki, store, crl_store):
    store.validate(pki["revoked"])
    assert reason(crl_store, pki["revoked"]) == "revoked"


def test_message_is_readable(pki, crl_store):
    with pytest.raises(CertificateRejected, match="CN=revoked.*revoked"):
        crl_store.validate(pki["revoked"])


def test_validation_time(pki, store):
    assert reason(store, pki["valid"], at=NOW - timedelta(days=1)) == "not_yet_valid"
    assert reason(store, pki["valid"], at=NOW + timedelta(days=400)) == "expired"
    store.validate(pki["expired"], at=NOW - timedelta(days=380))
    store.validate(pki["valid"], at=(NOW + timedelta(days=1)).replace(tzinfo=None))


def test_directly_trusted_self_signed_validity_is_enforced(key256):
    old = issue_certificate("CN=pinned", key256, not_before=NOW - timedelta(days=100), days=10)
    fresh = issue_certificate("CN=pinned", key256)
    assert reason(TrustStore.from_certificates([old]), old) == "expired"
    TrustStore.from_certificates([fresh]).validate(fresh)


def test_empty_store_trusts_nothing(pki):
    assert reason(TrustStore(None), pki["valid"]) == "untrusted"
    assert reason(TrustStore(None), pki["root"]) == "untrusted"


def test_crl_problems_are_invalid(pki, key256):
    stale = issue_crl(pki["root"], pki["root_key"], last_update=NOW - timedelta(days=60), days=30)
    trust = TrustStore.from_certificates([pki["root"]], [stale])
    assert reason(trust, pki["valid"]) == "invalid"
    missing = TrustStore.from_certificates(
        [pki["root"], pki["sub"]], [issue_crl(pki["root"], pki["root_key"])]
    )
    assert reason(missing, pki["deep"]) == "invalid"  # no CRL from the sub CA: fail closed


def test_forged_signature_is_invalid(pki, key512):
    forged = issue_certificate(pki["root"].subject, key512, ca=False)  # same name, other key
    victim = issue_certificate("CN=victim", key512, key512, forged)
    assert reason(TrustStore.from_certificates([pki["root"]]), victim) in {"invalid", "untrusted"}


def test_directories(tmp_path, pki, openssl):
    ca_dir, crl_dir = tmp_path / "ca", tmp_path / "crl"
    ca_dir.mkdir()
    crl_dir.mkdir()
    (ca_dir / "root.cer").write_bytes(pki["root"].der)
    (ca_dir / "sub.pem").write_bytes(b"bundle\n" + pki["sub"].to_pem() + pki["sub"].to_pem())
    (ca_dir / ".hidden").write_bytes(b"ignored")
    root_crl = issue_crl(pki["root"], pki["root_key"], [pki["revoked"].serial])
    (crl_dir / "root.crl").write_bytes(root_crl)
    (crl_dir / "sub.crl.pem").write_bytes(
        openssl("crl", "-inform", "DER", stdin=issue_crl(pki["sub"], pki["sub_key"]))
    )
    trust = TrustStore(ca_dir, crl_dir)
    assert len(trust.certificates) == 3 and trust.crl_count == 2
    trust.validate(pki["deep"])
    assert reason(trust, pki["revoked"]) == "revoked"
    (ca_dir / "broken.pem").write_bytes(b"not a certificate")
    with pytest.raises(CryptoError, match="broken.pem"):
        TrustStore(ca_dir)


def test_our_crl_agrees_with_openssl(tmp_path, pki, openssl):
    crl = issue_crl(pki["root"], pki["root_key"], [pki["revoked"].serial, 77])
    text = openssl("crl", "-inform", "DER", "-noout", "-text", stdin=crl).decode()
    assert f"Serial Number: {pki['revoked'].serial:X}" in text
    assert "Serial Number: 4D" in text
    (tmp_path / "bundle.pem").write_bytes(
        pki["root"].to_pem() + openssl("crl", "-inform", "DER", stdin=crl)
    )
    (tmp_path / "revoked.pem").write_bytes(pki["revoked"].to_pem())
    (tmp_path / "valid.pem").write_bytes(pki["valid"].to_pem())
    assert b"OK" in openssl(
        "verify", "-crl_check", "-CAfile", tmp_path / "bundle.pem", tmp_path / "valid.pem"
    )
    with pytest.raises(pytest.fail.Exception, match="certificate revoked"):
        openssl(
            "verify", "-crl_check", "-CAfile", tmp_path / "bundle.pem", tmp_path / "revoked.pem"
        )
