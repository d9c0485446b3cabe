"""The registry of electronic services: life cycle, lookups by mnemonic, health, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from registry_samples import NS, ROOT, sample_xsd

from smev_soap.registry import (
    ACTIVE,
    SUSPENDED,
    WITHDRAWN,
    RegistryError,
    add_kind,
    add_service,
    find_kind,
    find_kind_by_service,
    get_service,
    list_services,
    record_probe,
    registry_version,
    set_service_status,
    update_service,
)

WSDL = ('<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" '
        'targetNamespace="urn://example.ru/income"/>')


def test_service_life_cycle(database, kind):
    with database.transaction() as session:
        version = registry_version(session)
        assert find_kind_by_service(session, "INCOMESVC") is None
        add_service(session, "SID0003564", "INCOMESVC", "1.00", "Сведения о доходах",
                    "PFRS00001", "op", delivery="smev2-proxy",
                    endpoint_url="https://pfr.example.ru/income", wsdl=WSDL,
                    kinds=[find_kind(session, NS, ROOT)])
    with database.transaction() as session:
        service = get_service(session, "SID0003564")
        assert (service.mnemonic, service.version, service.delivery, service.status) == (
            "INCOMESVC", "1.00", "smev2-proxy", ACTIVE)
        assert [k.root_element for k in service.kinds] == [ROOT]
        assert find_kind_by_service(session, "INCOMESVC").id == kind.id
        update_service(session, "SID0003564", "op", delivery="queue", endpoint_url=None)
    with database.transaction() as session:
        service = get_service(session, "SID0003564")
        assert (service.delivery, service.endpoint_url) == ("queue", None)
        set_service_status(session, "SID0003564", SUSPENDED, "op", "регламентные работы")
    with database.transaction() as session:
        assert find_kind_by_service(session, "INCOMESVC") is None  # a suspended one: no route
        set_service_status(session, "SID0003564", ACTIVE, "op")
    with database.transaction() as session:
        assert find_kind_by_service(session, "INCOMESVC").id == kind.id
        set_service_status(session, "SID0003564", WITHDRAWN, "op", "заменён")
    with database.transaction() as session:
        assert registry_version(session) == version + 5
        with pytest.raises(RegistryError, match="withdrawn; register a new version"):
            set_service_status(session, "SID0003564", ACTIVE, "op")
        assert [s.sid for s in list_services(session, "PFRS00001")] == ["SID0003564"]


def test_health_probes_are_not_registry_changes(database, kind):
    with database.transaction() as session:
        add_service(session, "SID0000001", "INCOMESVC", "1", "Доходы", "PFRS00001", "op")
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    with database.transaction() as session:
        version = registry_version(session)
        record_probe(session, "SID0000001", False, 1200, "timeout", at=at)
    with database.transaction() as session:
        service = get_service(session, "SID0000001")
        assert (service.last_probe_at, service.last_probe_ok, service.last_latency_ms,
                service.last_probe_detail) == (at, False, 1200, "timeout")
        assert registry_version(session) == version


@pytest.mark.parametrize(("changes", "message"), [
    ({"sid": "SID123"}, "not SID followed by 7 digits"),
    ({"sid": "SID0000001"}, "SID0000001 is already registered"),
    ({"version": "1"}, "INCOMESVC version 1 is already registered as SID0000001"),
    ({"version": "one"}, "is not like 1"),
    ({"provider_code": "NONE00001"}, "unknown provider NONE00001"),
    ({"provider_code": "MFCA00001", "kinds": "KIND"}, "MFCA00001 is not a provider of"),
    ({"delivery": "email"}, "delivery must be one of"),
    ({"delivery": "push"}, "needs the provider's endpoint URL"),
    ({"delivery": "push", "endpoint_url": "ftp://x"}, "is not an http(s) URL"),
    ({"wsdl": "<definitions"}, "WSDL is not acceptable XML"),
    ({"wsdl": "<schema/>"}, "root element is not wsdl:definitions"),
    ({"name": " "}, "needs a mnemonic and a name"),
])
def test_service_refusals_change_nothing(database, kind, changes, message):
    with database.transaction() as session:
        add_service(session, "SID0000001", "INCOMESVC", "1", "Доходы", "PFRS00001", "op")
    arguments = {"sid": "SID0000002", "mnemonic": "INCOMESVC", "version": "2", "name": "Доходы",
                 "provider_code": "PFRS00001"} | changes
    if arguments.get("kinds") == "KIND":
        arguments["kinds"] = [kind]
    with database.transaction() as session:
        version = registry_version(session)
        with pytest.raises(RegistryError, match=message.replace("(", r"\(").replace(")", r"\)")):
            add_service(session, actor="op", **arguments)
        assert registry_version(session) == version


def test_a_kind_mnemonic_belongs_to_its_kind(database, kind):
    ns = "urn://example.ru/kinds/other/1.0"
    with database.transaction() as session:
        other = add_kind(session, ns, "Doc", sample_xsd(ns, "Doc"), [("PFRS00001", None)], "op",
                         service_mnemonic="OTHER")
        with pytest.raises(RegistryError, match="belongs to kind"):
            add_service(session, "SID0000009", "OTHER", "1", "X", "PFRS00001", "op",
                        kinds=[kind])
        add_service(session, "SID0000009", "OTHER", "1", "X", "PFRS00001", "op", kinds=[other])
        add_service(session, "SID0000010", "INCOMESVC", "1", "X", "PFRS00001", "op")
        with pytest.raises(RegistryError, match="already taken by service SID0000010"):
            add_kind(session, "urn://x/1.0", "X", sample_xsd("urn://x/1.0", "X"),
                     [("PFRS00001", None)], "op", service_mnemonic="INCOMESVC")
