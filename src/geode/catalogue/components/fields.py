"""Scalar field types of component definitions and content, bounded by `geode.limits`.

The reference (`@crystallize/schema` 6.14) leaves most numbers unbounded; a stored value
must still fit both databases and read back as written, so counts stop at
`QUANTITY_MAX`, real numbers at 10^15, and decimal content follows `SIGNED_MONEY`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Final, Literal

import msgspec

from geode import limits
from geode.schemas import number_meta
from geode.timestamps import parse_timestamp

__all__ = [
    "STRUCTURAL_TYPES",
    "ComponentType",
    "Count",
    "Identifier",
    "ItemType",
    "NonNegativeReal",
    "Real",
    "RequiredName",
    "SignedDecimal",
    "WholeNumber",
    "check_datetime",
]

ComponentType = Literal[
    "boolean",
    "colors",
    "componentChoice",
    "componentMultipleChoice",
    "contentChunk",
    "datetime",
    "files",
    "gridRelations",
    "images",
    "itemRelations",
    "location",
    "numeric",
    "paragraphCollection",
    "piece",
    "propertiesTable",
    "richText",
    "selection",
    "singleLine",
    "videos",
]
STRUCTURAL_TYPES: Final = frozenset({"componentChoice", "componentMultipleChoice", "contentChunk"})
"""Types whose content holds other components; the reference's `Nestable` content (what
a chunk or a choice holds) excludes them, so a chunk or choice cannot declare them."""

ItemType = Literal["product", "document", "folder"]

_REAL_MAX: Final = float(10**limits.MONEY_INTEGER_DIGITS)

RequiredName = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.NAME_MAX_LENGTH)]
Identifier = Annotated[
    str,
    msgspec.Meta(
        min_length=limits.IDENTIFIER_MIN_LENGTH,
        max_length=limits.IDENTIFIER_MAX_LENGTH,
        pattern=limits.KEY_PATTERN,
        description=(
            f"A shape or piece identifier: {limits.IDENTIFIER_MIN_LENGTH} to "
            f"{limits.IDENTIFIER_MAX_LENGTH} characters, no control or invisible characters."
        ),
    ),
]
# The reference takes any number >= 0 for min/max; fractions are kept (conformance),
# the size is bounded.
Count = (
    Annotated[int, msgspec.Meta(ge=0, le=limits.QUANTITY_MAX)]
    | Annotated[float, msgspec.Meta(ge=0, le=limits.QUANTITY_MAX)]
)
WholeNumber = Annotated[int, msgspec.Meta(ge=-limits.QUANTITY_MAX, le=limits.QUANTITY_MAX)]
Real = Annotated[float, msgspec.Meta(ge=-_REAL_MAX, le=_REAL_MAX)]
NonNegativeReal = Annotated[float, msgspec.Meta(ge=0, le=_REAL_MAX)]
SignedDecimal = Annotated[Decimal, number_meta(limits.SIGNED_MONEY)]


def check_datetime(field: str, value: object) -> None:
    """For `__post_init__`: msgspec reports the raised error at the struct's JSON path."""
    if isinstance(value, str) and not value.startswith("{{"):
        try:
            parse_timestamp(value)
        except ValueError:
            raise ValueError(
                f"`{field}` is {value!r}, not a date; use ISO-8601 such as 2024-05-01T12:30:00Z"
            ) from None
