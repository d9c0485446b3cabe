"""The registry service (``/smev/registry``) in-process: every operation, its refusals, and every
answer's AppData against ``xsd/smev-soap-registry.xsd`` (checked by ``Harness.call``)."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from lxml import etree
from service_tools import REGISTRY_XSD, assert_fault, assert_refused, fault_of, journal

from smev_soap import registry
from smev_soap.client import Answer, Participant
from smev_soap.demo import DEMO_AGENCY, DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT, DEMO_MFC
from smev_soap.envelope.model import Status, TypeCode
from smev_soap.errors import CODES
from smev_soap.registry import CONSUMER, PROVIDER, RESTRICTED
from smev_soap.registry.applications import (
    RequestedKind,
    approve_application,
    get_application,
    refuse_application,
)
from smev_soap.registry.classifier_import import import_classifier
from smev_soap.registry.datatypes import list_datatypes
from smev_soap.service.app import SingleService
from smev_soap.service.registry_appdata import (
    KindRef,
    application,
    application_query,
    classifier_query,
    kind_query,
)
from smev_soap.service.registry_service import RegistryService

R = "{urn://smev-soap/registry/1.0}"
DEMO = KindRef(DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT)
RESTRICTED_KIND = KindRef("urn://example.org/restricted/1.0.0", "CaseFile")
RESTRICTED_XSD = (f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                  f'targetNamespace="{RESTRICTED_KIND.namespace}" elementFormDefault="qualified">'
                  '<xs:element name="CaseFile" type="xs:string"/></xs:schema>')
APPLICANT = "NEWS00001"
ACTOR = "test"


@pytest.fixture
def reg(harness):
    """The gateway serving the registry service; the demo МФЦ and agency as its callers."""
    return harness.facing(RegistryService)


def ask(reg, who: Participant, operation: str, parameters: etree._Element | None = None
        ) -> Answer:
    """A control call (PING) with ``parameters`` in AppData; the answer verified and valid."""
    answer = reg.call(who.control(operation, app_data=[] if parameters is None else [parameters]))
    assert answer.message.recipient.code == who.code
    assert answer.parsed.operation_qname.text == \
        f"{{{reg.gateway.settings.registry_namespace}}}{operation}Response"
    return answer


def result_of(answer: Answer, name: str) -> etree._Element:
    """The single ``reg:name`` in a RESULT's AppData."""
    assert answer.status is Status.RESULT, (answer.error_code, answer.error_texts)
    elements = list(answer.parsed.app_data)
    assert [e.tag for e in elements] == [R + name]
    return elements[0]


def texts(parent: etree._Element, path: str) -> list[str]:
    return [e.text for e in parent.iterfind(path.replace("reg:", R))]


def applicant(reg, pki, code: str = APPLICANT, pair=None) -> Participant:
    key, cert = pair or pki.foreign
    return Participant(code, "Новая система", key, cert, tns=reg.mfc.tns, gateway=reg.mfc.gateway)


def application_of(*kinds: RequestedKind) -> etree._Element:
    return application("ГБУ «Новая организация»", "ИС учёта обращений", "regional",
                       "it@example.org, +7 800 000-00-00",
                       kinds or [RequestedKind(DEMO.namespace, DEMO.root, CONSUMER)])


def apply(reg, who: Participant, parameters: etree._Element | None = None,
          status: Status = Status.REQUEST) -> Answer:
    parameters = application_of() if parameters is None else parameters
    return reg.call(who.envelope("SubmitApplication", status, type_code=TypeCode.OTHR,
                                 exchange_type="0", app_data=[parameters]))


def add_restricted_kind(reg) -> None:
    with reg.gateway.database.transaction() as session:
        registry.add_kind(session, RESTRICTED_KIND.namespace, RESTRICTED_KIND.root, RESTRICTED_XSD,
                          [(DEMO_AGENCY.code, None)], ACTOR, name="Материалы дела",
                          classification=RESTRICTED)


def grant_restricted_kind(reg, code: str) -> None:
    with reg.gateway.database.transaction() as session:
        number = registry.current_agreement(session, code).number
        registry.update_agreement(session, number, ACTOR, restricted_handling="приказ № 1-ДСП")
        kind = registry.find_kind(session, RESTRICTED_KIND.namespace, RESTRICTED_KIND.root)
        registry.add_agreement_kind(session, number, kind, CONSUMER, ACTOR)


