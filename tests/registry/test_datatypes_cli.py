"""``smev-soap datatype add|update|list|show|export|import|attributes|set-attribute``."""

from __future__ import annotations

import json

from reference_cli import smev  # noqa: F401 (fixture)
from registry_samples import new_certificate

from smev_soap.resources import XSD_DIR

DEMO_NS = "urn://smev-soap/demo/social-payments/1.0.0"


def _demo_kind(smev, tmp_path) -> None:  # noqa: F811
    cert = tmp_path / "szn.pem"
    cert.write_bytes(new_certificate().to_pem())
    assert smev("participant", "add", "--code", "SZNR00001", "--name", "СЗН", "--cert", cert)[0] == 0
    code, _, err = smev("kind", "add", "--namespace", DEMO_NS, "--root", "PaymentsRequest",
                        "--xsd", XSD_DIR / "demo" / "social-payments-1.0.0.xsd",
                        "--provider", "SZNR00001")
    assert code == 0, err


def test_data_type_commands(smev, tmp_path):  # noqa: F811
    code, out, err = smev("datatype", "add", "Oktmo", "--base", "xs:string", "--pattern",
                          r"\d{8}(\d{3})?", "--min-length", "8", "--max-length", "11",
                          "--description", "Код ОКТМО")
    assert (code, out) == (0, "data type Oktmo registered\n"), err
    assert smev("datatype", "update", "Oktmo", "--description", "ОКТМО")[0] == 0
    assert smev("datatype", "list")[1] == "Oktmo\txs:string\tОКТМО\n"
    shown = smev("datatype", "show", "Oktmo")[1].splitlines()
    assert shown[:5] == ["name:\tOktmo", "base:\txs:string", "pattern:\t\\d{8}(\\d{3})?",
                         "min length:\t8", "max length:\t11"]
    code, _, err = smev("datatype", "add", "Oktmo", "--base", "xs:string")
    assert (code, err) == (2, "smev-soap: data type Oktmo is already registered\n")
    code, _, err = smev("datatype", "add", "Bad", "--base", "xs:string", "--pattern", "[")
    assert code == 2 and "not an XSD pattern" in err


def test_attributes_and_exchange_commands(smev, tmp_path):  # noqa: F811
    _demo_kind(smev, tmp_path)
    code, out, _ = smev("datatype", "attributes", DEMO_NS, "PaymentsRequest", "--derive")
    lines = out.splitlines()
    assert lines[0] == "PaymentsRequest\t(complex)\trequired\t"
    assert "PaymentsRequest/Person/Patronymic\txs:string\toptional\t" in lines
    assert smev("datatype", "set-attribute", DEMO_NS, "PaymentsRequest",
                "PaymentsRequest/Person/Patronymic", "--required",
                "--description", "Отчество")[0] == 0
    out = smev("datatype", "attributes", DEMO_NS, "PaymentsRequest")[1]
    assert "PaymentsRequest/Person/Patronymic\txs:string\trequired\tОтчество" in out.splitlines()
    exported = tmp_path / "types.json"
    assert smev("datatype", "export", "--format", "json", "--output", exported)[0] == 0
    body = json.loads(exported.read_text(encoding="utf-8"))
    assert body["dataTypes"][0]["name"] == f"{{{DEMO_NS}}}SnilsType"
    xml = smev("datatype", "export", "--format", "xml")[1]
    assert xml.startswith("<?xml") and "Отчество" in xml
    code, out, _ = smev("datatype", "import", "--format", "json", exported)
    assert (code, out) == (0, "0 data type(s) changed, attributes of 1 kind(s) replaced\n")
    code, _, err = smev("datatype", "attributes", "urn:none", "Root")
    assert (code, err) == (2, "smev-soap: kind {urn:none}Root is not registered\n")
    bad = tmp_path / "bad.xml"
    bad.write_text("<DataTypeRegistry/>", encoding="utf-8")
    code, _, err = smev("datatype", "import", "--format", "xml", bad)
    assert code == 2 and "does not match" in err
