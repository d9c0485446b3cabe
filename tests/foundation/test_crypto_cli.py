import subprocess
from pathlib import Path

from smev_soap.cli import main
from smev_soap.crypto import Certificate, PrivateKey, TrustStore


def test_selftest_prints_a_line_per_test_and_passes(capsys):
    assert main(["crypto", "selftest"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("PASS") for line in lines) >= 8
    assert lines[-1].endswith("0 failed")


def test_keys_generate_self_signed_and_issued(tmp_path, capsys):
    assert main(["keys", "generate", "--cn", "Demo CA", "--out", str(tmp_path), "--ca"]) == 0
    assert main(["keys", "generate", "--cn", "МФЦ Демо", "--name", "mfc", "--bits", "512",
                 "--out", str(tmp_path), "--ca-key", str(tmp_path / "demo-ca.key.pem"),
                 "--ca-cert", str(tmp_path / "demo-ca.cert.pem")]) == 0
    ca = Certificate.from_file(tmp_path / "demo-ca.cert.pem")
    mfc = Certificate.from_file(tmp_path / "mfc.cert.pem")
    assert ca.is_ca and "CN=МФЦ Демо" in mfc.subject and mfc.issuer == ca.subject
    assert mfc.key_algorithm.name == "gost2012-512"
    assert PrivateKey.from_file(tmp_path / "mfc.key.pem").public_key().spki_der == mfc.spki_der
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "ca.pem").write_bytes(ca.to_pem())
    TrustStore(trust).validate(mfc)
    text = subprocess.run(["openssl", "x509", "-engine", "gost", "-noout", "-text", "-in",
                           str(tmp_path / "mfc.cert.pem")], capture_output=True, text=True, check=True)
    assert "Public Key Algorithm: GOST R 34.10-2012 with 512 bit modulus" in text.stdout
    assert "Signature Algorithm: GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)" in text.stdout


def test_keys_generate_refuses_half_an_issuer(tmp_path, capsys):
    assert main(["keys", "generate", "--cn", "x", "--out", str(tmp_path),
                 "--ca-key", str(tmp_path / "k.pem")]) == 2
    assert "--ca-key and --ca-cert go together" in capsys.readouterr().err


CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"


def _pair(tmp_path):
    main(["keys", "generate", "--cn", "CA", "--name", "ca", "--out", str(tmp_path), "--ca"])
    main(["keys", "generate", "--cn", "MFCR00001", "--name", "mfc", "--out", str(tmp_path),
          "--ca-key", str(tmp_path / "ca.key.pem"), "--ca-cert", str(tmp_path / "ca.cert.pem")])
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "ca.pem").write_bytes((tmp_path / "ca.cert.pem").read_bytes())
    return tmp_path / "mfc.key.pem", tmp_path / "mfc.cert.pem", trust


def _sign(capsysbinary, profile, key, cert, source):
    capsysbinary.readouterr()
    assert main(["sign", "--profile", profile, "--key", str(key), "--cert", str(cert),
                 str(source)]) == 0
    return capsysbinary.readouterr().out


def test_sign_smev2_then_verify_valid_and_tampered(tmp_path, capsysbinary):
    key, cert, trust = _pair(tmp_path)
    source = CONFORMANCE / "envelopes" / "smev2-rev120315-request-AppDocument-BinaryData-zip-unsigned.xml"
    signed = tmp_path / "signed.xml"
    signed.write_bytes(_sign(capsysbinary, "smev2", key, cert, source))
    assert main(["verify", "--trust", str(trust), str(signed)]) == 0
    line = capsysbinary.readouterr().out.decode()
    assert "smev2 actor=smev" in line and "ids=body-wsu-id" in line and line.rstrip().endswith("VALID")
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(signed.read_bytes().replace(b"<smev:CaseNumber>123", b"<smev:CaseNumber>124"))
    assert main(["verify", str(tampered)]) == 1
    assert "INVALID digest_mismatch" in capsysbinary.readouterr().out.decode()


def test_sign_smev3_and_verify_the_real_smev_signature(tmp_path, capsysbinary):
    key, cert, _ = _pair(tmp_path)
    source = CONFORMANCE / "envelopes" / "smev3-1.2-SendRequestRequest-unsigned.xml"
    signed = tmp_path / "smev3.xml"
    signed.write_bytes(_sign(capsysbinary, "smev3", key, cert, source))
    real = CONFORMANCE / "signed" / "smev3-1.2-SendRequestResponse-MessageMetadata-SMEVSignature.xml"
    assert main(["verify", str(signed), str(real)]) == 0
    out = capsysbinary.readouterr().out.decode().splitlines()
    assert "ids=SIGNED_BY_CONSUMER" in out[0] and "ids=SIGNED_BY_SMEV" in out[1]
    assert all(line.endswith("VALID") for line in out)


def test_verify_untrusted_signer_is_invalid(tmp_path, capsysbinary):
    key, cert, _ = _pair(tmp_path)
    other = tmp_path / "other"
    _, _, foreign_trust = _pair(other)
    source = CONFORMANCE / "envelopes" / "smev2-rev120315-request-AppDocument-BinaryData-zip-unsigned.xml"
    signed = tmp_path / "signed.xml"
    signed.write_bytes(_sign(capsysbinary, "smev2", key, cert, source))
    capsysbinary.readouterr()
    assert main(["verify", "--trust", str(foreign_trust), str(signed)]) == 1
    assert "INVALID certificate_untrusted" in capsysbinary.readouterr().out.decode()
