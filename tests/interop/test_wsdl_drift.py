"""The committed WSDLs are the contract (D1): what the gateway serves equals
``wsdl/single-service.wsdl`` and ``wsdl/registry.wsdl`` except ``soap:address``; operations,
SOAPActions and element QNames are also compared one by one. After an intended change:
``make wsdl`` and commit the files."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass

import pytest
from lxml import etree

from smev_soap.config import Settings
from smev_soap.service.app import SINGLE_SERVICE
from smev_soap.service.registry_service import REGISTRY_SERVICE
from smev_soap.service.spec import ServiceSpec
from smev_soap.service.wsdl_dump import committed_path, committed_wsdl, default_address
from smev_soap.xml.ns import SMEV

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
XS = "http://www.w3.org/2001/XMLSchema"


@dataclass(frozen=True)
class Face:
    """A SOAP face and what its WSDL must say, written out here independently of the code."""

    spec: ServiceSpec
    tns: str
    operations: tuple[str, ...]
    address: str


FACES = {
    "single-service": Face(
        SINGLE_SERVICE, "urn://smev-soap/single-service/1.0",
        ("SendRequest", "GetRequest", "SendResponse", "GetResponse", "Ack", "CancelRequest",
         "GetStatus", "GetQueueStatistics"), "http://127.0.0.1:8080/smev/ws"),
    "registry": Face(
        REGISTRY_SERVICE, "urn://smev-soap/registry/1.0",
        ("ListAvailable", "GetKindSchema", "ListClassifiers", "GetClassifier", "GetDataTypes",
         "SubmitApplication", "GetApplicationStatus"), "http://127.0.0.1:8080/smev/registry"),
}
ELSEWHERE = "https://rsmev.example.org:8443/smev/ws"


@pytest.fixture(params=sorted(FACES))
def face(request: pytest.FixtureRequest) -> Face:
    return FACES[request.param]


def served(face: Face, address: str = ELSEWHERE) -> bytes:
    return face.spec.wsdl(Settings(), address)


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=True))


def _addresses(root: etree._Element) -> list[str]:
    return [a.get("location") for a in root.iter(f"{{{SOAP11}}}address")]


def _without_address(data: bytes) -> bytes:
    root = _parse(data)
    for address in root.iter(f"{{{SOAP11}}}address"):
        address.set("location", "")
    return etree.tostring(root, method="c14n")


def _qname(element: etree._Element, value: str) -> str:
    prefix, _, local = value.rpartition(":")
    return f"{{{element.nsmap[prefix or None]}}}{local}"


def contract(data: bytes) -> dict[str, object]:
    """Operations with their elements, SOAPActions and styles; schema elements with types."""
    root = _parse(data)
    tns = root.get("targetNamespace")
    parts = {f"{{{tns}}}{m.get('name')}": _qname(m[0], m[0].get("element"))
             for m in root.iter(f"{{{WSDL}}}message")}

    def element_of(operation: etree._Element, direction: str) -> str:
        message = operation.find(f"{{{WSDL}}}{direction}")
        return parts[_qname(message, message.get("message"))]

    port_type = {op.get("name"): (element_of(op, "input"), element_of(op, "output"))
                 for op in root.find(f"{{{WSDL}}}portType")}
    binding = root.find(f"{{{WSDL}}}binding")
    soap_binding = binding.find(f"{{{SOAP11}}}binding")
    actions = {op.get("name"): (op.find(f"{{{SOAP11}}}operation").get("soapAction"),
                                op.find(f"{{{SOAP11}}}operation").get("style"),
                                [b.get("use") for b in op.iter(f"{{{SOAP11}}}body")])
               for op in binding.iterfind(f"{{{WSDL}}}operation")}
    schemas = {s.get("targetNamespace"): s for s in root.iter(f"{{{XS}}}schema")}
    elements = {f"{{{ns}}}{e.get('name')}": _qname(e, e.get("type")) if e.get("type") else
                [_qname(r, r.get("ref")) for r in e.iter(f"{{{XS}}}element") if r.get("ref")]
                for ns, schema in schemas.items() for e in schema.iterfind(f"{{{XS}}}element")}
    base = schemas[SMEV].find(f"{{{XS}}}complexType[@name='BaseMessageType']")
    return {
        "binding": (soap_binding.get("style"), soap_binding.get("transport")),
        "operations": port_type,
        "actions": actions,
        "elements": elements,
        "base_message": [_qname(e, e.get("ref")) for e in base.iter(f"{{{XS}}}element")],
    }


def test_the_committed_file_is_what_make_wsdl_writes(face):
    assert committed_path(face.spec).read_bytes() == committed_wsdl(face.spec), \
        "run `make wsdl` and commit"
    assert _addresses(_parse(committed_path(face.spec).read_bytes())) == [face.address]
    assert default_address(face.spec) == face.address


def test_served_wsdl_equals_the_file_except_soap_address(face):
    assert _addresses(_parse(served(face))) == [ELSEWHERE]
    assert _without_address(served(face)) == \
        _without_address(committed_path(face.spec).read_bytes())


def test_operations_soap_actions_and_element_qnames(face):
    tns, operations = face.tns, face.operations
    content = [f"{{{SMEV}}}Message", f"{{{SMEV}}}MessageData"]
    expected_elements = {f"{{{tns}}}{name}": content
                         for op in operations for name in (op, f"{op}Response")}
    committed = contract(committed_path(face.spec).read_bytes())
    assert committed["binding"] == ("document", "http://schemas.xmlsoap.org/soap/http")
    assert committed["operations"] == {op: (f"{{{tns}}}{op}", f"{{{tns}}}{op}Response")
                                       for op in operations}
    assert committed["actions"] == {op: (op, "document", ["literal", "literal"])
                                    for op in operations}
    assert committed["elements"].items() >= expected_elements.items()
    for name in ("Header", "Message", "MessageData"):
        assert committed["elements"][f"{{{SMEV}}}{name}"] == f"{{{SMEV}}}{name}Type"
    assert committed["base_message"] == [f"{{{SMEV}}}Message", f"{{{SMEV}}}MessageData"]
    assert contract(served(face)) == committed


def test_the_running_gateway_serves_the_committed_wsdls(server, face):
    url = server.base_url + face.spec.path
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url + "?wsdl", timeout=10) as response:
        wsdl = response.read()
    assert _addresses(_parse(wsdl)) == [url]
    assert _without_address(wsdl) == _without_address(committed_path(face.spec).read_bytes())