# ----------------------------------------------------------------------- WSDL and schemas


def get(reg, query: str) -> tuple[str, bytes]:
    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": query, "PATH_INFO": "/smev/registry"}
    seen: list[str] = []
    body = b"".join(reg.app(environ, lambda status, headers: seen.append(status)))
    return seen[0], body


def test_wsdl_and_registry_schema_are_served(reg):
    status, wsdl = get(reg, "wsdl")
    assert status.startswith("200")
    root = etree.fromstring(wsdl)
    assert root.get("targetNamespace") == "urn://smev-soap/registry/1.0"
    location = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address").get("location")
    assert location.endswith("/smev/registry")
    status, xsd = get(reg, "xsd=smev-soap-registry.xsd")
    assert status.startswith("200") and xsd == REGISTRY_XSD.read_bytes()
    assert get(reg, "xsd=../config.py")[0].startswith("404")


# -------------------------------------------------------------------------- ListAvailable


def test_list_available_is_what_the_agreement_grants(reg):
    mfc = result_of(ask(reg, reg.mfc, "ListAvailable"), "Available")
    with reg.gateway.database.sessions() as session:
        agreement = registry.current_agreement(session, DEMO_MFC.code)
        assert texts(mfc, "reg:Agreement/reg:Number") == [agreement.number]
    assert [(k.findtext(R + "NamespaceURI"), k.findtext(R + "RootElementLocalName"),
             k.findtext(R + "Role"), k.findtext(R + "ServiceMnemonic"))
            for k in mfc.iterfind(R + "Kind")] == \
        [(DEMO.namespace, DEMO.root, CONSUMER, "SOCPAYMENTS")]
    assert mfc.find(R + "Service") is None
    agency = result_of(ask(reg, reg.agency, "ListAvailable"), "Available")
    assert texts(agency, "reg:Kind/reg:Role") == [PROVIDER]


def test_list_available_names_granted_services_with_their_kinds(reg):
    add_restricted_kind(reg)
    with reg.gateway.database.transaction() as session:
        kind = registry.find_kind(session, DEMO.namespace, DEMO.root)
        service = registry.add_service(session, "SID0000001", "PAYINFO", "1.0",
                                       "Сведения о выплатах", DEMO_AGENCY.code, ACTOR,
                                       kinds=[kind])
        number = registry.current_agreement(session, DEMO_MFC.code).number
        registry.remove_agreement_kind(session, number, kind, CONSUMER, ACTOR)
        registry.add_agreement_service(session, number, service, CONSUMER, ACTOR)
    available = result_of(ask(reg, reg.mfc, "ListAvailable"), "Available")
    service_el = available.find(R + "Service")
    assert [service_el.findtext(R + name) for name in ("Sid", "Mnemonic", "Provider", "Role")] \
        == ["SID0000001", "PAYINFO", DEMO_AGENCY.code, CONSUMER]
    assert texts(service_el, "reg:Kind/reg:RootElementLocalName") == [DEMO.root]
    assert texts(available, "reg:Kind/reg:RootElementLocalName") == [DEMO.root], \
        "the service's kind is granted through it; the restricted kind is not listed"
    with reg.gateway.database.sessions() as session:
        for listed in available.iterfind(R + "Kind"):
            kind = registry.find_kind(session, listed.findtext(R + "NamespaceURI"),
                                      listed.findtext(R + "RootElementLocalName"))
            assert registry.is_granted(session, DEMO_MFC.code, kind, listed.findtext(R + "Role"))


def test_list_available_without_an_agreement_is_empty(reg, pki):
    other = reg.register("MFCR00002", "Второй МФЦ", *pki.consumer)
    available = result_of(ask(reg, replace(other, tns=reg.mfc.tns), "ListAvailable"),
                          "Available")
    assert len(available) == 0


# -------------------------------------------------------------------------- GetKindSchema


def test_kind_schema_is_the_registered_xsd(reg):
    schema = result_of(ask(reg, reg.mfc, "GetKindSchema", kind_query(DEMO)), "KindSchema")
    xsd = base64.b64decode(schema.findtext(R + "Schema"))
    assert schema.findtext(R + "Sha256") == hashlib.sha256(xsd).hexdigest()
    with reg.gateway.database.sessions() as session:
        kind = registry.find_kind(session, DEMO.namespace, DEMO.root)
        assert xsd.decode("utf-8") == kind.xsd and kind.xsd_sha256 == hashlib.sha256(xsd).hexdigest()
    assert schema.findtext(R + "Classification") == "public"
    assert etree.XMLSchema(etree.fromstring(xsd)) is not None


