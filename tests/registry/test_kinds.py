from __future__ import annotations

import pytest
from lxml import etree
from registry_samples import NS, ROOT, sample_xsd
from sqlalchemy import func, select

from smev_soap.registry import (
    PROVIDER,
    KindOfInformation,
    RegistryError,
    add_classified,
    add_kind,
    add_participant,
    compiled_schema,
    find_kind,
    find_kind_by_service,
    is_granted,
    list_kinds,
    registry_version,
    resolve_kind,
)

OTHER_NS = "urn://example.ru/kinds/other/1.0"


@pytest.fixture
def providers(database, make_certificate):
    with database.transaction() as session:
        for code in ("PFRS00001", "SOCZ00001", "SOCZ00002"):
            add_participant(session, code, f"Поставщик {code}", [make_certificate()], "op")


def test_kind_registration_and_lookups(database, providers):
    with database.transaction() as session:
        version = registry_version(session)
        add_kind(session, NS, ROOT, sample_xsd(), [("PFRS00001", None)], "op:ivanov",
                 name="Сведения о доходах", service_mnemonic="PFR_INCOME")
    with database.transaction() as session:
        kind = find_kind(session, NS, ROOT)
        assert kind.name == "Сведения о доходах"
        assert kind.strict_attachments is True and kind.multi_root is False
        assert [(p.participant_code, p.oktmo_prefix) for p in kind.providers] == [
            ("PFRS00001", None)]
        assert find_kind_by_service(session, "PFR_INCOME").id == kind.id
        assert find_kind(session, NS, "Other") is None
        assert find_kind_by_service(session, "NOPE") is None
        assert is_granted(session, "PFRS00001", kind, PROVIDER)
        assert resolve_kind(session, NS).id == kind.id
        assert [k.id for k in list_kinds(session)] == [kind.id]
        assert registry_version(session) == version + 1


def test_lenient_multi_root_kind_with_oktmo_providers(database, providers):
    with database.transaction() as session:
        kind = add_kind(session, NS, ROOT, sample_xsd(),
                        [("SOCZ00001", "07701"), ("SOCZ00002", "07")], "op",
                        strict_attachments=False, multi_root=True)
        assert kind.name == ROOT
        assert not kind.strict_attachments and kind.multi_root


def test_compiled_schema_validates_and_is_cached(database, providers):
    with database.transaction() as session:
        kind = add_kind(session, NS, ROOT, sample_xsd(), [("PFRS00001", None)], "op")
    schema = compiled_schema(kind)
    assert compiled_schema(kind) is schema
    good = etree.fromstring(f'<t:{ROOT} xmlns:t="{NS}"><t:Snils>1</t:Snils></t:{ROOT}>')
    bad = etree.fromstring(f'<t:{ROOT} xmlns:t="{NS}"><t:Inn>1</t:Inn></t:{ROOT}>')
    assert schema.validate(good) and not schema.validate(bad)
    changed = KindOfInformation(id=kind.id, xsd=kind.xsd.replace("Snils", "Inn"),
                                xsd_sha256="changed")
    assert compiled_schema(changed).validate(bad)


@pytest.mark.parametrize(
    ("namespace", "root", "xsd", "provider", "message"),
    [
        (NS, ROOT, "not xml at all", "PFRS00001", "not acceptable XML"),
        (NS, ROOT, "<a/>", "PFRS00001", "not xs:schema"),
        (NS, ROOT, sample_xsd().replace('type="xs:string"', 'type="t:Missing"'),
         "PFRS00001", "does not compile"),
        (NS, "Absent", sample_xsd(), "PFRS00001", "no global element 'Absent'"),
        (OTHER_NS, ROOT, sample_xsd(), "PFRS00001", "differs from the kind's namespace"),
        (NS, ROOT, sample_xsd(), "NONE00001", "unknown provider NONE00001"),
    ],
)
def test_bad_registrations_are_refused(database, providers, namespace, root, xsd, provider,
                                       message):
    with database.transaction() as session, pytest.raises(RegistryError, match=message):
        add_kind(session, namespace, root, xsd, [(provider, None)], "op")
    _assert_no_kinds(database)


def test_duplicates_and_provider_refusals(database, providers):
    with database.transaction() as session:
        add_kind(session, NS, ROOT, sample_xsd(), [("PFRS00001", None)], "op",
                 service_mnemonic="PFR_INCOME")
    refusals = [
        ((NS, ROOT, sample_xsd(), [("PFRS00001", None)]), {}, "already registered"),
        ((NS, "Other", sample_xsd(root="Other"), [("PFRS00001", None)]),
         {"service_mnemonic": "PFR_INCOME"}, "already taken"),
        ((OTHER_NS, ROOT, sample_xsd(OTHER_NS), []), {}, "at least one provider"),
        ((OTHER_NS, ROOT, sample_xsd(OTHER_NS), [("PFRS00001", "7a")]), {}, "not 1 to 11"),
        ((OTHER_NS, ROOT, sample_xsd(OTHER_NS), [("PFRS00001", None)] * 2), {}, "given twice"),
    ]
    for args, options, message in refusals:
        with database.transaction() as session, pytest.raises(RegistryError, match=message):
            add_kind(session, *args, "op", **options)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(KindOfInformation)) == 1


@pytest.mark.parametrize("classified_root", [None, ROOT])
def test_classified_kind_is_refused(database, providers, classified_root):
    with database.transaction() as session:
        add_classified(session, NS, classified_root, "op:security")
    with database.transaction() as session, pytest.raises(RegistryError, match="classified"):
        add_kind(session, NS, ROOT, sample_xsd(), [("PFRS00001", None)], "op")
    _assert_no_kinds(database)


def test_resolve_kind_needs_a_root_when_the_namespace_has_several(database, providers):
    with database.transaction() as session:
        add_kind(session, NS, ROOT, sample_xsd(), [("PFRS00001", None)], "op")
        add_kind(session, NS, "Other", sample_xsd(root="Other"), [("PFRS00001", None)], "op")
    with database.transaction() as session:
        with pytest.raises(RegistryError, match="several kinds"):
            resolve_kind(session, NS)
        assert resolve_kind(session, NS, "Other").root_element == "Other"
        with pytest.raises(RegistryError, match="no kind of information"):
            resolve_kind(session, OTHER_NS)


def _assert_no_kinds(database) -> None:
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(KindOfInformation)) == 0
