"""Data types and attributes (R3): life cycle, attributes derived from a kind's XSD, exchange."""

from __future__ import annotations

import json

import pytest
from registry_samples import new_certificate
from sqlalchemy import func, select

from smev_soap.journal import JournalEvent
from smev_soap.registry import RegistryError, add_kind, add_participant, registry_version
from smev_soap.registry.attributes import derive_attributes, edit_attribute, kind_attributes
from smev_soap.registry.datatype_exchange import export_datatypes, import_datatypes
from smev_soap.registry.datatypes import (
    DataTypeSpec,
    add_datatype,
    get_datatype,
    list_datatypes,
    update_datatype,
)
from smev_soap.resources import XSD_DIR

DEMO_NS = "urn://smev-soap/demo/social-payments/1.0.0"
DEMO_XSD = (XSD_DIR / "demo" / "social-payments-1.0.0.xsd").read_text(encoding="utf-8")
SNILS = f"{{{DEMO_NS}}}SnilsType"
PERSON = f"{{{DEMO_NS}}}PersonType"

DEMO_ATTRIBUTES = [
    ("PaymentsRequest", None, True, False),
    ("PaymentsRequest/Person", PERSON, True, False),
    ("PaymentsRequest/Person/FamilyName", "xs:string", True, False),
    ("PaymentsRequest/Person/FirstName", "xs:string", True, False),
    ("PaymentsRequest/Person/Patronymic", "xs:string", False, False),
    ("PaymentsRequest/Person/BirthDate", "xs:date", True, False),
    ("PaymentsRequest/Person/Snils", SNILS, True, False),
    ("PaymentsRequest/PeriodFrom", "xs:date", True, False),
    ("PaymentsRequest/PeriodTo", "xs:date", True, False),
    ("PaymentsRequest/@Id", "xs:ID", False, False),
]


def _demo_kind(session, root: str = "PaymentsRequest"):
    add_participant(session, "SZNR00001", "Министерство", [new_certificate()], "tester")
    return add_kind(session, DEMO_NS, root, DEMO_XSD, [("SZNR00001", None)], "tester")


def _rows(session, kind) -> list[tuple]:
    return [(a.path, a.type_name, a.required, a.multiple)
            for a in kind_attributes(session, kind)]


def test_data_type_life_cycle(database):
    with database.transaction() as session:
        add_datatype(session, DataTypeSpec("Snils", "xs:string", r"\d{11}", 11, 11,
                                           "СНИЛС"), "tester")
        with pytest.raises(RegistryError, match="already registered"):
            add_datatype(session, DataTypeSpec("Snils", "xs:string"), "tester")
        update_datatype(session, DataTypeSpec("Snils", "xs:token", r"\d{11}", 11, 11,
                                              "Страховой номер"), "tester")
        row = get_datatype(session, "Snils")
        assert (row.base_type, row.description, row.changed_by) == (
            "xs:token", "Страховой номер", "tester")
        assert [t.name for t in list_datatypes(session)] == ["Snils"]
        assert registry_version(session) == 2


@pytest.mark.parametrize(("spec", "message"), [
    (DataTypeSpec("", "xs:string"), "name must be"),
    (DataTypeSpec("T", " "), "base type"),
    (DataTypeSpec("T", "xs:string", min_length=-1), "negative"),
    (DataTypeSpec("T", "xs:string", min_length=5, max_length=2), "exceeds"),
    (DataTypeSpec("T", "xs:string", pattern="[a-"), "not an XSD pattern"),
    (DataTypeSpec("T", "xs:string", pattern=r"(?i)abc"), "not an XSD pattern"),
])
def test_bad_data_types_are_refused(database, spec, message):
    with pytest.raises(RegistryError, match=message), database.transaction() as session:
        add_datatype(session, spec, "tester")
    with pytest.raises(RegistryError, match="not registered"), \
            database.transaction() as session:
        update_datatype(session, DataTypeSpec("Missing", "xs:string"), "tester")