def test_a_public_kind_schema_is_open_to_every_participant(reg, pki):
    other = replace(reg.register("MFCR00002", "Второй МФЦ", *pki.consumer), tns=reg.mfc.tns)
    result_of(ask(reg, other, "GetKindSchema", kind_query(DEMO)), "KindSchema")


def test_a_restricted_kind_schema_needs_a_grant(reg):
    add_restricted_kind(reg)
    assert_refused(reg, ask(reg, reg.mfc, "GetKindSchema", kind_query(RESTRICTED_KIND)),
                   "RSMEV-304")
    result_of(ask(reg, reg.agency, "GetKindSchema", kind_query(RESTRICTED_KIND)), "KindSchema")
    grant_restricted_kind(reg, DEMO_MFC.code)
    result_of(ask(reg, reg.mfc, "GetKindSchema", kind_query(RESTRICTED_KIND)), "KindSchema")


# ------------------------------------------------------------------ classifiers (НСИ)


def test_list_classifiers(reg):
    listed = result_of(ask(reg, reg.mfc, "ListClassifiers"), "Classifiers")
    assert texts(listed, "reg:Classifier/reg:Name") == ["DOCUMENT_TYPES", "OKTMO"]
    assert texts(listed, "reg:Classifier/reg:Version") == ["1", "1"]


def test_whole_classifier(reg):
    whole = result_of(ask(reg, reg.mfc, "GetClassifier", classifier_query("OKTMO")),
                      "Classifier")
    assert whole.findtext(R + "Version") == "1" and whole.find(R + "SinceVersion") is None
    items = whole.findall(R + "Item")
    assert len(items) == 15 and all(item.get("change") is None for item in items)
    first = next(i for i in items if i.findtext(R + "Code") == "07650000")
    assert first.findtext(R + "Value") == "Советский муниципальный район"
    assert first.findtext(R + "ParentCode") == "07600000"
    assert first.findtext(R + "ValidFrom") == "2014-01-01"
    assert {a.get("name"): a.text for a in first.iterfind(R + "Attribute")} == \
        {"level": "муниципальный район"}
    documents = result_of(ask(reg, reg.mfc, "GetClassifier", classifier_query("DOCUMENT_TYPES")),
                          "Classifier")
    passport = next(i for i in documents.iterfind(R + "Item") if i.findtext(R + "Code") == "21")
    assert {a.get("name") for a in passport.iterfind(R + "Attribute")} == \
        {"series_pattern", "number_pattern"}


def test_classifier_changes_since_a_version(reg):
    csv = ("code,value,parent_code,valid_from,level\n"
           "07000000,Муниципальные образования Ставропольского края,,2014-01-01,субъект\n"
           "07600000,Муниципальные районы Ставропольского края (изм.),07000000,2014-01-01,группа\n"
           "07999000,Новое образование,07000000,2026-01-01,группа\n")
    with reg.gateway.database.transaction() as session:
        import_classifier(session, "OKTMO", io.BytesIO(csv.encode("utf-8")), "csv", ACTOR)
    changes = result_of(ask(reg, reg.mfc, "GetClassifier", classifier_query("OKTMO", 1)),
                        "Classifier")
    assert (changes.findtext(R + "Version"), changes.findtext(R + "SinceVersion")) == ("2", "1")
    by_change: dict[str, list[str]] = {}
    for item in changes.iterfind(R + "Item"):
        by_change.setdefault(item.get("change"), []).append(item.findtext(R + "Code"))
    assert by_change["added"] == ["07999000"] and by_change["changed"] == ["07600000"]
    assert len(by_change["removed"]) == 13
    nothing = result_of(ask(reg, reg.mfc, "GetClassifier", classifier_query("OKTMO", 2)),
                        "Classifier")
    assert nothing.find(R + "Item") is None


# ------------------------------------------------------------------ data types, attributes


def test_every_data_type(reg):
    types = result_of(ask(reg, reg.mfc, "GetDataTypes"), "DataTypes")
    with reg.gateway.database.sessions() as session:
        expected = [t.name for t in list_datatypes(session)]
    assert expected and texts(types, "reg:DataType/reg:Name") == expected
    assert types.find(R + "Attribute") is None and types.find(R + "Kind") is None


