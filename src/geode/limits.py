"""Geode's input limits: one set, read by every input schema (docs/limits.md lists them).

Anything that passes validation must store on SQLite and PostgreSQL alike, so the
limits are the tighter of the two stores and are checked before any work starts:

- Natural keys (identifiers, customer/order/transaction ids, skus, meta keys) end up
  in unique btree indexes; PostgreSQL refuses an index row over ~2,700 bytes, so a
  key is at most 256 characters (1,024 bytes of UTF-8 at worst).
- PostgreSQL text cannot hold NUL, and neither store can hold an unpaired UTF-16
  surrogate (it is not Unicode): both are refused in every string of every input.
- Keys must not hide what they are: control and invisible format characters
  (Unicode Cc and Cf: U+200B, U+202E, U+FEFF, ...) are refused in them.
- Money is exact and bounded (finite, at most 15 integer digits and 8 decimal
  places), so a value reads back as it was written and a sum of many stays exact.

Kept free of pydantic and database imports: validation worker processes read it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

__all__ = [
    "CURRENCY_MAX_LENGTH",
    "DATETIME_MAX_LENGTH",
    "EMAIL_PATTERN",
    "IDENTIFIER_MAX_LENGTH",
    "IDENTIFIER_MIN_LENGTH",
    "KEY_MAX_LENGTH",
    "KEY_PATTERN",
    "LANGUAGE_CODE_MAX_LENGTH",
    "LANGUAGE_CODE_PATTERN",
    "MONEY",
    "MONEY_DECIMAL_PLACES",
    "MONEY_INTEGER_DIGITS",
    "NAME_MAX_LENGTH",
    "NUMBER_RULES",
    "PERCENT",
    "POINTS_MAX",
    "QUANTITY",
    "QUANTITY_MAX",
    "SIGNED_MONEY",
    "TEXT_MAX_LENGTH",
    "VAT_PERCENT",
    "NumberRule",
    "holds_no_key_bad_character",
    "key_problem",
    "may_hold_bad_text",
    "text_problem",
    "text_problems",
]

KEY_MAX_LENGTH: Final = 256
"""Natural keys: identifier, resourceIdentifier, customerId, orderId, transactionId, sku..."""
CURRENCY_MAX_LENGTH: Final = 64
"""A currency as the reference schema takes it (any text); ISO 4217 codes are 3 letters."""
NAME_MAX_LENGTH: Final = 1_024
"""Ordinary short text: names, emails, phones, address lines, payment references."""
TEXT_MAX_LENGTH: Final = 65_536
"""Free text: meta values, additionalInformation, reasons, URLs."""
DATETIME_MAX_LENGTH: Final = 64
LANGUAGE_CODE_MAX_LENGTH: Final = 64
"""A tenant's language code, e.g. `en` or `nb-NO`."""
LANGUAGE_CODE_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_-]*(?!\n)$"
"""Letters, digits, `-` and `_` (BCP 47 tags and the codes Crystallize uses): a language
code appears in item paths and file keys, so it holds nothing that needs escaping."""
VAT_PERCENT_DECIMAL_PLACES: Final = 4
IDENTIFIER_MIN_LENGTH: Final = 2
IDENTIFIER_MAX_LENGTH: Final = 64
"""Shape and piece identifiers, as @crystallize/schema bounds them (pim/shapes)."""

MONEY_INTEGER_DIGITS: Final = 15
MONEY_DECIMAL_PLACES: Final = 8
QUANTITY_MAX: Final = 1_000_000_000
POINTS_MAX: Final = 10**12
"""Largest loyalty points change one object may ask for; balances stay inside BIGINT
and inside what a JSON reader holds exactly (2^53)."""


# -- characters -----------------------------------------------------------------------