def test_attributes_of_the_demo_kind_are_derived_from_its_xsd(database):
    with database.transaction() as session:
        kind = _demo_kind(session)
        derive_attributes(session, kind)
        assert _rows(session, kind) == DEMO_ATTRIBUTES
        snils = get_datatype(session, SNILS)
        # derived when the kind was registered, in the name of who registered it
        assert (snils.base_type, snils.pattern, snils.changed_by) == ("xs:string", r"\d{11}",
                                                                      "tester")


def test_derived_attributes_of_a_repeated_element_and_edits(database):
    with database.transaction() as session:
        kind = _demo_kind(session, "PaymentsResponse")
        derive_attributes(session, kind)
        assert _rows(session, kind) == [
            ("PaymentsResponse", None, True, False),
            ("PaymentsResponse/Snils", SNILS, True, False),
            ("PaymentsResponse/Payment", None, False, True),
            ("PaymentsResponse/Payment/Measure", "xs:string", True, False),
            ("PaymentsResponse/Payment/Month", "xs:gYearMonth", True, False),
            ("PaymentsResponse/Payment/Amount", "xs:decimal", True, False),
        ]
        edit_attribute(session, kind, "PaymentsResponse/Payment/Amount", "tester",
                       description="Сумма выплаты, руб.", required=False)
        derive_attributes(session, kind)  # again: the operator's description survives
        amount = kind_attributes(session, kind)[-1]
        assert (amount.description, amount.required) == ("Сумма выплаты, руб.", True)
        with pytest.raises(RegistryError, match="no attribute"):
            edit_attribute(session, kind, "PaymentsResponse/Nothing", "tester", required=True)


