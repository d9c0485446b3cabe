"""``smev-soap participant|service|kind|agreement``: life cycles, and refusals that exit 2 with
one line and leave the registry exactly as it was (one transaction per command)."""

from __future__ import annotations

from registry_samples import NS, ROOT, new_certificate, sample_xsd
from sqlalchemy import text

from smev_soap import migrate
from smev_soap.config import load_settings
from smev_soap.db import Database

V2 = NS.replace("/1.0", "/2.0")


def _file(tmp_path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (registry, journal, version)."""
    database = Database(load_settings().database_url)
    try:
        with database.engine.connect() as connection:
            return {t.name: sorted(map(tuple, connection.execute(
                text(f'SELECT * FROM "{t.name}"'))), key=repr)
                for t in migrate.target_metadata().sorted_tables}
    finally:
        database.dispose()


def _world(smev, tmp_path) -> str:
    """Two participants, a kind and a service; returns the МФЦ's certificate fingerprint."""
    mfc = new_certificate()
    assert smev("participant", "add", "--code", "PFRS00001", "--name", "ОСФР",
                "--cert", _file(tmp_path, "pfr.pem", new_certificate().to_pem()),
                "--category", "federal")[0] == 0
    assert smev("participant", "add", "--code", "MFCA00001", "--name", "ГАУ МФЦ",
                "--cert", _file(tmp_path, "mfc.pem", mfc.to_pem()), "--system-name", "АИС МФЦ",
                "--category", "mfc", "--contacts", "mfc@example.ru", "--pending")[0] == 0
    code, _, err = smev("kind", "add", "--namespace", NS, "--root", ROOT, "--xsd",
                        _file(tmp_path, "k.xsd", sample_xsd()), "--provider", "PFRS00001",
                        "--classification", "restricted", "--scope", "federal")
    assert code == 0, err
    code, _, err = smev("service", "add", "--sid", "SID0003564", "--mnemonic", "INCOMESVC",
                        "--version", "1.00", "--name", "Доходы", "--provider", "PFRS00001",
                        "--delivery", "push", "--endpoint", "https://pfr.example.ru/ws",
                        "--wsdl", _file(tmp_path, "s.wsdl",
                                        '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>'),
                        "--kind", f"{{{NS}}}{ROOT}")
    assert code == 0, err
    return mfc.fingerprint_sha256


def test_life_cycles(smev, tmp_path):
    fingerprint = _world(smev, tmp_path)
    steps = [
        ("participant", "activate", "MFCA00001"),
        ("participant", "update", "MFCA00001", "--contacts", "+7 000"),
        ("participant", "suspend", "MFCA00001", "--reason", "работы"),
        ("participant", "unblock", "MFCA00001"),
        ("participant", "add-cert", "MFCA00001", "--cert",
         _file(tmp_path, "new.pem", new_certificate().to_pem())),
        ("participant", "retire-cert", fingerprint),
        ("agreement", "add", "--number", "7/2026", "--participant", "MFCA00001",
         "--signed-on", "2026-01-10", "--valid-from", "2026-01-15",
         "--connection-address", "https://mfc.example.ru", "--officials", "Иванов И. И.",
         "--restricted-handling", "по 152-ФЗ", "--consume", NS),
        ("agreement", "add-service", "7/2026", "--service", "SID0003564"),
        ("agreement", "update", "7/2026", "--allow-test"),
        ("kind", "add-version", NS, "--namespace", V2, "--xsd",
         _file(tmp_path, "v2.xsd", sample_xsd(V2))),
        ("agreement", "add-kind", "7/2026", "--kind", V2, "--allow-test"),
        ("service", "update", "SID0003564", "--delivery", "queue", "--endpoint", ""),
        ("service", "suspend", "SID0003564", "--reason", "обновление"),
        ("service", "resume", "SID0003564"),
        ("kind", "update", NS, "--name", "Доходы", "--lenient-attachments"),
        ("agreement", "remove-kind", "7/2026", "--kind", NS),
        ("kind", "withdraw", NS),
    ]
    for argv in steps:
        code, _, err = smev(*argv)
        assert code == 0, (argv, err)
    code, out, _ = smev("participant", "show", "MFCA00001")
    assert "system\tАИС МФЦ" in out and "category\tmfc" in out and "contacts\t+7 000" in out
    assert out.count("certificate\t") == 2 and "status\tactive" in out
    code, out, _ = smev("agreement", "show", "7/2026")
    assert "valid\t2026-01-15 to open-ended" in out and "test traffic\tallowed" in out
    assert f"consumer\t{{{V2}}}{ROOT}\ttest" in out and "consumer\tservice SID0003564" in out
    assert f"{{{NS}}}" not in out
    code, out, _ = smev("agreement", "list", "--participant", "MFCA00001")
    assert out == "7/2026\tMFCA00001\t2026-01-15 to open-ended\t1 kind(s), 1 service(s)\n"
    code, out, _ = smev("service", "show", "SID0003564")
    assert "delivery\tqueue" in out and "endpoint\t-" in out and "health\tnever probed" in out
    code, out, _ = smev("service", "list")
    assert out == "SID0003564\tINCOMESVC 1.00\tactive\tPFRS00001\tqueue\tДоходы\n"
    code, out, _ = smev("kind", "show", NS)
    assert "status\twithdrawn" in out and "version\t1.0" in out and "attachments\tlenient" in out
    code, out, _ = smev("kind", "list")
    assert out.splitlines()[0].endswith("\twithdrawn")
    code, out, _ = smev("participant", "list", "--status", "active")
    assert out.splitlines() == ["MFCA00001\tactive\tГАУ МФЦ", "PFRS00001\tactive\tОСФР"]


def test_refusals_leave_the_registry_unchanged(smev, tmp_path):
    _world(smev, tmp_path)
    assert smev("agreement", "add", "--number", "7/2026", "--participant", "MFCA00001",
                "--signed-on", "2026-01-10", "--valid-from", "2026-01-15",
                "--valid-to", "2027-01-14")[0] == 0
    bad_xsd = _file(tmp_path, "bad.xsd", "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'")
    pem = _file(tmp_path, "c.pem", new_certificate().to_pem())
    refusals = [
        (["participant", "add", "--code", "MFCA00001", "--name", "X", "--cert", pem],
         "MFCA00001 is already registered"),
        (["participant", "update", "MFCA00001", "--name", "ГАУ МФЦ"], "nothing to change"),
        (["participant", "suspend", "MFCA00001", "--reason", "r"], "is pending, not active"),
        (["participant", "show", "NONE00001"], "not registered"),
        (["participant", "retire-cert", "ab" * 32], "is not registered"),
        (["participant", "add-cert", "MFCA00001", "--cert", pem, "--valid-from", "2001-01-01"],
         "exceeds the certificate's own"),
        (["kind", "add", "--namespace", "urn://x/1.0", "--root", "X", "--xsd", bad_xsd,
          "--provider", "PFRS00001"], "not acceptable XML"),
        (["kind", "add", "--namespace", "urn://x/1.0", "--root", "X", "--xsd",
          _file(tmp_path, "x.xsd", sample_xsd("urn://x/1.0", "X")), "--provider", "NONE00001"],
         "unknown provider NONE00001"),
        (["kind", "add", "--namespace", "urn://x/1.0", "--root", "X", "--xsd",
          _file(tmp_path, "x.xsd", sample_xsd("urn://x/1.0", "X")), "--provider", "PFRS00001",
          "--classification", "state-secret"], "state secret cannot be registered"),
        (["kind", "add-version", NS, "--namespace", V2, "--xsd", bad_xsd], "not acceptable XML"),
        (["kind", "update", "urn://none"], "give at least one"),
        (["service", "add", "--sid", "SID0003564", "--mnemonic", "M", "--version", "1",
          "--name", "N", "--provider", "PFRS00001"], "SID0003564 is already registered"),
        (["service", "add", "--sid", "SID0000002", "--mnemonic", "M", "--version", "1",
          "--name", "N", "--provider", "NONE00001"], "unknown provider NONE00001"),
        (["service", "add", "--sid", "SID0000002", "--mnemonic", "M", "--version", "1",
          "--name", "N", "--provider", "MFCA00001", "--kind", NS], "not a provider of"),
        (["service", "resume", "SID0003564"], "already active"),
        (["agreement", "add", "--number", "8/2026", "--participant", "MFCA00001",
          "--signed-on", "2026-05-01", "--valid-from", "2026-06-01", "--consume", NS],
         "overlaps agreement 7/2026 of MFCA00001 (2026-01-15 to 2027-01-14)"),
        (["agreement", "add", "--number", "8/2026", "--participant", "MFCA00001",
          "--signed-on", "2026-05-01", "--valid-from", "2027-01-15", "--consume", NS],
         "must state the handling of restricted information"),
        (["agreement", "add", "--number", "8/2026", "--participant", "MFCA00001",
          "--signed-on", "2026-05-01", "--valid-from", "2027-01-15",
          "--consume-service", "SID0000404"], "service SID0000404 is not registered"),
        (["agreement", "update", "7/2026", "--valid-to", "2025-01-01"], "is before valid_from"),
        (["agreement", "remove-kind", "7/2026", "--kind", NS], "has no consumer entry"),
        (["grant", "--participant", "MFCA00001", "--kind", NS], "must state the handling"),
    ]
    before = _snapshot()
    for argv, message in refusals:
        code, out, err = smev(*argv)
        assert code == 2 and out == "" and err.count("\n") == 1, (argv, err)
        assert message in err, (argv, err)
    assert _snapshot() == before