def test_attributes_of_a_kind_with_their_types(reg):
    types = result_of(ask(reg, reg.mfc, "GetDataTypes", kind_query(DEMO)), "DataTypes")
    assert texts(types, "reg:Kind/reg:RootElementLocalName") == [DEMO.root]
    paths = texts(types, "reg:Attribute/reg:Path")
    assert paths[0] == DEMO.root and f"{DEMO.root}/Person/Snils" in paths
    used = set(texts(types, "reg:Attribute/reg:Type"))
    assert set(texts(types, "reg:DataType/reg:Name")) <= used
    assert texts(types, "reg:DataType/reg:Name"), "the kind's named types are described"


def test_attributes_of_a_restricted_kind_need_a_grant(reg):
    add_restricted_kind(reg)
    assert_refused(reg, ask(reg, reg.mfc, "GetDataTypes", kind_query(RESTRICTED_KIND)),
                   "RSMEV-304")


# ------------------------------------------------------------------ connection applications


def test_application_from_an_unregistered_system(reg, pki):
    newcomer = applicant(reg, pki)
    submitted = result_of(apply(reg, newcomer), "ApplicationStatus")
    assert submitted.findtext(R + "Status") == "submitted"
    assert submitted.findtext(R + "ParticipantCode") == APPLICANT
    application_id = int(submitted.findtext(R + "ApplicationId"))
    with reg.gateway.database.sessions() as session:
        stored = get_application(session, application_id)
        assert stored.certificate_der == pki.foreign[1].der, "the signing certificate is its own"
        assert [(k.namespace, k.root_element, k.role) for k in stored.kinds] == \
            [(DEMO.namespace, DEMO.root, CONSUMER)]
        assert stored.organisation == "ГБУ «Новая организация»"

    status = result_of(ask(reg, newcomer, "GetApplicationStatus",
                           application_query(application_id)), "ApplicationStatus")
    assert status.findtext(R + "Status") == "submitted" and status.find(R + "DecidedAt") is None
    assert_refused(reg, ask(reg, newcomer, "ListAvailable"), "RSMEV-211")

    with reg.gateway.database.transaction() as session:
        approve_application(session, application_id, ACTOR)
    approved = result_of(ask(reg, newcomer, "GetApplicationStatus",
                             application_query(application_id)), "ApplicationStatus")
    assert approved.findtext(R + "Status") == "approved" and approved.find(R + "DecidedAt") \
        is not None
    available = result_of(ask(reg, newcomer, "ListAvailable"), "Available")
    assert texts(available, "reg:Kind/reg:Role") == [CONSUMER], "now a participant"


def test_a_refused_application_says_why(reg, pki):
    newcomer = applicant(reg, pki)
    application_id = int(result_of(apply(reg, newcomer), "ApplicationStatus")
                         .findtext(R + "ApplicationId"))
    with reg.gateway.database.transaction() as session:
        refuse_application(session, application_id, "нет соглашения", ACTOR)
    status = result_of(ask(reg, newcomer, "GetApplicationStatus",
                           application_query(application_id)), "ApplicationStatus")
    assert (status.findtext(R + "Status"), status.findtext(R + "Reason")) == \
        ("refused", "нет соглашения")


def test_applications_need_a_trust_store(reg, pki):
    reg.use_gateway(replace(reg.gateway, trust=None))
    assert_refused(reg, apply(reg, applicant(reg, pki)), "RSMEV-209")


# ----------------------------------------------------------------------------- refusals


@dataclass
class Case:
    reg: object
    pki: object


def unknown_kind(c: Case) -> Answer:
    return ask(c.reg, c.reg.mfc, "GetKindSchema", kind_query(KindRef("urn://nowhere/1.0", "X")))


def unknown_classifier(c: Case) -> Answer:
    return ask(c.reg, c.reg.mfc, "GetClassifier", classifier_query("NO_SUCH"))


def future_classifier_version(c: Case) -> Answer:
    return ask(c.reg, c.reg.mfc, "GetClassifier", classifier_query("OKTMO", 2))


