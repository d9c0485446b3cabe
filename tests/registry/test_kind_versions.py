"""Kinds of information: version, classification, scope, status; versions side by side."""

from __future__ import annotations

import pytest
from lxml import etree
from registry_samples import sample_xsd

from smev_soap.registry import (
    CONSUMER,
    PROVIDER,
    WITHDRAWN,
    RegistryError,
    add_kind,
    add_kind_version,
    add_participant,
    compiled_schema,
    find_kind,
    get_kind,
    grant,
    is_granted,
    registry_version,
    update_kind,
    withdraw_kind,
)

V1 = "urn://example.ru/kinds/income/1.0.0"
V11 = "urn://example.ru/kinds/income/1.1.0"


@pytest.fixture
def v1(database, make_certificate):
    with database.transaction() as session:
        add_participant(session, "PFRS00001", "ПФР", [make_certificate()], "op")
        add_participant(session, "MFCA00001", "МФЦ", [make_certificate()], "op")
        kind = add_kind(session, V1, "IncomeRequest", sample_xsd(V1, "IncomeRequest"),
                        [("PFRS00001", "07")], "op", name="Доходы", classification="restricted",
                        scope="federal", service_mnemonic="INCOME")
        assert (kind.version, kind.classification, kind.scope, kind.status) == (
            "1.0.0", "restricted", "federal", "active")
        return kind


def _payload(namespace: str) -> etree._Element:
    return etree.fromstring(f'<IncomeRequest xmlns="{namespace}"><Snils>1</Snils></IncomeRequest>')


def test_new_version_beside_the_old(database, v1):
    with database.transaction() as session:
        old = find_kind(session, V1, "IncomeRequest")
        update_kind(session, old, "op", classification="public")
        grant(session, "MFCA00001", old, CONSUMER, "op")
    with database.transaction() as session:
        old = find_kind(session, V1, "IncomeRequest")
        new = add_kind_version(session, old, V11, sample_xsd(V11, "IncomeRequest"), "op")
        assert (new.version, new.name, new.scope, new.service_mnemonic) == (
            "1.1.0", "Доходы", "federal", None)
        assert [(p.participant_code, p.oktmo_prefix) for p in new.providers] == [
            ("PFRS00001", "07")]
    with database.transaction() as session:
        old, new = find_kind(session, V1, "IncomeRequest"), find_kind(session, V11,
                                                                      "IncomeRequest")
        assert old.id != new.id
        # the old version's consumer and schema are untouched; the new one needs its own grant
        assert is_granted(session, "MFCA00001", old, CONSUMER)
        assert not is_granted(session, "MFCA00001", new, CONSUMER)
        assert is_granted(session, "PFRS00001", new, PROVIDER)
        assert compiled_schema(old).validate(_payload(V1))
        assert not compiled_schema(old).validate(_payload(V11))
        assert compiled_schema(new).validate(_payload(V11))
        with pytest.raises(RegistryError, match="needs its own namespace URI and version"):
            add_kind_version(session, old, V1 + "/x", sample_xsd(V1 + "/x", "IncomeRequest"),
                             "op", version="1.0.0")


def test_update_and_withdraw(database, v1):
    with database.transaction() as session:
        version = registry_version(session)
        kind = find_kind(session, V1, "IncomeRequest")
        update_kind(session, kind, "op", name="Сведения о доходах", scope="regional",
                    strict_attachments=False)
    with database.transaction() as session:
        kind = find_kind(session, V1, "IncomeRequest")
        assert (kind.name, kind.scope, kind.strict_attachments) == (
            "Сведения о доходах", "regional", False)
        withdraw_kind(session, kind, "op")
    with database.transaction() as session:
        assert find_kind(session, V1, "IncomeRequest") is None  # its traffic: RSMEV-303
        kind = get_kind(session, V1, "IncomeRequest")
        assert kind.status == WITHDRAWN
        assert not is_granted(session, "PFRS00001", kind, PROVIDER)
        assert registry_version(session) == version + 2
        with pytest.raises(RegistryError, match="already withdrawn"):
            withdraw_kind(session, kind, "op")
        with pytest.raises(RegistryError, match="is withdrawn"):
            grant(session, "MFCA00001", kind, CONSUMER, "op")
        with pytest.raises(RegistryError, match="already registered"):
            add_kind(session, V1, "IncomeRequest", sample_xsd(V1, "IncomeRequest"),
                     [("PFRS00001", None)], "op")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"classification": "state-secret"}, "state secret cannot be registered"),
    ({"classification": "secret"}, "classification must be one of"),
    ({"scope": "municipal"}, "scope must be one of"),
])
def test_kind_refusals(database, v1, kwargs, message):
    ns = "urn://example.ru/kinds/other/1.0"
    with database.transaction() as session:
        version = registry_version(session)
        with pytest.raises(RegistryError, match=message):
            add_kind(session, ns, "Doc", sample_xsd(ns, "Doc"), [("PFRS00001", None)], "op",
                     **kwargs)
        with pytest.raises(RegistryError, match=message):
            update_kind(session, find_kind(session, V1, "IncomeRequest"), "op", **kwargs)
        with pytest.raises(RegistryError, match="is not like 1.0"):
            add_kind(session, ns, "Doc", sample_xsd(ns, "Doc"), [("PFRS00001", None)], "op",
                     version="v2")
        assert registry_version(session) == version