RICH_NS = "urn://example.ru/rich/1.0"
RICH_XSD = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="{RICH_NS}"
    targetNamespace="{RICH_NS}" elementFormDefault="qualified">
  <xs:simpleType name="Code"><xs:annotation><xs:documentation>Код</xs:documentation>
    </xs:annotation><xs:restriction base="xs:string"><xs:length value="4"/></xs:restriction>
  </xs:simpleType>
  <xs:complexType name="Base"><xs:sequence><xs:element name="Id" type="t:Code"/></xs:sequence>
    <xs:attribute name="lang" type="xs:language" use="required"/></xs:complexType>
  <xs:complexType name="Node"><xs:complexContent><xs:extension base="t:Base">
    <xs:sequence><xs:element name="Child" type="t:Node" minOccurs="0"/></xs:sequence>
  </xs:extension></xs:complexContent></xs:complexType>
  <xs:group name="Contact"><xs:choice><xs:element name="Phone" type="xs:string"/>
    <xs:element name="Email" type="xs:string"/></xs:choice></xs:group>
  <xs:element name="Note" type="xs:string"/>
  <xs:element name="Root"><xs:complexType><xs:sequence>
    <xs:element name="Tree" type="t:Node"/>
    <xs:group ref="t:Contact"/>
    <xs:element ref="t:Note" maxOccurs="3"/>
    <xs:element name="Size"><xs:annotation><xs:documentation>Размер</xs:documentation>
      </xs:annotation><xs:simpleType><xs:restriction base="xs:int"/></xs:simpleType>
    </xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>"""


def test_derivation_follows_extensions_groups_refs_and_stops_on_recursion(database):
    with database.transaction() as session:
        add_participant(session, "PROV00001", "Поставщик", [new_certificate()], "tester")
        kind = add_kind(session, RICH_NS, "Root", RICH_XSD, [("PROV00001", None)], "tester")
        attributes = derive_attributes(session, kind)
        node = f"{{{RICH_NS}}}Node"
        assert [(a.path, a.type_name, a.required, a.multiple) for a in attributes] == [
            ("Root", None, True, False),
            ("Root/Tree", node, True, False),
            ("Root/Tree/Id", f"{{{RICH_NS}}}Code", True, False),
            ("Root/Tree/@lang", "xs:language", True, False),
            ("Root/Tree/Child", node, False, False),
            ("Root/Phone", "xs:string", False, False),
            ("Root/Email", "xs:string", False, False),
            ("Root/Note", "xs:string", True, True),
            ("Root/Size", "xs:int", True, False),
        ]
        assert attributes[-1].description == "Размер"
        code = get_datatype(session, f"{{{RICH_NS}}}Code")
        assert (code.min_length, code.max_length, code.description) == (4, 4, "Код")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_export_import_round_trip(database, fmt):
    with database.transaction() as session:
        kind = _demo_kind(session)
        derive_attributes(session, kind)
        add_datatype(session, DataTypeSpec("Oktmo", "xs:string", r"\d{8}(\d{3})?", 8, 11,
                                           "Код ОКТМО"), "tester")
        edit_attribute(session, kind, "PaymentsRequest/Person/Snils", "tester",
                       description="СНИЛС получателя")
        exported = export_datatypes(session, fmt)
        before = _rows(session, kind), [(t.name, t.pattern) for t in list_datatypes(session)]
        # another system's registry: our export replaces its attributes and adds the types
        edit_attribute(session, kind, "PaymentsRequest/Person/Snils", "tester", description="")
        update_datatype(session, DataTypeSpec("Oktmo", "xs:string"), "tester")
        assert import_datatypes(session, exported, fmt, "tester") == (1, 1)
        after = _rows(session, kind), [(t.name, t.pattern) for t in list_datatypes(session)]
        assert after == before
        assert kind_attributes(session, kind)[6].description == "СНИЛС получателя"
        assert export_datatypes(session, fmt) == exported
    if fmt == "json":
        body = json.loads(exported)
        assert body["format"] == "smev-soap-datatypes/1.0"
        assert body["kinds"][0]["attributes"][0]["path"] == "PaymentsRequest"


DT = "<DataTypeRegistry xmlns='urn://smev-soap/registry/datatypes/1.0'>{}</DataTypeRegistry>"
JS = '{{"format": "smev-soap-datatypes/1.0", "dataTypes": [{}]}}'
TYPE_A = "<DataType name='A' base='xs:string'/>"
BAD_IMPORTS = [
    ("xml", DT.format("<DataType name='A'/>"), "does not match"),
    ("xml", "<DataTypeRegistry", "not acceptable XML"),
    ("xml", DT.format(TYPE_A + "<DataType name='A' base='xs:int'/>"), "does not match"),
    ("xml", DT.format(TYPE_A + "<Kind namespace='urn:none' root='R'/>"), "is not registered"),
    ("json", JS.format('{"name": "A"}'), "'baseType' is required"),
    ("json", '{"format": "other"}', "not a smev-soap-datatypes/1.0 document"),
    ("json", JS.format('{"name": "A", "baseType": "xs:string", "minLength": "1"}'),
     "'minLength' must be a int"),
    ("json", JS.format('{"name": "A", "baseType": "xs:string", "pattern": "[x-"}'),
     "not an XSD pattern"),
    ("json", "{", "not JSON"),
    ("json", JS.format('{"name": "A", "baseType": "xs:string"}, '
                       '{"name": "A", "baseType": "xs:int"}'), "given twice"),
]


@pytest.mark.parametrize(("fmt", "data", "message"), BAD_IMPORTS)
def test_a_bad_import_changes_nothing(database, fmt, data, message):
    with database.transaction() as session:
        add_datatype(session, DataTypeSpec("Keep", "xs:string"), "tester")
    with pytest.raises(RegistryError, match=message), database.transaction() as session:
        import_datatypes(session, data.encode(), fmt, "tester")
    with database.transaction() as session:
        assert [t.name for t in list_datatypes(session)] == ["Keep"]
        assert session.scalar(select(func.count()).select_from(JournalEvent)) == 1
