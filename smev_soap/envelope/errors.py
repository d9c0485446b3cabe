"""Errors and findings of the envelope layer (stable string codes, mapped to RSMEV-nnn elsewhere)."""

from dataclasses import dataclass


class EnvelopeError(ValueError):
    """A message that cannot be read: ``code`` is stable, ``field`` names the element if any."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class AttachmentError(EnvelopeError):
    """An AppDocument that is refused whatever the kind's policy (size, bomb, corruption, digest)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem the caller refuses (strict kinds) or reports as a Warning (lenient kinds)."""

    code: str
    detail: str
    name: str | None = None
