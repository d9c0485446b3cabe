"""``smev-soap journal show|seal|verify`` against a temporary SQLite database."""

from __future__ import annotations

import pytest
from cli_support import cli_database, cli_runner
from sqlalchemy import update

from smev_soap.config import load_settings
from smev_soap.journal import EventType, JournalEvent, record


@pytest.fixture
def smev(tmp_path, monkeypatch, capsys, gateway_key, gateway_cert):
    """Run ``smev-soap`` with the gateway's key; returns (exit code, stdout, stderr)."""
    (tmp_path / "gateway.key.pem").write_bytes(gateway_key.to_pem())
    (tmp_path / "gateway.cert.pem").write_bytes(gateway_cert.to_pem())
    monkeypatch.delenv("SMEV_KEY_PASSWORD_FILE", raising=False)
    monkeypatch.setenv("SMEV_KEY", str(tmp_path / "gateway.key.pem"))
    monkeypatch.setenv("SMEV_CERT", str(tmp_path / "gateway.cert.pem"))
    return cli_runner(tmp_path, monkeypatch, capsys)


def test_show_seal_verify_and_tamper(smev):
    with cli_database().transaction() as session:
        record(session, EventType.RECEIVED, participant="MFCA00001", message_id="req",
               chain_id="req")
        record(session, EventType.QUEUED, participant="PFRS00001", message_id="req",
               chain_id="req")
        record(session, EventType.ANSWERED, participant="PFRS00001", message_id="resp",
               chain_id="req", detail="ответ")
    code, out, _ = smev("journal", "show", "resp")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].startswith("#1\t") and "\treceived\tMFCA00001\treq" in lines[0]
    assert lines[2].endswith("\tanswered\tPFRS00001\tresp\tответ")
    code, _, err = smev("journal", "show", "nothing")
    assert code == 2 and "no journal events" in err

    code, out, _ = smev("journal", "verify")
    assert code == 0 and "3 rows not yet sealed (not yet protected)" in out
    assert smev("journal", "seal") == (0, "sealed 3 rows in 1 batch(es)\n", "")
    assert (load_settings().var_dir / "journal-seals.log").exists()
    code, out, _ = smev("journal", "verify")
    assert code == 0 and out.endswith("journal OK\n")

    with cli_database().transaction() as session:
        session.execute(update(JournalEvent).where(JournalEvent.id == 2).values(detail="x"))
    code, out, _ = smev("journal", "verify")
    assert code == 1
    assert out.splitlines()[-1] == "first bad entry: journal event 2 altered (batch 1)"


def test_seal_without_a_key_exits_2(smev, monkeypatch, tmp_path):
    monkeypatch.setenv("SMEV_KEY", str(tmp_path / "absent.pem"))
    code, _, err = smev("journal", "seal")
    assert code == 2 and "cannot read the gateway key" in err
