"""Field-by-field reports for operations that fail the msgspec fast path.

msgspec stops at the first error, which makes fixing a large file a slow loop of
re-runs. When `msgspec.convert` rejects an operation, this module walks the raw
value against the same Structs (through `msgspec.inspect`) so the schema stays
defined once, and reports every problem it finds in words a user can act on.
Checks the walk does not model (`__post_init__`, number bounds) are found by asking
msgspec itself about a struct whose fields all looked fine.
"""

from __future__ import annotations

import decimal
import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Final

import msgspec
from msgspec import inspect as mi

from geode import limits
from geode.limits import NumberRule
from geode.massops.intents import IntentSchemas, Ref
from geode.schemas import Email, IdText
from geode.util import with_article

__all__ = ["Problem", "explain_operation", "operation_path", "suggest"]


@dataclass(frozen=True, slots=True)
class Problem:
    index: int | None
    intent: str | None
    path: str
    message: str
    code: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _unwrap(info: mi.Type) -> mi.Type:
    while isinstance(info, mi.Metadata):
        info = info.type
    return info


def _rule_of(info: mi.Type) -> NumberRule | None:
    """The `geode.limits` rule a Decimal field carries (`geode.schemas.number_type`)."""
    while isinstance(info, mi.Metadata):
        rule = (info.extra or {}).get("number")
        if isinstance(rule, NumberRule):
            return rule
        info = info.type
    return None


def _pattern_of(annotated: object) -> str | None:
    info = _unwrap(mi.type_info(annotated))
    return info.pattern if isinstance(info, mi.StrType) else None


