"""exc_c14n: exclusive canonicalization of a subtree, as signatures need it."""

from __future__ import annotations

from pathlib import Path

from smev_soap.xml.c14n import exc_c14n
from smev_soap.xml.ns import SOAP_BODY
from smev_soap.xml.safe import parse_xml

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"


def test_subtree_renders_only_visibly_used_namespaces_and_no_comments():
    root = parse_xml(
        b'<e:Env xmlns:e="urn:e" xmlns:unused="urn:u"><e:B a="1"><!--c--><x:y xmlns:x="urn:x"'
        b' b="2"/></e:B>tail</e:Env>',
        max_bytes=10_000,
    )
    assert exc_c14n(root[0]) == (
        b'<e:B xmlns:e="urn:e" a="1"><x:y xmlns:x="urn:x" b="2"></x:y></e:B>'
    )


def test_inclusive_prefixes_are_honoured():
    root = parse_xml(b'<e:Env xmlns:e="urn:e" xmlns:k="urn:k"><e:B/></e:Env>', max_bytes=1000)
    assert exc_c14n(root[0]) == b'<e:B xmlns:e="urn:e"></e:B>'
    assert exc_c14n(root[0], ["k"]) == b'<e:B xmlns:e="urn:e" xmlns:k="urn:k"></e:B>'


def test_conformance_body_keeps_its_prefixes_and_whitespace():
    data = (CONFORMANCE / "envelopes/smev2-rev120315-request-AppDocument-BinaryData-zip-unsigned.xml"
            ).read_bytes()
    body = parse_xml(data, max_bytes=1 << 20).find(SOAP_BODY)
    out = exc_c14n(body)
    assert out.startswith(
        b'<soap-env:Body xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" '
        b'xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0'
        b'.xsd" wsu:Id="body-wsu-id">\n        <InputMsgSendRequest xmlns="http://tempuri.org/">'
    )
    assert out.endswith(b"</InputMsgSendRequest>\n    </soap-env:Body>")
