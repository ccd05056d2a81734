"""JSON documents stored as TEXT: msgspec keeps Decimals exact and output canonical."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_number_encoder = msgspec.json.Encoder(decimal_format="number")


def dumps(value: Any) -> str:
    """Canonical text: struct field order is fixed and unset fields are left out."""
    return _encoder.encode(value).decode()


def dumps_or_none(value: Any) -> str | None:
    return None if value is None else dumps(value)


def loads(text: str | bytes, type_: type[T]) -> T:
    return msgspec.json.decode(text, type=type_)


def encode_for_file(value: Any) -> bytes:
    """What users read and write: money as JSON numbers, not strings."""
    return _number_encoder.encode(value)
