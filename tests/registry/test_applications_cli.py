"""``smev-soap application submit|list|show|approve|refuse``."""

from __future__ import annotations

from reference_cli import smev  # noqa: F401 (fixture)
from registry_samples import NS, ROOT, new_certificate, sample_xsd


def _setup(smev, tmp_path) -> None:  # noqa: F811
    cert = tmp_path / "pfr.pem"
    cert.write_bytes(new_certificate().to_pem())
    xsd = tmp_path / "income.xsd"
    xsd.write_text(sample_xsd(), encoding="utf-8")
    assert smev("participant", "add", "--code", "PFRS00001", "--name", "ПФР", "--cert", cert)[0] == 0
    assert smev("kind", "add", "--namespace", NS, "--root", ROOT, "--xsd", xsd,
                "--provider", "PFRS00001")[0] == 0


def _submit(smev, tmp_path, code: str) -> tuple[int, str, str]:  # noqa: F811
    der = tmp_path / f"{code}.der"
    der.write_bytes(new_certificate().der)
    return smev("application", "submit", "--code", code, "--organisation", "МФЦ",
                "--system-name", "АИС МФЦ", "--category", "mfc", "--contacts", "it@mfc.ru",
                "--cert", der, "--consumer", NS, ROOT)


def test_submit_approve_refuse(smev, tmp_path):  # noqa: F811
    _setup(smev, tmp_path)
    assert _submit(smev, tmp_path, "MFCA00001")[1] == "application 1 submitted for MFCA00001\n"
    assert _submit(smev, tmp_path, "MFCB00001")[1] == "application 2 submitted for MFCB00001\n"
    listed = smev("application", "list", "--status", "submitted")[1].splitlines()
    assert [line.split("\t")[:3] for line in listed] == [
        ["2", "submitted", "MFCB00001"], ["1", "submitted", "MFCA00001"]]
    shown = smev("application", "show", "1")[1].splitlines()
    assert shown[:3] == ["application:\t1", "status:\tsubmitted", "code:\tMFCA00001"]
    assert shown[-1] == f"kind:\tconsumer of {{{NS}}}{ROOT}"
    assert smev("application", "approve", "1")[1] == (
        "application 1 approved: participant MFCA00001 registered\n")
    assert smev("application", "refuse", "2", "--reason", "нет соглашения")[0] == 0
    assert "MFCA00001\tactive" in smev("participant", "list")[1]
    assert "reason:\tнет соглашения" in smev("application", "show", "2")[1]
    code, out, err = smev("application", "approve", "2")
    assert (code, out, err) == (2, "", "smev-soap: application 2 is already refused\n")


def test_submit_refusals(smev, tmp_path):  # noqa: F811
    _setup(smev, tmp_path)
    code, _, err = _submit(smev, tmp_path, "bad")
    assert code == 2 and "does not match" in err
    code, _, err = smev("application", "submit", "--code", "MFCA00001", "--organisation", "М",
                        "--system-name", "С", "--category", "mfc", "--contacts", "c",
                        "--cert", tmp_path / "none.pem", "--consumer", NS, ROOT)
    assert code == 2 and err.startswith("smev-soap: cannot read")
    assert smev("application", "list")[1] == ""
