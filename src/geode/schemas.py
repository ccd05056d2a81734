"""Building blocks for input schemas shared by every domain.

Inputs are msgspec Structs: the benchmark shows them about twice as fast as
Pydantic on the bulk path, and one definition gives decoding, JSON Schema and
(through `massops.problems`) field-by-field error reports. Every bound comes
from `geode.limits`, so the file, the JSON Schema and the HTTP API agree.
"""

from __future__ import annotations

import types
import typing
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

import msgspec
from msgspec import UNSET, UnsetType

from geode import limits
from geode.limits import NumberRule

__all__ = [
    "UNSET",
    "Currency",
    "DateTimeText",
    "Email",
    "IdText",
    "Input",
    "Key",
    "KeyValuePair",
    "Money",
    "Name",
    "NonEmpty",
    "Percent",
    "Quantity",
    "SignedMoney",
    "Text",
    "UnsetType",
    "check_numbers",
    "number_meta",
    "without_key_patterns",
]

# `(?!\n)$` because Python's `$` also matches before a final newline.
TEMPLATE_ALTERNATIVE = r"|^\{\{[^\x00\n]*\}\}(?!\n)$"

IdText = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9a-f]{24}(?!\n)$" + TEMPLATE_ALTERNATIVE,
        description="24 lowercase hex characters, or a {{ ref.field }} template.",
    ),
]
Email = Annotated[
    str,
    msgspec.Meta(
        pattern=limits.EMAIL_PATTERN + r"|\{\{[^\x00\n]*\}\}",
        max_length=limits.NAME_MAX_LENGTH,
        description="An email address.",
    ),
]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
Key = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=limits.KEY_MAX_LENGTH,
        pattern=limits.KEY_PATTERN,
        description=(
            f"A key: 1 to {limits.KEY_MAX_LENGTH} characters, no control or invisible "
            "formatting characters."
        ),
    ),
]
Currency = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=limits.CURRENCY_MAX_LENGTH,
        pattern=limits.KEY_PATTERN,
        description=(
            f"The currency, e.g. EUR: 1 to {limits.CURRENCY_MAX_LENGTH} characters, no control "
            "or invisible formatting characters."
        ),
    ),
]
Name = Annotated[str, msgspec.Meta(max_length=limits.NAME_MAX_LENGTH)]
Text = Annotated[str, msgspec.Meta(max_length=limits.TEXT_MAX_LENGTH)]
DateTimeText = Annotated[
    str,
    msgspec.Meta(
        max_length=limits.DATETIME_MAX_LENGTH,
        description="An ISO-8601 date or date-time, e.g. 2024-05-01T12:30:00Z.",
        extra_json_schema={"format": "date-time"},
    ),
]


def number_meta(rule: NumberRule) -> msgspec.Meta:
    """For a Decimal field checked by `rule` (in `check_numbers`; msgspec bounds only ints
    and floats), documented by it in the JSON Schema (`finish_json_schema`)."""
    return msgspec.Meta(extra_json_schema={"x-geode-number": rule.name}, extra={"number": rule})


Money = Annotated[Decimal, number_meta(limits.MONEY)]
SignedMoney = Annotated[Decimal, number_meta(limits.SIGNED_MONEY)]
Percent = Annotated[Decimal, number_meta(limits.PERCENT)]
Quantity = Annotated[Decimal, number_meta(limits.QUANTITY)]


def check_numbers(obj: object, fields: tuple[tuple[str, NumberRule], ...]) -> None:
    """For `__post_init__`: raised errors become msgspec ValidationErrors with a path."""
    for name, rule in fields:
        value = getattr(obj, name)
        if value.__class__ is Decimal and rule.fits(value):
            continue
        if value is not UNSET and value is not None and (problem := rule.problem(value)):
            raise ValueError(f"`{name}`: {problem}")


def finish_json_schema(node: Any) -> Any:
    """The JSON Schema msgspec generates, with what it cannot say itself: the bounds of
    decimal fields, and that no string may hold NUL."""
    if isinstance(node, list):
        return [finish_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "x-geode-number" in node:
        rule = limits.NUMBER_RULES[node["x-geode-number"]]
        return rule.json_schema()
    done = {key: finish_json_schema(value) for key, value in node.items()}
    if done.get("type") == "string" and "pattern" not in done and "enum" not in done:
        done["pattern"] = "^[^\\u0000]*$"
    return done


class Input(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Base of every input: unknown fields are errors, absent fields stay UNSET."""


class KeyValuePair(Input):
    key: Key
    value: Text | UnsetType | None = UNSET


def without_key_patterns(tp: Any) -> Any:
    """`tp` with every key's character pattern (`limits.KEY_PATTERN`) taken out, for a
    decoder of documents already proven free of the characters it refuses
    (`limits.holds_no_key_bad_character`).

    msgspec checks a pattern by calling Python's `re` for each value, about 1 us
    each: an order with three cart lines holds ten keys (skus, currencies), a
    third of its typed decoding. Structs that change become subclasses of the
    originals (same fields, tags, checks in `__post_init__`), so `isinstance`
    and encoding see no difference; the others are kept as they are."""
    return _without_key_patterns(tp, {})


def _without_key_patterns(tp: Any, done: dict[type, type]) -> Any:
    origin = typing.get_origin(tp)
    if origin is Annotated:
        base, *metas = typing.get_args(tp)
        new_base = _without_key_patterns(base, done)
        new_metas = [_without_pattern(meta) for meta in metas]
        if new_base is base and all(n is m for n, m in zip(new_metas, metas, strict=True)):
            return tp
        return Annotated[(new_base, *new_metas)]
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return _struct_without_key_patterns(tp, done)
    args = typing.get_args(tp)
    if origin is None or origin is Literal or not args:
        return tp
    new_args = tuple(_without_key_patterns(arg, done) for arg in args)
    if all(n is a for n, a in zip(new_args, args, strict=True)):
        return tp
    if origin is Union or origin is types.UnionType:
        return Union[new_args]  # noqa: UP007 - built from a tuple
    return origin[new_args]


def _without_pattern(meta: Any) -> Any:
    if not isinstance(meta, msgspec.Meta) or meta.pattern != limits.KEY_PATTERN:
        return meta
    return msgspec.Meta(min_length=meta.min_length, max_length=meta.max_length)


def _struct_without_key_patterns(cls: type[msgspec.Struct], done: dict[type, type]) -> type:
    if cls in done:
        return done[cls]
    done[cls] = cls  # a struct that holds itself keeps its patterns below itself
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = []
    changed = False
    for info in msgspec.structs.fields(cls):
        new = _without_key_patterns(hints[info.name], done)
        changed = changed or new is not hints[info.name]
        if info.default is not msgspec.NODEFAULT:
            default: Any = msgspec.field(default=info.default, name=info.encode_name)
        elif info.default_factory is not msgspec.NODEFAULT:
            default = msgspec.field(default_factory=info.default_factory, name=info.encode_name)
        else:
            default = msgspec.field(name=info.encode_name)
        fields.append((info.name, new, default))
    if changed:
        config = cls.__struct_config__
        done[cls] = msgspec.defstruct(
            cls.__name__,
            fields,  # all of them again, else the changed ones would move to the end
            bases=(cls,),
            module=cls.__module__,
            tag=config.tag,
            tag_field=config.tag_field,
            kw_only=True,  # as every Input; required and optional fields then mix
        )
    return done[cls]
