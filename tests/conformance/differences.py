"""Where Geode deliberately differs from @crystallize/schema 6.14.0: the one table.

A corpus case that shows a difference names its entry (`"difference": "<id>"`); the
test then requires Geode's verdict to be `geode` and the reference's the other one,
so an entry that no longer shows fails too. README.md ("Where Geode differs from
@crystallize/schema") summarises this table: keep them together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Difference:
    geode: Literal["accepts", "refuses"]  # Geode's verdict; the reference gives the other
    reason: str


DIFFERENCES: dict[str, Difference] = {
    "money-as-string": Difference(
        "accepts",
        'Money is a Decimal: a decimal string such as "50.50" is taken as exactly that '
        "amount, where a JSON number may already have been rounded by the writer's floats.",
    ),
    "negative-amount": Difference(
        "refuses",
        "Amounts, tax rates and promotion values are zero or more (limits.MONEY); a negative "
        "one is a sign error that would corrupt sums, so it is refused up front.",
    ),
    "percent-range": Difference(
        "refuses", "A discount is a percentage from 0 to 100 (limits.PERCENT)."
    ),
    "whole-quantity": Difference(
        "refuses",
        "An order line's quantity is a whole number (limits.QUANTITY); the reference takes "
        "any number >= 0.",
    ),
    "key-length": Difference(
        "refuses",
        "Keys (identifiers, skus, location identifiers...) are 1 to 256 characters: they sit "
        "in unique indexes, and PostgreSQL refuses an index row over ~2,700 bytes.",
    ),
    "key-characters": Difference(
        "refuses",
        "Keys hold no control or invisible formatting characters (U+200B...), so two keys "
        "that look the same are the same.",
    ),
    "empty-key": Difference(
        "refuses",
        "A key is never empty; the reference's create schemas take any string as customer "
        "identifier or pipeline id, its update schemas do not.",
    ),
    "nul-in-text": Difference(
        "refuses", "PostgreSQL text cannot hold NUL, so no string may hold one."
    ),
    "ref-name": Difference(
        "refuses",
        "A `_ref` is a name (letters, digits, _ and -, not starting with a digit), so "
        "`{{ ref.field }}` templates can name it without ambiguity.",
    ),
    "dangling-template": Difference(
        "refuses",
        "A `{{ ref.field }}` template must name the `_ref` of an earlier operation; the "
        "reference checks each operation alone and cannot know.",
    ),
    "date-format": Difference(
        "refuses",
        "Dates are ISO-8601; the reference takes whatever JavaScript's Date.parse reads "
        '("May 1, 2024"), which depends on the engine.',
    ),
    "unknown-keys": Difference(
        "refuses",
        "An unknown field is an error that names the field (often a typo, or a field the "
        "intent does not take); zod strips it silently and the operation runs without it.",
    ),
    "version-pattern": Difference(
        "refuses",
        'The file\'s version is x.y.z; the reference also takes "1", "1.2", "*" and "1.2.*".',
    ),
    "empty-file": Difference(
        "refuses", "A file with no operations is almost certainly a mistake; it is refused."
    ),
    "duplicate-keys": Difference(
        "refuses",
        "A key repeated in one JSON object is refused: JSON readers disagree on which value "
        "wins (JSON.parse keeps the last).",
    ),
}
