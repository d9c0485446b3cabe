"""The operations of the registry service (R2, R3, R11, R14, R15).

Each reads its parameters from AppData (:func:`parameters`), asks the registry and answers
RESULT signed by the gateway. Queries are control calls (Status PING); SubmitApplication is a
REQUEST. What a caller may read: the services and kinds its agreement valid today grants; the
XSD and attributes of a kind when the kind is public or granted to it (in either role); every
classifier and data type; the status of an application signed with its own certificate.
"""

from __future__ import annotations

from lxml import etree
from sqlalchemy.orm import Session

from smev_soap import registry
from smev_soap.envelope.model import Status
from smev_soap.errors import SmevRefusal
from smev_soap.registry import Agreement, ElectronicService, KindOfInformation, classifiers
from smev_soap.registry.agreements import ROLES
from smev_soap.registry.attributes import kind_attributes
from smev_soap.registry.datatypes import list_datatypes
from smev_soap.registry.models import ACTIVE, PUBLIC
from smev_soap.service.answers import answer
from smev_soap.service.gateway import Gateway
from smev_soap.service.inbound import Inbound
from smev_soap.service.registry_appdata import KindRef, parameters, text_of
from smev_soap.service.registry_results import (
    build_available,
    build_classifier,
    build_classifiers,
    build_data_types,
    build_kind_schema,
)
from smev_soap.service.sending import require_status


def result(gateway: Gateway, inbound: Inbound, element: etree._Element) -> bytes:
    """The gateway's RESULT carrying ``element`` in AppData."""
    return answer(gateway, inbound.addressee, Status.RESULT, app_data=[element])


def granted(agreement: Agreement | None) -> tuple[list[tuple[ElectronicService, str]],
                                                  list[tuple[KindOfInformation, str]]]:
    """The active services and kinds an agreement grants, with the role; a service's kinds
    count as granted in the service's role (as :func:`smev_soap.registry.is_granted` decides)."""
    if agreement is None:
        return [], []
    services = [(e.service, e.role) for e in agreement.services if e.service.status == ACTIVE]
    kinds = {(e.kind.id, e.role): (e.kind, e.role) for e in agreement.kinds}
    for service, role in services:
        kinds.update({(kind.id, role): (kind, role) for kind in service.kinds})
    active = [pair for pair in kinds.values() if pair[0].status == ACTIVE]
    return services, sorted(active, key=lambda p: (p[0].namespace, p[0].root_element, p[1]))


def readable_kind(session: Session, code: str, ref: KindRef) -> KindOfInformation:
    """The active kind ``ref`` if ``code`` may read its XSD and attributes."""
    kind = registry.find_kind(session, ref.namespace, ref.root)
    if kind is None:
        raise SmevRefusal("RSMEV-303", f"{{{ref.namespace}}}{ref.root}")
    if kind.classification != PUBLIC and not any(
            registry.is_granted(session, code, kind, role) for role in ROLES):
        raise SmevRefusal("RSMEV-304", f"{kind.label} is {kind.classification}")
    return kind


def list_available(gateway: Gateway, inbound: Inbound) -> bytes:
    """ListAvailable: the caller's agreement, and the services and kinds it grants."""
    require_status(inbound, Status.PING)
    parameters(inbound, None)
    with gateway.reading() as session:
        agreement = registry.current_agreement(session, inbound.sender)
        element = build_available(agreement, *granted(agreement))
    return result(gateway, inbound, element)


def get_kind_schema(gateway: Gateway, inbound: Inbound) -> bytes:
    """GetKindSchema: the registered XSD of a readable kind."""
    require_status(inbound, Status.PING)
    ref = KindRef.read(parameters(inbound, "KindQuery"))
    with gateway.reading() as session:
        element = build_kind_schema(readable_kind(session, inbound.sender, ref))
    return result(gateway, inbound, element)


def list_classifiers(gateway: Gateway, inbound: Inbound) -> bytes:
    """ListClassifiers: every classifier with its current version."""
    require_status(inbound, Status.PING)
    parameters(inbound, None)
    with gateway.reading() as session:
        element = build_classifiers(classifiers.list_classifiers(session))
    return result(gateway, inbound, element)


def get_classifier(gateway: Gateway, inbound: Inbound) -> bytes:
    """GetClassifier: the current items, or the changes after ``SinceVersion``."""
    require_status(inbound, Status.PING)
    query = parameters(inbound, "ClassifierQuery")
    name = text_of(query, "Name") or ""
    since_text = text_of(query, "SinceVersion")
    since = int(since_text) if since_text else None
    with gateway.reading() as session:
        classifier = classifiers.find_classifier(session, name)
        if classifier is None:
            raise SmevRefusal("RSMEV-310", name)
        if since is not None and since > classifier.current_version:
            raise SmevRefusal("RSMEV-411", f"{name} is at version {classifier.current_version}, "
                                           f"not {since}")
        element = build_classifier(classifiers.classifier_items(session, name, since))
    return result(gateway, inbound, element)


def get_data_types(gateway: Gateway, inbound: Inbound) -> bytes:
    """GetDataTypes: every data type; with a KindQuery, the kind's attributes and their types."""
    require_status(inbound, Status.PING)
    query = parameters(inbound, "KindQuery", required=False)
    with gateway.reading() as session:
        if query is None:
            element = build_data_types(None, list_datatypes(session), [])
        else:
            kind = readable_kind(session, inbound.sender, KindRef.read(query))
            attributes = kind_attributes(session, kind)
            used = {attribute.type_name for attribute in attributes}
            element = build_data_types(
                kind, [t for t in list_datatypes(session) if t.name in used], attributes)
    return result(gateway, inbound, element)
