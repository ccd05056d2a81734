"""The catalogue's JSON documents (component definitions and content, meta,
attributes, images, modifiers, ...), stored as TEXT.

Unlike `geode.jsontext`, numbers are written as JSON numbers and read back as
`Decimal` (integers stay `int`): a document is often read without a struct to
decode it into (an export, a merge by key, a content check written elsewhere),
and a numeric component's `1.10` must come back as `1.10`, not as a float or a
string. Dict keys are sorted, so equal content is equal text: a re-run compares
the stored text with the new one to report `unchanged`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_encoder = msgspec.json.Encoder(decimal_format="number", order="deterministic")
_decoder = msgspec.json.Decoder(float_hook=Decimal)


def dump(value: Any) -> str:
    """Canonical text of a document: structs, lists, dicts, Decimals, UNSET fields left out."""
    return _encoder.encode(value).decode()


def dump_or_none(value: Any) -> str | None:
    """None and UNSET are no document (a NULL column), not the text `null`."""
    return None if value is None or value is msgspec.UNSET else dump(value)


def load(text: str | bytes) -> Any:
    """Plain lists, dicts, strings, ints, Decimals and booleans."""
    return _decoder.decode(text)


def load_or_none(text: str | bytes | None) -> Any:
    return None if text is None else _decoder.decode(text)


def load_as(text: str | bytes, type_: type[T]) -> T:
    """Into a struct (or any msgspec type): Decimal fields take the stored numbers exactly."""
    return msgspec.json.decode(text, type=type_)
