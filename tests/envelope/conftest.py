"""Fixtures for the envelope tests: conformance files, schemas, a GOST digest."""

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

CONFORMANCE = Path("/work/shared/conformance")
SAMPLE = CONFORMANCE / "envelopes/smev2-rev120315-request-AppDocument-BinaryData-zip-unsigned.xml"
PUBLISHED_XSD = CONFORMANCE / "xsd/smev2/smev-rev120315-v2.5.3.xsd"
PUBLISHED_OLD_XSD = CONFORMANCE / "xsd/smev2/smev-rev111111.xsd"
MANIFEST_XSD = CONFORMANCE / "xsd/smev2/smev-request-rev111111-AppliedDocuments.xsd"


def load_schema(path: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(path), etree.XMLParser(no_network=True)))


@pytest.fixture(scope="session")
def published() -> etree.XMLSchema:
    return load_schema(PUBLISHED_XSD)


@pytest.fixture
def sample() -> etree._ElementTree:
    return etree.parse(str(SAMPLE))


@pytest.fixture(scope="session")
def digest() -> Callable[[str, bytes], bytes]:
    """The crypto module's digest by name (gost94, streebog256)."""
    from smev_soap.crypto.digest import digest as crypto_digest

    return crypto_digest