_ID_PATTERN: Final = _pattern_of(IdText)
_EMAIL_PATTERN: Final = _pattern_of(Email)
_REF_PATTERN: Final = _pattern_of(Ref)
# Words people use for a value the schema spells differently.
_SYNONYMS: Final = {"shipping": "delivery"}
_MONEY_FIELDS: Final = frozenset({"gross", "net", "amount", "price"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# msgspec appends where it failed: " - at `$.a[0].b`" or " - at `key` in `$.a`".
_AT = re.compile(r" - at (?:`key` in )?`\$([^`]*)`$")


def _child(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    if _IDENTIFIER.match(part):
        return f"{path}.{part}"
    return f"{path}[{json.dumps(part)}]"


def operation_path(index: int, *parts: str | int) -> str:
    path = f"$.operations[{index}]"
    for part in parts:
        path = _child(path, part)
    return path


def suggest(word: str, choices: Iterable[str]) -> str | None:
    options = list(choices)
    for option in options:
        if option.lower() == word.lower():
            return option
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def _is_number(value: object) -> bool:
    # bool is an int subclass, but msgspec (like JSON) treats it as its own kind.
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _shown(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if _is_number(value):
        return f"a number ({_shown(value)})"
    if isinstance(value, str):
        return f"a string ({_shown(value)})"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return with_article(type(value).__name__)


_EXPECTED: Final = (
    (mi.StrType, "a string"),
    (mi.IntType, "an integer"),
    (mi.DecimalType | mi.FloatType, "a number"),
    (mi.BoolType, "true or false"),
    (mi.CollectionType, "a list"),
    (mi.StructType | mi.DictType, "an object"),
    (mi.NoneType, "null"),
)


def _expects(info: mi.Type) -> str:
    info = _unwrap(info)
    if isinstance(info, mi.LiteralType):
        return "one of " + ", ".join(str(v) for v in info.values)
    return next((text for kinds, text in _EXPECTED if isinstance(info, kinds)), "something else")


def _fits_kind(info: mi.Type, value: object) -> bool:
    """Whether `value` is the right JSON kind for `info`, before finer checks."""
    if isinstance(info, mi.NoneType):
        return value is None
    if isinstance(info, mi.StrType):
        return isinstance(value, str)
    if isinstance(info, mi.LiteralType):
        return any(type(value) is type(v) for v in info.values)
    if isinstance(info, mi.DecimalType):
        return _is_number(value) or isinstance(value, str)  # msgspec reads numeric text
    if isinstance(info, mi.IntType):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(info, mi.FloatType):
        return _is_number(value)
    if isinstance(info, mi.BoolType):
        return isinstance(value, bool)
    if isinstance(info, mi.CollectionType):
        return isinstance(value, list | tuple)
    if isinstance(info, mi.StructType | mi.DictType):
        return isinstance(value, dict)
    return True  # kinds this schema does not use: left to the msgspec fallback


def _error_text(exc: Exception) -> str:
    if isinstance(exc, decimal.DecimalException):
        return "a number here is not finite (NaN or Infinity); use an ordinary number"
    return str(exc) or type(exc).__name__


class _Walker:
    """Collects the problems of one operation; one instance per call."""

    def __init__(self, index: int, intent: str) -> None:
        self.index = index
        self.intent = intent
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, code: str) -> None:
        self.problems.append(Problem(self.index, self.intent, path, message, code))

    def wrong_type(self, path: str, expected: str, value: object, hint: str = "") -> None:
        self.add(path, f"expected {expected}, got {_describe(value)}{hint}", "invalid_type")

    def from_msgspec(self, exc: Exception, path: str) -> None:
        text = _error_text(exc)
        if isinstance(exc, msgspec.ValidationError) and (at := _AT.search(text)):
            path, text = path + at.group(1), text[: at.start()]
        self.add(path, text, "invalid_value")

    def value(self, value: object, info: mi.Type, path: str, name: str) -> None:
        rule = _rule_of(info)
        info = _unwrap(info)
        if isinstance(info, mi.UnionType):
            self.union(value, info, path, name)
        elif not _fits_kind(info, value):
            hint = ""
            if isinstance(info, mi.StrType) and info.pattern == _REF_PATTERN:
                hint = "; " + _REF_RULE
            elif isinstance(info, mi.DecimalType | mi.FloatType | mi.IntType):
                hint = _number_hint(name) if isinstance(value, str) else ""
            self.wrong_type(path, _expects(info), value, hint)
        elif isinstance(info, mi.StrType) and isinstance(value, str):
            self.string(value, info, path)
        elif isinstance(info, mi.LiteralType):
            self.literal(value, info, path)
        elif isinstance(info, mi.DecimalType):
            self.number(value, rule, path, name)
        elif isinstance(info, mi.CollectionType):
            self.collection(value, info, path, name)
        elif isinstance(info, mi.DictType) and isinstance(value, dict):
            for key, item in value.items():
                self.value(key, info.key_type, path, name)
                self.value(item, info.value_type, _child(path, str(key)), name)
        elif isinstance(info, mi.StructType):
            self.struct(value, info, path, name)

    def number(self, value: object, rule: NumberRule | None, path: str, name: str) -> None:
        try:
            number = msgspec.convert(value if isinstance(value, str) else str(value), Decimal)
        except msgspec.ValidationError:
            self.wrong_type(path, "a number", value, _number_hint(name))
            return
        problem = rule.problem(number) if rule is not None else None
        if problem is not None:
            self.add(path, problem, "invalid_value")

    def union(self, value: object, info: mi.UnionType, path: str, name: str) -> None:
        members = [_unwrap(m) for m in info.types]
        # Members keep their metadata for the walk: it carries number rules.
        fitting = [m for m in info.types if _fits_kind(_unwrap(m), value)]
        if not fitting:
            expected = " or ".join(dict.fromkeys(_expects(m) for m in members))
            hint = _number_hint(name) if isinstance(value, str) and "a number" in expected else ""
            self.wrong_type(path, expected, value, hint)
            return
        # Several members of the same kind: report against the first one that fits.
        best: list[Problem] | None = None
        for member in fitting:
            trial = _Walker(self.index, self.intent)
            trial.value(value, member, path, name)
            if not trial.problems:
                return
            best = best or trial.problems
        self.problems.extend(best or [])

    def string(self, value: str, info: mi.StrType, path: str) -> None:
        too_short = info.min_length is not None and len(value) < info.min_length
        too_long = info.max_length is not None and len(value) > info.max_length
        mismatch = info.pattern is not None and re.search(info.pattern, value) is None
        if not (too_short or too_long or mismatch):
            return
        if info.pattern == _REF_PATTERN and not too_long:
            message = f"{_shown(value)} is not a valid _ref; {_REF_RULE}"
        elif too_short:
            message = "must not be empty" if value == "" else f"needs {info.min_length}+ characters"
        elif too_long:
            message = (
                f"is {len(value):,} characters long; at most {info.max_length:,} are allowed "
                "(docs/limits.md)"
            )
        elif info.pattern == limits.KEY_PATTERN:
            message = limits.key_problem(value) or f"{_shown(value)} is not a valid key"
        elif info.pattern == _ID_PATTERN:
            message = (
                f"{_shown(value)} is not an id: ids are 24 lowercase hex characters "
                "(or a {{ ref.field }} template)"
            )
        elif info.pattern == _EMAIL_PATTERN:
            message = f"{_shown(value)} is not an email address"
        else:
            message = f"{_shown(value)} must match the pattern {info.pattern}"
        self.add(path, message, "invalid_value")

    def literal(self, value: object, info: mi.LiteralType, path: str) -> None:
        if any(type(value) is type(v) and value == v for v in info.values):
            return
        allowed = [str(v) for v in info.values]
        message = f"{_shown(value)} is not one of {', '.join(allowed)}"
        if isinstance(value, str):
            close = _SYNONYMS.get(value)
            close = close if close in allowed else suggest(value, allowed)
            if close:
                message += f"; did you mean {close!r}?"
        self.add(path, message, "invalid_value")

    def collection(self, value: Any, info: mi.CollectionType, path: str, name: str) -> None:
        if info.min_length is not None and len(value) < info.min_length:
            self.add(path, f"needs at least {info.min_length} item(s)", "invalid_value")
        if info.max_length is not None and len(value) > info.max_length:
            self.add(path, f"allows at most {info.max_length} item(s)", "invalid_value")
        for position, item in enumerate(value):
            self.value(item, info.item_type, _child(path, position), name)

    def struct(self, value: Any, info: mi.StructType, path: str, where: str) -> None:
        before = len(self.problems)
        fields = {f.encode_name: f for f in info.fields}
        for key, item in value.items():
            if not isinstance(key, str):
                self.add(path, f"field names must be strings, got {_describe(key)}", "invalid_type")
            elif info.tag_field is not None and key == info.tag_field:
                if item != info.tag:
                    self.add(_child(path, key), f"must be {info.tag!r} here", "invalid_value")
            elif key in fields:
                self.value(item, fields[key].type, _child(path, key), key)
            elif info.forbid_unknown_fields:
                self.unknown(key, sorted(fields), _child(path, key), where)
        for field in info.fields:
            if field.required and field.encode_name not in value:
                message = f"{field.encode_name!r} is required"
                self.add(_child(path, field.encode_name), message, "missing_field")
        if len(self.problems) == before:
            # Every field looked fine, so a __post_init__ check or an unmodelled bound
            # failed; only msgspec can say which.
            try:
                msgspec.convert(value, info.cls)
            except Exception as exc:  # __post_init__ may raise beyond ValidationError
                self.from_msgspec(exc, path)

    def unknown(self, key: str, allowed: list[str], path: str, where: str) -> None:
        close = suggest(key, allowed)
        hint = f"did you mean {close!r}?" if close else f"allowed fields: {', '.join(allowed)}"
        self.add(path, f"unknown field {key!r} on {where}; {hint}", "unknown_field")


_REF_RULE: Final = (
    "a _ref must be a non-empty name of letters, digits, _ or -, not starting with a digit or -"
)


def _number_hint(name: str) -> str:
    return (
        "; write money as a JSON number"
        if name in _MONEY_FIELDS
        else "; write it as a JSON number, without quotes"
    )


def explain_operation(index: int, raw: object, intents: IntentSchemas) -> list[Problem]:
    """Problems of one operation, for reports that show everything at once.

    Only called on the slow path, so it first re-runs msgspec: an operation msgspec
    accepts has no problems, whatever the walk below might think.
    """
    try:
        msgspec.convert(raw, intents.operation)
    except Exception as exc:
        error = exc
    else:
        return []
    path = operation_path(index)
    structs = intents.struct_infos
    names = ", ".join(intents.intents)
    if not isinstance(raw, dict):
        message = f"an operation must be an object with an 'intent', got {_describe(raw)}"
        return [Problem(index, None, path, message, "not_an_object")]
    if "intent" not in raw:
        message = f"the operation has no 'intent'; use one of: {names}"
        return [Problem(index, None, _child(path, "intent"), message, "missing_intent")]
    intent = raw["intent"]
    if not isinstance(intent, str):
        message = f"expected the intent as a string, got {_describe(intent)}; use one of: {names}"
        return [Problem(index, None, _child(path, "intent"), message, "invalid_type")]
    if intent not in structs:
        close = suggest(intent, intents.intents)
        hint = f"; did you mean {close!r}?" if close else "."
        message = f"unknown intent {_shown(intent)}{hint} Valid intents: {names}"
        return [Problem(index, None, _child(path, "intent"), message, "unknown_intent")]
    walker = _Walker(index, intent)
    walker.struct(raw, structs[intent], path, intent)
    if not walker.problems:
        walker.from_msgspec(error, path)
    return walker.problems
