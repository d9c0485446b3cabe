"""Conformance files and schema loading for the envelope tests."""

from pathlib import Path

from lxml import etree

CONFORMANCE = Path(__file__).resolve().parents[3] / "shared" / "conformance"
SAMPLE = CONFORMANCE / "envelopes/smev2-rev120315-request-AppDocument-BinaryData-zip-unsigned.xml"
PUBLISHED_XSD = CONFORMANCE / "xsd/smev2/smev-rev120315-v2.5.3.xsd"
PUBLISHED_OLD_XSD = CONFORMANCE / "xsd/smev2/smev-rev111111.xsd"
MANIFEST_XSD = CONFORMANCE / "xsd/smev2/smev-request-rev111111-AppliedDocuments.xsd"


def load_schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))
