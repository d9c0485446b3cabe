"""Fixtures for the envelope tests: conformance files, schemas, a GOST digest."""

from collections.abc import Callable

import pytest
from envelope_support import PUBLISHED_XSD, SAMPLE, load_schema
from lxml import etree


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
