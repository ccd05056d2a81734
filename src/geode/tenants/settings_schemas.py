"""The settings file of `geode tenant configure`, read strictly and reported whole.

`{"languages": [...], "vatTypes": [...], "priceVariants": [...], "stockLocations": [...]}`,
every key optional; `geode tenant show --json` adds `id`, `identifier`, `createdAt` and
`rootItemId`, which are accepted and must name the tenant being configured. The
file is small, so every entry is checked on its own and every problem is listed at
its JSON path (`$.vatTypes[1].percent`) before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Final, TypeVar

import msgspec

from geode import limits
from geode.errors import InvalidInputError
from geode.json_input import JsonInputError, PathPart, decode_checked, encoding_problem, json_path
from geode.schemas import (
    UNSET,
    Currency,
    DateTimeText,
    Input,
    Key,
    UnsetType,
    check_numbers,
    number_meta,
)
from geode.util import with_article

LanguageCode = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=limits.LANGUAGE_CODE_MAX_LENGTH,
        pattern=limits.LANGUAGE_CODE_PATTERN,
        description="A language code such as en or nb-NO: letters, digits, '-' and '_'.",
    ),
]
SettingName = Annotated[str, msgspec.Meta(min_length=1, max_length=limits.NAME_MAX_LENGTH)]
RecordId = Annotated[
    str,
    msgspec.Meta(pattern=r"^[0-9a-f]{24}(?!\n)$", description="24 lowercase hex characters."),
]
VatPercent = Annotated[Decimal, number_meta(limits.VAT_PERCENT)]


class LanguageInput(Input, kw_only=True):
    code: LanguageCode
    name: SettingName


class VatTypeInput(Input, kw_only=True):
    id: RecordId | UnsetType = UNSET
    name: SettingName
    percent: VatPercent
    isDefault: bool = False

    def __post_init__(self) -> None:
        check_numbers(self, (("percent", limits.VAT_PERCENT),))


class PriceVariantInput(Input, kw_only=True):
    identifier: Key
    name: SettingName
    currency: Currency


class StockLocationInput(Input, kw_only=True):
    identifier: Key
    name: SettingName


class SettingsHeader(Input, kw_only=True):
    """What `tenant show --json` prints about the tenant itself: checked, never changed."""

    id: RecordId | UnsetType = UNSET
    identifier: Annotated[str, msgspec.Meta(max_length=64)] | UnsetType = UNSET
    createdAt: DateTimeText | UnsetType = UNSET
    rootItemId: RecordId | UnsetType = UNSET


@dataclass(frozen=True)
class SettingsInput:
    """A parsed file; None for a setting the file leaves alone."""

    header: SettingsHeader
    languages: list[LanguageInput] | None = None
    vat_types: list[VatTypeInput] | None = None
    price_variants: list[PriceVariantInput] | None = None
    stock_locations: list[StockLocationInput] | None = None


# file key -> (entry struct, the fields no two entries may share, what one entry is)
_SECTIONS: Final[dict[str, tuple[type[Input], tuple[str, ...], str]]] = {
    "languages": (LanguageInput, ("code",), "language"),
    "vatTypes": (VatTypeInput, ("id", "name"), "VAT type"),
    "priceVariants": (PriceVariantInput, ("identifier",), "price variant"),
    "stockLocations": (StockLocationInput, ("identifier",), "stock location"),
}
_HEADER: Final = ("id", "identifier", "createdAt", "rootItemId")
_FIELDS: Final = (*_HEADER, *_SECTIONS)
# msgspec appends where it failed: " - at `$.a[0].b`" or " - at `key` in `$.a`".
_AT = re.compile(r" - at (?:`key` in )?`\$([^`]*)`$")
_UNKNOWN = re.compile(r"^Object contains unknown field `([^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `([^`]*)`$")
_IN_POST_INIT = re.compile(r"^`([A-Za-z]+)`: (.*)$", re.DOTALL)
_ID_WORDS: Final = "must be 24 lowercase hex characters, as `geode tenant show --json` prints ids"
_KEY_WORDS: Final = "must not hold control or invisible formatting characters"
# What a field's pattern means, for msgspec's "Expected `str` matching regex ...".
_PATTERN_WORDS: Final = {
    "id": _ID_WORDS,
    "rootItemId": _ID_WORDS,
    "code": (
        f"a language code is 1 to {limits.LANGUAGE_CODE_MAX_LENGTH} letters, digits, '-' "
        "or '_', starting with a letter or digit (e.g. en, nb-NO)"
    ),
    "identifier": _KEY_WORDS,
    "currency": _KEY_WORDS,
}

S = TypeVar("S", bound=Input)


def problem(path: str, message: str, code: str) -> dict[str, str]:
    return {"path": path, "message": message, "code": code}


def parse_settings(raw: bytes, max_depth: int, source: str = "the settings file") -> SettingsInput:
    """The file's settings, or InvalidInputError listing every problem (`detail`)."""
    value = _decode(raw, max_depth, source)
    problems: list[dict[str, str]] = [
        problem(json_path("$", list(parts)), message, "invalid_text")
        for parts, message in limits.text_problems(value)
    ]
    if not isinstance(value, dict):
        problems.append(problem("$", "the settings must be a JSON object", "invalid_type"))
        raise _refused(source, problems)
    for key in value:
        if key not in _FIELDS:
            problems.append(
                problem(
                    json_path("$", [key]),
                    f"unknown field; a settings file holds {', '.join(_FIELDS)}",
                    "unknown_field",
                )
            )
    header = _convert({k: value[k] for k in _HEADER if k in value}, SettingsHeader, [], problems)
    sections = {
        key: _section(value[key], key, problems) if key in value else None for key in _SECTIONS
    }
    if problems or header is None:
        raise _refused(source, problems)
    return SettingsInput(
        header,
        _typed(sections["languages"], LanguageInput),
        _typed(sections["vatTypes"], VatTypeInput),
        _typed(sections["priceVariants"], PriceVariantInput),
        _typed(sections["stockLocations"], StockLocationInput),
    )


