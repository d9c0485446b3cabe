"""``smev-soap participant|kind|grant|classified`` against a temporary SQLite database."""

from __future__ import annotations

import getpass

import pytest
from cli_support import cli_database
from registry_samples import NS, ROOT, new_certificate, sample_xsd
from sqlalchemy import select

from smev_soap.journal import JournalEvent
from smev_soap.registry import CONSUMER, PROVIDER, find_kind, get_participant, is_granted


def _pem(tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pem"
    path.write_bytes(new_certificate().to_pem())
    return str(path)


def test_participant_commands(smev, tmp_path):
    assert smev("participant", "add", "--code", "MFCA00001", "--name", "МФЦ",
                "--cert", _pem(tmp_path, "a"), "--cert", _pem(tmp_path, "b"))[0] == 0
    assert smev("participant", "block", "MFCA00001", "--reason", "нарушение")[0] == 0
    code, out, _ = smev("participant", "list")
    assert code == 0 and out == "MFCA00001\tblocked (нарушение)\tМФЦ\n"
    assert smev("participant", "unblock", "MFCA00001")[0] == 0
    with cli_database().transaction() as session:
        participant = get_participant(session, "MFCA00001")
        assert participant.is_active and len(participant.certificates) == 2
        actors = set(session.scalars(select(JournalEvent.actor)))
        assert actors == {f"cli:{getpass.getuser()}"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["participant", "add", "--code", "bad", "--name", "X", "--cert", "CERT"],
         "does not match"),
        (["participant", "add", "--code", "MFCA00002", "--name", "X", "--cert", "missing.pem"],
         "cannot read missing.pem"),
        (["participant", "block", "NONE00001", "--reason", "r"], "not registered"),
        (["participant", "unblock", "NONE00001"], "not registered"),
    ],
)
def test_participant_refusals_exit_2_with_one_line(smev, tmp_path, argv, message):
    argv = [_pem(tmp_path, "c") if a == "CERT" else a for a in argv]
    code, out, err = smev(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_kind_grant_and_classified_commands(smev, tmp_path):
    for code in ("PFRS00001", "SOCZ00001", "MFCA00001"):
        smev("participant", "add", "--code", code, "--name", code, "--cert", _pem(tmp_path, code))
    xsd = tmp_path / "income.xsd"
    xsd.write_text(sample_xsd(), encoding="utf-8")
    code, out, err = smev("kind", "add", "--namespace", NS, "--root", ROOT, "--xsd", str(xsd),
                          "--provider", "PFRS00001", "--provider", "SOCZ00001:07",
                          "--name", "Доходы", "--service", "INCOME", "--lenient-attachments")
    assert code == 0, err
    code, out, _ = smev("kind", "list")
    assert out == (f"{{{NS}}}{ROOT}\tДоходы\tproviders PFRS00001, SOCZ00001:07"
                   "\tservice INCOME\n")
    assert smev("grant", "--participant", "MFCA00001", "--kind", NS, "--allow-test")[0] == 0
    assert smev("grant", "--participant", "SOCZ00001", "--kind", NS, "--root", ROOT,
                "--role", "provider")[0] == 0
    with cli_database().transaction() as session:
        kind = find_kind(session, NS, ROOT)
        assert not kind.strict_attachments and kind.service_mnemonic == "INCOME"
        assert is_granted(session, "MFCA00001", kind, CONSUMER, test=True)
        assert is_granted(session, "SOCZ00001", kind, PROVIDER)

    assert smev("classified", "add", "--namespace", "urn://secret/1.0")[0] == 0
    secret = tmp_path / "secret.xsd"
    secret.write_text(sample_xsd("urn://secret/1.0", "Doc"), encoding="utf-8")
    refusals = [
        (["kind", "add", "--namespace", "urn://secret/1.0", "--root", "Doc", "--xsd",
          str(secret), "--provider", "PFRS00001"], "classified"),
        (["kind", "add", "--namespace", NS, "--root", "Other", "--xsd", str(xsd),
          "--provider", "PFRS00001"], "no global element 'Other'"),
        (["kind", "add", "--namespace", "urn://x", "--root", "Doc", "--xsd",
          str(tmp_path / "none.xsd"), "--provider", "PFRS00001"], "cannot read"),
        (["grant", "--participant", "MFCA00001", "--kind", "urn://unknown"], "no kind"),
        (["classified", "add", "--namespace", "urn://secret/1.0"], "already classified"),
    ]
    for argv, message in refusals:
        code, _, err = smev(*argv)
        assert code == 2 and message in err, err
