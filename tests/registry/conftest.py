"""Registry test fixtures."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from registry_samples import new_certificate

from smev_soap.crypto import Certificate


@pytest.fixture(scope="session")
def make_certificate() -> Callable[[], Certificate]:
    """A new self-signed GOST certificate on every call."""
    return new_certificate