def status_of_another_certificate(c: Case) -> Answer:
    application_id = result_of(apply(c.reg, applicant(c.reg, c.pki)), "ApplicationStatus") \
        .findtext(R + "ApplicationId")
    other = applicant(c.reg, c.pki, "NEWS00002", c.pki.provider)
    return ask(c.reg, other, "GetApplicationStatus", application_query(int(application_id)))


def application_for_a_registered_code(c: Case) -> Answer:
    return apply(c.reg, applicant(c.reg, c.pki, DEMO_MFC.code))


def application_for_an_unknown_kind(c: Case) -> Answer:
    return apply(c.reg, applicant(c.reg, c.pki), application_of(
        RequestedKind("urn://nowhere/1.0", "X", CONSUMER)))


def parameters_not_taken(c: Case) -> Answer:
    return ask(c.reg, c.reg.mfc, "ListAvailable", kind_query(DEMO))


def parameters_missing(c: Case) -> Answer:
    return ask(c.reg, c.reg.mfc, "GetKindSchema")


def parameters_invalid(c: Case) -> Answer:
    query = classifier_query("OKTMO")
    etree.SubElement(query, R + "Extra").text = "1"
    return ask(c.reg, c.reg.mfc, "GetClassifier", query)


def untrusted_applicant(c: Case) -> Answer:
    return apply(c.reg, applicant(c.reg, c.pki, pair=c.pki.self_signed))


def application_as_ping(c: Case) -> Answer:
    return apply(c.reg, applicant(c.reg, c.pki), status=Status.PING)


def blocked_participant(c: Case) -> Answer:
    with c.reg.gateway.database.transaction() as session:
        registry.block_participant(session, DEMO_MFC.code, "нарушение порядка", ACTOR)
    return ask(c.reg, c.reg.mfc, "GetClassifier", classifier_query("OKTMO"))


def unregistered_caller(c: Case) -> Answer:
    return ask(c.reg, applicant(c.reg, c.pki), "ListClassifiers")


REFUSALS: dict[str, tuple[str, Callable[[Case], Answer]]] = {
    "unknown kind": ("RSMEV-303", unknown_kind),
    "unknown classifier": ("RSMEV-310", unknown_classifier),
    "future classifier version": ("RSMEV-411", future_classifier_version),
    "status of another certificate": ("RSMEV-311", status_of_another_certificate),
    "application for a registered code": ("RSMEV-312", application_for_a_registered_code),
    "application for an unknown kind": ("RSMEV-312", application_for_an_unknown_kind),
    "parameters not taken": ("RSMEV-410", parameters_not_taken),
    "parameters missing": ("RSMEV-410", parameters_missing),
    "parameters invalid": ("RSMEV-410", parameters_invalid),
    "untrusted applicant": ("RSMEV-209", untrusted_applicant),
    "application as PING": ("RSMEV-112", application_as_ping),
    "blocked participant": ("RSMEV-301", blocked_participant),
    "unregistered caller": ("RSMEV-211", unregistered_caller),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusal(reg, pki, case):
    code, scenario = REFUSALS[case]
    refused_before = len(journal(reg, "refused"))
    assert_refused(reg, scenario(Case(reg, pki)), code)
    assert len(journal(reg, "refused")) == refused_before + 1, "journalled once"
    assert CODES[code].status in ("INVALID", "REJECT")


def test_status_of_an_unknown_application(reg, pki):
    assert_refused(reg, ask(reg, applicant(reg, pki), "GetApplicationStatus",
                            application_query(424242)), "RSMEV-311")


def test_operations_of_one_face_are_unknown_to_the_other(reg, harness):
    assert_fault(reg, reg.post(harness.mfc.control("GetRequest")), "RSMEV-105")
    assert_fault(harness, harness.post(reg.mfc.control("ListAvailable")), "RSMEV-105")
    single = harness.facing(SingleService)
    wrong_namespace = replace(single.mfc, tns=reg.mfc.tns)
    fault = fault_of(single.post(wrong_namespace.control("GetStatus")).body)
    assert fault["code"] == "RSMEV-105"


def test_registry_answers_are_written_in_the_registry_namespace(reg):
    answer = reg.post(reg.mfc.control("ListClassifiers")).body
    root = etree.fromstring(answer)
    operation = root.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")[0]
    assert operation.tag == "{urn://smev-soap/registry/1.0}ListClassifiersResponse"
    assert root.nsmap["tns"] == "urn://smev-soap/registry/1.0"