# Every Cc and Cf code point (Unicode 14, Python 3.11's `unicodedata`), as a regex class
# body: BMP code points as \\uXXXX escapes, which Python and ECMA-262 (JSON Schema) read
# alike; the few outside the BMP as the characters themselves. Written out because
# computing it costs most of a second at import (tests/test_limits.py recomputes it).
_FORMAT_CLASS: Final = (
    "\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u0600-\\u0605\\u061C\\u06DD\\u070F\\u0890-\\u0891"
    "\\u08E2\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF"
    "\\uFFF9-\\uFFFB\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
KEY_PATTERN: Final = f"^[^{_FORMAT_CLASS}]*$"
"""No control (Cc) or invisible format (Cf) character; JSON Schema and Python alike."""
_KEY_BAD = re.compile(f"[{_FORMAT_CLASS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# Spelled out rather than `\s`, which Python and ECMA-262 (JSON Schema) read differently.
_EMAIL_PART: Final = (
    "[^@\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u180E\\u2000-\\u200B\\u2028\\u2029\\u202F"
    "\\u205F\\u3000\\uFEFF]+"
)
EMAIL_PATTERN: Final = f"^{_EMAIL_PART}@{_EMAIL_PART}\\.{_EMAIL_PART}(?!\\n)$"
"""An email address: something@something.something, without spaces or control characters."""

NUL_MESSAGE: Final = (
    "text contains a NUL character (\\u0000) at position {position}, which cannot be "
    "stored; remove it"
)
SURROGATE_MESSAGE: Final = (
    "text contains an unpaired UTF-16 surrogate (\\u{code:04x}) at position {position}, "
    "which is not Unicode and cannot be stored; send the whole character (a surrogate pair) "
    "or remove it"
)


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored, or None. Positions count characters from 0."""
    if "\x00" in text:
        return NUL_MESSAGE.format(position=text.index("\x00"))
    if not text.isascii() and (match := _SURROGATE.search(text)):
        return SURROGATE_MESSAGE.format(code=ord(match.group()), position=match.start())
    return None


def key_problem(text: str) -> str | None:
    """Why `text` is no good as a key (beyond its length), or None."""
    problem = text_problem(text)
    if problem is not None:
        return problem
    match = _KEY_BAD.search(text)
    if match is None:
        return None
    char = match.group()
    name = unicodedata.name(char, "a control character")
    return (
        f"contains the invisible character U+{ord(char):04X} ({name}) at position "
        f"{match.start()}; identifiers and keys cannot hold control or invisible "
        "formatting characters, remove it"
    )


# JSON writes NUL as \u0000 and a lone surrogate as one \uD8xx-\uDFxx escape; raw
# UTF-8 can hold neither. Pairs are fine and common (ensure_ascii output of emoji).
_HIGH = rb"\\u[dD][89abAB][0-9a-fA-F]{2}"
_LOW = rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
BAD_ESCAPE: Final = re.compile(
    rb"\\u0000|" + _HIGH + rb"(?!" + _LOW + rb")|(?<!" + _HIGH + rb")" + _LOW
)


def may_hold_bad_text(document: bytes) -> bool:
    """False when no string of this JSON text can hold a NUL or a lone surrogate.

    A cheap scan of the raw bytes, so only the rare document that may hold one is
    walked string by string (an escaped backslash before `u0000` is a false alarm,
    which the walk then clears)."""
    return b"\\u" in document and BAD_ESCAPE.search(document) is not None


# Escapes that write a control character (\n, \t, ... and any \uXXXX: many write Cf).
_CONTROL_ESCAPE = re.compile(rb"\\[bfnrtu]")
# Outside strings, JSON's own blanks are no text; inside one they must be escaped.
_KEY_BAD_IN_DOCUMENT = re.compile(f"(?![\t\n\r])[{_FORMAT_CLASS}]")


def holds_no_key_bad_character(document: bytes) -> bool:
    """True when no string of this JSON text (valid UTF-8) can hold a character that
    `KEY_PATTERN` refuses, so that every key in it passes that pattern.

    The parallel validation pass decodes such documents without the pattern
    checks (`schemas.without_key_patterns`), about a third of an order's decoding;
    a no here is often a false alarm (an escaped newline in a description, an
    escaped accent) and costs only the checks it could have spared."""
    if b"\\" in document and _CONTROL_ESCAPE.search(document) is not None:
        return False
    if document.isascii():
        return b"\x7f" not in document  # the one control character JSON lets through
    try:
        return _KEY_BAD_IN_DOCUMENT.search(document.decode()) is None
    except UnicodeDecodeError:
        return False


def bad_escape_message(document: bytes) -> str | None:
    """For a JSON parser's refusal: names a lone surrogate escape and its byte offset."""
    match = BAD_ESCAPE.search(document)
    if match is None or match.group() == b"\\u0000":
        return None
    return (
        f"the text holds an unpaired UTF-16 surrogate escape {match.group().decode()} at byte "
        f"{match.start()}, which is not Unicode; send the whole character (a surrogate pair)"
    )


def text_problems(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, message) of every string (keys included) in parsed JSON that cannot be stored."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            yield path, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (problem := text_problem(key)) is not None:
                yield path, f"a field name: {problem}"
            yield from text_problems(item, (*path, key))
    elif isinstance(value, list | tuple):
        for position, item in enumerate(value):
            yield from text_problems(item, (*path, position))


# -- numbers --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NumberRule:
    """What one kind of number accepts; `problem` says why a value does not fit."""

    name: str
    minimum: Decimal | None
    maximum: Decimal
    places: int
    integer: bool = False
    exclusive_minimum: bool = False
    description: str = ""
    # For `fits`, the hot path: the smallest value allowed (exclusive bounds aside) and
    # the step every value is a multiple of.
    low: Decimal = field(init=False)
    quantum: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "low", -self.maximum if self.minimum is None else self.minimum)
        object.__setattr__(self, "quantum", Decimal(1).scaleb(-self.places))

    def fits(self, value: Decimal) -> bool:
        """A quick yes for the common case; `problem` has the last word on a no.

        `v == v.quantize(step)` is ~10x cheaper than reading `as_tuple().exponent`, and
        safe once the range holds (at most 23 digits, inside the 28-digit context)."""
        return (
            value.is_finite()
            and self.low <= value <= self.maximum
            and value == value.quantize(self.quantum)
            and not (self.exclusive_minimum and value == self.low)
        )

    def problem(self, value: Decimal | int) -> str | None:
        if isinstance(value, Decimal):
            if not value.is_finite():
                return f"{value} is not a finite number; write an ordinary number"
            if self.integer and value != value.to_integral_value():
                return f"{value} is not a whole number; {self.description}"
        if value > self.maximum or (self.minimum is None and value < -self.maximum):
            return f"{_show(value)} is too large; {self.description}"
        if self.minimum is not None and (
            value < self.minimum or (self.exclusive_minimum and value == self.minimum)
        ):
            return f"{_show(value)} is too small; {self.description}"
        if (
            not self.integer
            and isinstance(value, Decimal)
            # Trailing zeros are no precision (1.10000000000 is 1.1): only real places count.
            and value != value.quantize(self.quantum)
        ):
            return f"{_show(value)} has more than {self.places} decimal places; {self.description}"
        return None

    def json_schema(self) -> dict[str, Any]:
        """Numbers and decimal strings, as the decoders take them, with these bounds."""
        number: dict[str, Any] = {"type": "integer" if self.integer else "number"}
        # 999999999999999.99999999 is no float: bound it by 10^15, exclusive, instead
        # (the same numbers, given the decimal places).
        whole = self.maximum == self.maximum.to_integral_value()
        bound = int(self.maximum) if whole else int(self.maximum) + 1
        if self.minimum is not None:
            key = "exclusiveMinimum" if self.exclusive_minimum else "minimum"
            number[key] = _json_number(self.minimum)
        else:
            number["minimum" if whole else "exclusiveMinimum"] = -bound
        number["maximum" if whole else "exclusiveMaximum"] = bound
        if not self.integer:
            number["multipleOf"] = float(Decimal(1).scaleb(-self.places))
        return {
            "anyOf": [number, {"type": "string", "pattern": self.pattern()}],
            "description": self.description,
        }

    def pattern(self) -> str:
        """Decimal text the rule accepts (a subset: no exponent, no sign on positives)."""
        whole = str(int(self.maximum))
        sign = "" if self.minimum is not None and self.minimum >= 0 else "-?"
        places = "" if self.integer else f"(\\.[0-9]{{1,{self.places}}})?"
        if self.maximum == int(whole) and whole == "1" + "0" * (len(whole) - 1):
            # A power of ten (100, 10^9): fewer digits, or exactly the maximum.
            zeros = "" if self.integer else f"(\\.0{{1,{self.places}}})?"
            body = f"(0|[1-9][0-9]{{0,{len(whole) - 2}}}){places}|{whole}{zeros}"
        else:
            body = f"(0|[1-9][0-9]{{0,{len(whole) - 1}}}){places}"
        not_zero = "(?!0(\\.0*)?$)" if self.exclusive_minimum and self.minimum == 0 else ""
        return f"^{not_zero}{sign}(?:{body})$"


def _show(value: Decimal | int) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


_MONEY_MAX: Final = Decimal(10) ** MONEY_INTEGER_DIGITS - Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)
_MONEY_WORDS: Final = (
    f"at most {MONEY_INTEGER_DIGITS} digits before the decimal point and "
    f"{MONEY_DECIMAL_PLACES} after"
)

