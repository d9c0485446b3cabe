import re

from smev_soap.errors import CODES, FAULT, SmevRefusal, markdown_table


def test_codes_are_well_formed_and_classified_by_hundreds():
    allowed = {"INVALID", "REJECT", "FAILURE", FAULT}
    for code, error in CODES.items():
        assert re.fullmatch(r"RSMEV-\d{3}", code)
        assert error.status in allowed
        assert error.ru and error.en and error.ru != error.en
        if error.status == FAULT:
            assert code.startswith("RSMEV-1")


def test_refusal_carries_its_registered_texts():
    refusal = SmevRefusal("RSMEV-301", "participant MFCR00001")
    assert refusal.code == "RSMEV-301" and refusal.error.status == "REJECT"
    assert not refusal.is_fault and "MFCR00001" in str(refusal)


def test_readme_table_lists_every_code():
    table = markdown_table()
    assert all(code in table for code in CODES)


def test_readme_error_table_is_current():
    from smev_soap.readme import render
    from smev_soap.resources import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render(readme) == readme, "run: python -m smev_soap.readme"
