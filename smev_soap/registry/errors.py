"""Refusals of registry changes."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class RegistryError(Exception):
    """A registry change was refused; the message says why, and nothing was written."""


def registered(found: T | None, what: str) -> T:
    """``found``; a RegistryError "``what`` is not registered" when it is None."""
    if found is None:
        raise RegistryError(f"{what} is not registered")
    return found
