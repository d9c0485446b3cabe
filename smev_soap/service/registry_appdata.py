"""The registry service's AppData vocabulary (``urn://smev-soap/registry/1.0``,
``xsd/smev-soap-registry.xsd``): request elements a client writes and the gateway reads.

The request's parameters are one element in AppData, validated against our schema before any
handler reads it; a problem is RSMEV-410 (INVALID).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from smev_soap.envelope.schemas import schema_errors
from smev_soap.errors import SmevRefusal
from smev_soap.registry.applications import RequestedKind
from smev_soap.resources import XSD_DIR
from smev_soap.service.inbound import Inbound

REGISTRY = "urn://smev-soap/registry/1.0"
REGISTRY_XSD = XSD_DIR / "smev-soap-registry.xsd"
_NSMAP = {"reg": REGISTRY}


def qname(name: str) -> str:
    return f"{{{REGISTRY}}}{name}"


def element(name: str, *fields: tuple[str, object]) -> etree._Element:
    """``reg:name`` with ``fields`` (name, value) as children; ``None`` values are left out."""
    el = etree.Element(qname(name), nsmap=_NSMAP)
    add_fields(el, fields)
    return el


def add_fields(parent: etree._Element, fields: Iterable[tuple[str, object]]) -> None:
    """Text children in order; ``bool`` as xs:boolean, ``None`` left out."""
    for name, value in fields:
        if value is None:
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        etree.SubElement(parent, qname(name)).text = text


def text_of(parent: etree._Element, name: str) -> str | None:
    """Stripped text of the first ``reg:name`` child, if any."""
    child = parent.find(qname(name))
    return None if child is None else (child.text or "").strip()


@dataclass(frozen=True)
class KindRef:
    """A kind of information by namespace URI and root element."""

    namespace: str
    root: str

    @classmethod
    def read(cls, parent: etree._Element) -> KindRef:
        """From a validated element with ``NamespaceURI`` and ``RootElementLocalName``."""
        namespace = text_of(parent, "NamespaceURI") or ""
        return cls(namespace, text_of(parent, "RootElementLocalName") or "")

    def fields(self) -> tuple[tuple[str, str], ...]:
        return ("NamespaceURI", self.namespace), ("RootElementLocalName", self.root)


# ------------------------------------------------------------------- requests (client side)


def kind_query(kind: KindRef) -> etree._Element:
    """``reg:KindQuery`` of GetKindSchema and GetDataTypes."""
    return element("KindQuery", *kind.fields())


def classifier_query(name: str, since_version: int | None = None) -> etree._Element:
    """``reg:ClassifierQuery``: the whole classifier, or its changes since ``since_version``."""
    return element("ClassifierQuery", ("Name", name), ("SinceVersion", since_version))


def application(organisation: str, system_name: str, category: str, contacts: str,
                kinds: Iterable[RequestedKind] = ()) -> etree._Element:
    """``reg:Application`` of SubmitApplication."""
    el = element("Application", ("Organisation", organisation), ("SystemName", system_name),
                 ("Category", category), ("Contacts", contacts))
    for requested in kinds:
        add_fields(etree.SubElement(el, qname("Kind")), (
            *KindRef(requested.namespace, requested.root).fields(), ("Role", requested.role)))
    return el


def application_query(application_id: int) -> etree._Element:
    """``reg:ApplicationQuery`` of GetApplicationStatus."""
    return element("ApplicationQuery", ("ApplicationId", application_id))


# ------------------------------------------------------------------- requests (gateway side)


def parameters(inbound: Inbound, name: str | None, *, required: bool = True
               ) -> etree._Element | None:
    """The request's ``reg:name`` from AppData, valid against our schema.

    ``name`` None: the operation takes no parameters and AppData must be empty. Not
    ``required``: an empty AppData gives None.
    """
    app_data = inbound.parsed.app_data
    given = [] if app_data is None else [c for c in app_data if isinstance(c.tag, str)]
    wanted = "nothing" if name is None else f"reg:{name}"
    if not given and (name is None or not required):
        return None
    if len(given) != 1 or name is None or given[0].tag != qname(name):
        found = ", ".join(etree.QName(c).text for c in given) or "nothing"
        raise SmevRefusal("RSMEV-410", f"{inbound.operation} takes {wanted} in AppData, "
                                       f"not {found}")
    problems = schema_errors(given[0], REGISTRY_XSD)
    if problems:
        raise SmevRefusal("RSMEV-410", problems[0])
    return given[0]


def read_application_kinds(application_el: etree._Element) -> list[RequestedKind]:
    """The kinds a (validated) ``reg:Application`` asks for."""
    refs = [(KindRef.read(kind), text_of(kind, "Role") or "")
            for kind in application_el.iterfind(qname("Kind"))]
    return [RequestedKind(ref.namespace, ref.root, role) for ref, role in refs]