MONEY: Final = NumberRule(
    "money",
    Decimal(0),
    _MONEY_MAX,
    MONEY_DECIMAL_PLACES,
    description=f"an amount is zero or more, {_MONEY_WORDS}",
)
SIGNED_MONEY: Final = NumberRule(
    "signed-money",
    None,
    _MONEY_MAX,
    MONEY_DECIMAL_PLACES,
    description=f"a number with {_MONEY_WORDS}",
)
PERCENT: Final = NumberRule(
    "percent",
    Decimal(0),
    Decimal(100),
    MONEY_DECIMAL_PLACES,
    description=f"a percentage is 0 to 100, with at most {MONEY_DECIMAL_PLACES} decimal places",
)
VAT_PERCENT: Final = NumberRule(
    "vat-percent",
    Decimal(0),
    Decimal(100),
    VAT_PERCENT_DECIMAL_PLACES,
    description=(
        f"a VAT rate is 0 to 100 percent, with at most {VAT_PERCENT_DECIMAL_PLACES} decimal places"
    ),
)
QUANTITY: Final = NumberRule(
    "quantity",
    Decimal(0),
    Decimal(QUANTITY_MAX),
    0,
    integer=True,
    description=f"a quantity is a whole number from 0 to {QUANTITY_MAX:,}",
)
NUMBER_RULES: Final[dict[str, NumberRule]] = {
    rule.name: rule for rule in (MONEY, SIGNED_MONEY, PERCENT, VAT_PERCENT, QUANTITY)
}
