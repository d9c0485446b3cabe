"""``smev-soap classifier import|list|show|export``."""

from __future__ import annotations

import json

from reference_cli import smev  # noqa: F401 (fixture)

V1 = "code,value,parent_code\n07000000,Край,\n07701000,город Ставрополь,07000000\n"
V2 = "code,value,parent_code\n07000000,Край,\n07650000,Советский округ,07000000\n"


def test_import_list_show_export(smev, tmp_path):  # noqa: F811
    first, second = tmp_path / "v1.csv", tmp_path / "v2.csv"
    first.write_text(V1, encoding="utf-8")
    second.write_text(V2, encoding="utf-8")
    code, out, err = smev("classifier", "import", "--name", "OKTMO", "--format", "csv",
                          "--title", "ОКТМО", first)
    assert code == 0, err
    assert out == "classifier OKTMO version 1: 2 items, 2 added, 0 changed, 0 removed\n"
    assert err.startswith("\r[") and err.endswith("] 100% 2 rows\n")
    assert smev("classifier", "import", "--name", "OKTMO", "--format", "csv", second)[0] == 0
    assert smev("classifier", "list")[1] == "OKTMO\tversion 2\tОКТМО\n"
    assert smev("classifier", "show", "OKTMO")[1] == (
        "OKTMO version 2\n07000000\tКрай\t\n07650000\tСоветский округ\t07000000\n")
    assert smev("classifier", "show", "OKTMO", "--since-version", "1")[1] == (
        "OKTMO version 2, changes since 1\nadded\t07650000\tСоветский округ\t07000000\n"
        "removed\t07701000\tгород Ставрополь\t07000000\n")
    code, out, _ = smev("classifier", "export", "OKTMO", "--format", "json")
    assert [i["code"] for i in json.loads(out)["items"]] == ["07000000", "07650000"]
    target = tmp_path / "oktmo.xml"
    assert smev("classifier", "export", "OKTMO", "--format", "xml", "--output", target)[0] == 0
    code, out, _ = smev("classifier", "import", "--name", "OKTMO", "--format", "xml", target)
    assert out == "classifier OKTMO version 3: 2 items, 0 added, 0 changed, 0 removed\n"


def test_refusals_exit_2_and_write_nothing(smev, tmp_path):  # noqa: F811
    bad = tmp_path / "bad.csv"
    bad.write_text(V1 + "07701000,дубль,\n", encoding="utf-8")
    code, out, err = smev("classifier", "import", "--name", "OKTMO", "--format", "csv", bad)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == "smev-soap: code 07701000 appears more than once"
    assert smev("classifier", "list")[1] == ""
    code, _, err = smev("classifier", "import", "--name", "X", "--format", "csv",
                        tmp_path / "missing.csv")
    assert code == 2 and err.startswith("smev-soap: cannot read") and err.count("\n") == 1
    assert smev("classifier", "show", "NONE")[2] == "smev-soap: classifier NONE is not registered\n"
    code, _, err = smev("classifier", "export", "NONE", "--format", "csv",
                        "--output", tmp_path / "none.csv")
    assert code == 2 and not (tmp_path / "none.csv").exists()
    assert not (tmp_path / "none.csv.part").exists()
