import subprocess

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
                           str(tmp_path / "mfc.cert.pem")], capture_output=True, text=True)
    assert "Public Key Algorithm: GOST R 34.10-2012 with 512 bit modulus" in text.stdout
    assert "Signature Algorithm: GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)" in text.stdout


def test_keys_generate_refuses_half_an_issuer(tmp_path, capsys):
    assert main(["keys", "generate", "--cn", "x", "--out", str(tmp_path),
                 "--ca-key", str(tmp_path / "k.pem")]) == 2
    assert "--ca-key and --ca-cert go together" in capsys.readouterr().err