def _decode(raw: bytes, max_depth: int, source: str) -> Any:
    where = f"{source} is not valid JSON"
    encoding = encoding_problem(raw[:4])
    if encoding is not None:
        raise InvalidInputError(f"{where}: {encoding}")
    try:
        return decode_checked(raw, max_depth)
    except msgspec.DecodeError as exc:
        reason = limits.bad_escape_message(raw) or exc
        raise InvalidInputError(f"{where}: {reason}") from None
    except JsonInputError as exc:
        raise _refused(source, [problem(exc.path, exc.message, exc.code)]) from None


def _refused(source: str, problems: list[dict[str, str]]) -> InvalidInputError:
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return InvalidInputError(
        f"{source} was refused ({count}); nothing was changed", detail=problems
    )


def _section(entries: Any, key: str, problems: list[dict[str, str]]) -> list[Input] | None:
    struct, unique_fields, what = _SECTIONS[key]
    path = json_path("$", [key])
    if not isinstance(entries, list):
        problems.append(problem(path, f"must be a list of {what} objects", "invalid_type"))
        return None
    if not entries:
        problems.append(
            problem(
                path,
                f"the list is empty, but a tenant needs at least one {what}; "
                f"leave `{key}` out to keep the current ones",
                "empty_list",
            )
        )
        return None
    before = len(problems)
    parsed = [
        _convert(entry, struct, [key, index], problems) for index, entry in enumerate(entries)
    ]
    for field in unique_fields:
        seen: dict[object, int] = {}
        for index, entry in enumerate(parsed):
            value = getattr(entry, field, UNSET)
            if value is UNSET:
                continue
            if value in seen:
                problems.append(
                    problem(
                        json_path("$", [key, index, field]),
                        f"{with_article(what)} with {field} {value!r} is already at "
                        f"{json_path('$', [key, seen[value]])}; each may appear once",
                        "duplicate",
                    )
                )
            else:
                seen[value] = index
    if key == "vatTypes":
        defaults = [i for i, entry in enumerate(parsed) if getattr(entry, "isDefault", False)]
        for index in defaults[1:]:
            problems.append(
                problem(
                    json_path("$", [key, index, "isDefault"]),
                    "only one VAT type can be the default, and "
                    f"{json_path('$', [key, defaults[0]])} already is",
                    "two_defaults",
                )
            )
    if len(problems) > before:
        return None
    return [entry for entry in parsed if entry is not None]


def _convert(
    value: Any, struct: type[S], parts: list[PathPart], problems: list[dict[str, str]]
) -> S | None:
    try:
        return msgspec.convert(value, struct)
    except msgspec.ValidationError as exc:
        problems.append(_validation_problem(str(exc), parts))
        return None


def _validation_problem(text: str, parts: Sequence[PathPart]) -> dict[str, str]:
    """msgspec's message, with its path made absolute."""
    base = json_path("$", list(parts))
    path, message = base, text
    if (at := _AT.search(text)) is not None:
        path, message = base + at.group(1), text[: at.start()]
    if (unknown := _UNKNOWN.match(message)) is not None:
        path = json_path(path, [unknown.group(1)])
        return problem(path, "unknown field", "unknown_field")
    if (missing := _MISSING.match(message)) is not None:
        path = json_path(path, [missing.group(1)])
        return problem(path, "this field is required", "missing_field")
    if "matching regex" in message:
        field = path.rsplit(".", 1)[-1]
        message = _PATTERN_WORDS.get(field, message)
    if (inner := _IN_POST_INIT.match(message)) is not None:
        path, message = json_path(path, [inner.group(1)]), inner.group(2)
    return problem(path, message, "invalid_value")


def _typed(entries: list[Input] | None, struct: type[S]) -> list[S] | None:
    if entries is None:
        return None
    return [entry for entry in entries if isinstance(entry, struct)]
