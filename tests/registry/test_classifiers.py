"""Classifiers (НСИ, R14): versioned imports, changes since a version, exports, refusals."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from smev_soap.journal import JournalEvent
from smev_soap.registry import RegistryError, registry_version
from smev_soap.registry.classifier_export import export_classifier
from smev_soap.registry.classifier_import import import_classifier
from smev_soap.registry.classifiers import (
    classifier_items,
    classifier_versions,
    list_classifiers,
)
from smev_soap.registry.reference_models import ClassifierItem, ClassifierStaging

V1 = """code,value,parent_code,valid_from,valid_to,level
07000000,Муниципальные образования края,,2014-01-01,,субъект
07650000,Советский район,07000000,2014-01-01,,район
07658000,Шпаковский район,07000000,2014-01-01,,район
07701000,город Ставрополь,07000000,2014-01-01,,округ
"""
V2 = """code,value,parent_code,valid_from,valid_to,level
07000000,Муниципальные образования края,,2014-01-01,,субъект
07650000,Советский муниципальный округ,07000000,2014-01-01,,округ
07701000,город Ставрополь,07000000,2014-01-01,,округ
07701000001,г Ставрополь,07701000,2014-01-01,2030-12-31,населённый пункт
"""


def _import(session, text: str | bytes, fmt: str = "csv", name: str = "OKTMO", **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_classifier(session, name, io.BytesIO(data), fmt, "tester", **kwargs)


def _export(session, fmt: str, name: str = "OKTMO", since: int | None = None) -> bytes:
    out = io.BytesIO()
    export_classifier(session, name, fmt, out, since)
    return out.getvalue()


def _codes(session, name: str = "OKTMO", since: int | None = None) -> list[tuple]:
    return [(e.change, e.code) for e in classifier_items(session, name, since).items]


def test_life_cycle_versions_and_changes_since(database):
    with database.transaction() as session:
        first = _import(session, V1, title="ОКТМО (фрагмент)")
    with database.transaction() as session:
        second = _import(session, V2)
    assert (first.version, first.items, first.added) == (1, 4, 4)
    assert (second.version, second.items, second.added, second.changed, second.removed) == (
        2, 4, 1, 1, 1)
    with database.transaction() as session:
        [classifier] = list_classifiers(session)
        assert (classifier.name, classifier.title, classifier.current_version) == (
            "OKTMO", "ОКТМО (фрагмент)", 2)
        assert [v.version for v in classifier_versions(session, "OKTMO")] == [1, 2]
        current = classifier_items(session, "OKTMO")
        assert current.version == 2 and current.since_version is None
        city = current.items[-1]
        assert (city.code, city.parent_code, city.valid_from, city.valid_to, city.attributes) == (
            "07701000001", "07701000", date(2014, 1, 1), date(2030, 12, 31),
            {"level": "населённый пункт"})
        assert _codes(session, since=1) == [
            ("changed", "07650000"), ("removed", "07658000"), ("added", "07701000001")]
        removed = classifier_items(session, "OKTMO", 1).items[1]
        assert removed.value == "Шпаковский район"  # as it was last
        assert _codes(session, since=2) == []
        assert _codes(session, since=0) == [("added", c) for _, c in _codes(session)]
        with pytest.raises(RegistryError, match="versions 0 to 2"):
            classifier_items(session, "OKTMO", 3)
        assert registry_version(session) == 2
        details = list(session.scalars(select(JournalEvent.detail).order_by(JournalEvent.id)))
        assert details[-1] == "classifier OKTMO version 2 imported: 4 items, +1 ~1 -1"


def test_an_item_back_to_its_old_state_is_no_change(database):
    with database.transaction() as session:
        _import(session, V1)
    with database.transaction() as session:
        _import(session, V1.replace("Шпаковский район", "Шпаковский округ"))
    with database.transaction() as session:
        third = _import(session, V1)
        assert (third.added, third.changed, third.removed) == (0, 1, 0)
        assert _codes(session, since=1) == []
        assert _codes(session, since=2) == [("changed", "07658000")]


def test_reimporting_the_same_content_changes_nothing_but_the_version(database):
    with database.transaction() as session:
        _import(session, V1)
        again = _import(session, V1)
        assert (again.version, again.added, again.changed, again.removed) == (2, 0, 0, 0)
        rows = session.scalar(select(func.count()).select_from(ClassifierItem))
        assert rows == 4


def test_xml_import_equals_csv_import(database):
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<Classifier xmlns="urn://smev-soap/classifier/1.0" name="OKTMO">
  <Title>ОКТМО</Title>
  <Item code="07000000" validFrom="2014-01-01"><Value>Муниципальные образования края</Value>
    <Attribute name="level">субъект</Attribute></Item>
  <Item code="07650000" parent="07000000" validFrom="2014-01-01"><Value>Советский район</Value>
    <Attribute name="level">район</Attribute></Item>
  <Item code="07658000" parent="07000000" validFrom="2014-01-01"><Value>Шпаковский район</Value>
    <Attribute name="level">район</Attribute></Item>
  <!-- a comment is fine -->
  <Item code="07701000" parent="07000000" validFrom="2014-01-01"><Value>город Ставрополь</Value>
    <Attribute name="level">округ</Attribute></Item>
</Classifier>"""
    with database.transaction() as session:
        _import(session, V1, name="FROM_CSV")
        _import(session, xml.replace('name="OKTMO"', 'name="FROM_XML"'), "xml", "FROM_XML")
        assert (classifier_items(session, "FROM_CSV").items
                == classifier_items(session, "FROM_XML").items)
        assert list_classifiers(session)[1].title == "ОКТМО"


