"""Shared fixtures for the crypto tests: session keys and an ``openssl -engine gost`` runner."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from smev_soap.crypto import PrivateKey

NO_ENGINE_OPTION = {"crl"}


def _openssl(*args: str | Path, stdin: bytes | None = None) -> bytes:
    """Run ``openssl <args>`` (with ``-engine gost`` where accepted); return stdout."""
    command, *rest = (str(a) for a in args)
    engine = [] if command in NO_ENGINE_OPTION else ["-engine", "gost"]
    result = subprocess.run(
        ["openssl", command, *engine, *rest],
        input=stdin,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"openssl {' '.join(map(str, args))} failed: {result.stderr.decode()}")
    return result.stdout


@pytest.fixture(scope="session")
def openssl():
    """``openssl(command, *args, stdin=None) -> stdout`` with ``-engine gost``."""
    return _openssl


@pytest.fixture(scope="session")
def key256() -> PrivateKey:
    return PrivateKey.generate("gost2012-256")


@pytest.fixture(scope="session")
def key512() -> PrivateKey:
    return PrivateKey.generate("gost2012-512")
