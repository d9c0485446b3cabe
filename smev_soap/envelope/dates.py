"""xs:dateTime read leniently (Z or offset, 0–7+ fractional digits) and written with an offset."""

import re
from datetime import datetime

from .errors import EnvelopeError

_DATETIME_RE = re.compile(
    r"(?P<base>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d+))?(?P<tz>Z|[+-]\d{2}:\d{2})?"
)


def parse_datetime(text: str | None, field: str = "Date") -> datetime:
    """An aware datetime from xs:dateTime text; fractions beyond microseconds are truncated.

    A value without a zone is taken as UTC (xs:dateTime leaves it undetermined).
    """
    match = _DATETIME_RE.fullmatch((text or "").strip())
    if match is None:
        raise EnvelopeError("bad_date", f"{field}: not an xs:dateTime: {text!r}", field)
    frac = (match["frac"] or "")[:6].ljust(6, "0")
    tz = match["tz"] or "Z"
    try:
        return datetime.fromisoformat(f"{match['base']}.{frac}{'+00:00' if tz == 'Z' else tz}")
    except ValueError as exc:
        raise EnvelopeError("bad_date", f"{field}: {exc}", field) from None


def format_datetime(value: datetime, field: str = "Date") -> str:
    """xs:dateTime with milliseconds and an explicit offset; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field}: a timezone-aware datetime is required")
    return value.isoformat(timespec="milliseconds")