@pytest.mark.parametrize("fmt", ["csv", "xml"])
def test_export_then_import_round_trip(database, fmt):
    with database.transaction() as session:
        _import(session, V2, title="ОКТМО")
        exported = _export(session, fmt)
        _import(session, exported, fmt)  # the same content: a version without changes
        assert classifier_items(session, "OKTMO", 1).items == []
        if fmt == "csv":
            _import(session, exported, fmt, name="COPY")
            assert classifier_items(session, "COPY").items == classifier_items(
                session, "OKTMO").items


def test_json_and_change_exports(database):
    with database.transaction() as session:
        _import(session, V1)
        _import(session, V2)
        body = json.loads(_export(session, "json", since=1))
        assert (body["name"], body["version"], body["since"]) == ("OKTMO", 2, 1)
        assert [(i["change"], i["code"]) for i in body["items"]] == _codes(session, since=1)
        assert body["items"][2]["valid_to"] == "2030-12-31"
        changes = _export(session, "xml", since=1)
        assert b'since="1"' in changes and b'change="removed"' in changes
        with pytest.raises(RegistryError, match="list of changes"):
            _import(session, changes, "xml")
        csv_changes = _export(session, "csv", since=1).decode()
        assert csv_changes.splitlines()[0].endswith(",change")


CNS = "urn://smev-soap/classifier/1.0"
ITEM_A = "<Item code='A'><Value>a</Value></Item>"
ITEM_E = "<Item code='A'><Value>&e;</Value></Item>"
BAD_ROW = V2.replace("2030-12-31", "31.12.2030")
MALFORMED = [
    ("csv", V2 + "0702,Лишняя,,,,,лишнее поле\n", "7 fields, the header has 6"),
    ("csv", BAD_ROW, "line 5: '31.12.2030' is not a date"),
    ("csv", V2.replace("07701000001", "07650000"), "code 07650000 appears more than once"),
    ("csv", V2.replace("code,value", "code,title"), "missing column(s) value"),
    ("csv", V2.replace(",07701000,", ",09999999,"), "parent code 09999999 is not in the file"),
    ("csv", V2.replace("2014-01-01,2030", "2031-01-01,2030"), "valid from 2031-01-01 after"),
    ("csv", "code,value\n", "holds no items"),
    ("csv", b"code,value\nA,\xff\xfe\n", "not readable CSV"),
    ("xml", f"<Classifier xmlns='{CNS}'>{ITEM_A}<Item code='B'><Value>b</Value>",
     "invalid XML"),
    ("xml", f"<Classifier xmlns='{CNS}'>{ITEM_A}<Item code='B'/></Classifier>",
     "Missing child element"),
    ("xml", f"<Classifier xmlns='{CNS}'>{ITEM_A}<Other/></Classifier>", "unexpected element"),
    ("xml", f"<!DOCTYPE x [<!ENTITY e 'boom'>]><Classifier xmlns='{CNS}'>{ITEM_E}</Classifier>",
     "DOCTYPE"),
    ("xml", "<Classifier xmlns='urn://example'/>", "root element"),
    ("xml", "<Classifier xmlns='urn://smev-soap/classifier/1.0' name='OTHER'/>",
     "the file is classifier OTHER"),
]


@pytest.mark.parametrize(("fmt", "text", "message"), MALFORMED)
def test_a_malformed_file_leaves_the_registry_unchanged(database, fmt, text, message):
    with database.transaction() as session:
        _import(session, V1)
        before = (_export(session, "json"), registry_version(session),
                  session.scalar(select(func.count()).select_from(JournalEvent)))
    with pytest.raises(RegistryError) as refused, database.transaction() as session:
        _import(session, text, fmt)
    assert message in str(refused.value)
    with database.transaction() as session:
        assert (_export(session, "json"), registry_version(session),
                session.scalar(select(func.count()).select_from(JournalEvent))) == before
        assert [v.version for v in classifier_versions(session, "OKTMO")] == [1]
        assert session.scalar(select(func.count()).select_from(ClassifierStaging)) == 0


def test_a_malformed_first_import_creates_no_classifier(database):
    with pytest.raises(RegistryError), database.transaction() as session:
        _import(session, BAD_ROW)
    with database.transaction() as session:
        assert list_classifiers(session) == []


def test_unknown_classifier_and_format_are_refused(database):
    with database.transaction() as session:
        with pytest.raises(RegistryError, match="not registered"):
            classifier_items(session, "NONE")
        with pytest.raises(RegistryError, match="format"):
            _import(session, V1, "xlsx")
        with pytest.raises(RegistryError, match="name"):
            _import(session, V1, name=" ")
