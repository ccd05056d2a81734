"""Timestamps are stored in UTC and written as ISO-8601 text.

One canonical text form lets bulk writers pass the same parameter to SQLite
(TEXT) and PostgreSQL (timestamptz), and lets a re-run compare values exactly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO-8601 date or date-time; naive values are taken as UTC.

    Raises ValueError with the offending text so validation can report it.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """Canonical form: `2024-05-01T12:30:00.000000Z`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    v = value.astimezone(UTC)
    # Not strftime: glibc does not zero-pad years before 1000.
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T"
        f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}Z"
    )


def canonical_timestamp(value: str) -> str:
    # Fast path for the common `2024-05-01T12:30:00Z` (an import has one per order):
    # still parsed, so an impossible date fails the same way.
    if len(value) == 20 and value[19] == "Z":
        head = value[:19]
        if datetime.fromisoformat(head).isoformat() == head:  # not a week date, say
            return head + ".000000Z"
    return format_timestamp(parse_timestamp(value))


def stored_timestamp(value: object) -> str:
    """Normalise what a driver returns (str on SQLite, datetime on PostgreSQL)."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    text = str(value)
    # What Geode wrote comes back as written: a re-run reads one per order.
    if _CANONICAL.fullmatch(text):
        return text
    return canonical_timestamp(text)


def utcnow() -> str:
    return format_timestamp(datetime.now(UTC))
