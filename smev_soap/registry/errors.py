"""Refusals of registry changes."""


class RegistryError(Exception):
    """A registry change was refused; the message says why, and nothing was written."""
