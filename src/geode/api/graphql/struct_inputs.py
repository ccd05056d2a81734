"""GraphQL input types made from the msgspec structs a file's operations decode to.

Component content, variants and the rest are declared once, as the structs of
the file format (`geode.catalogue.components`, `variant_inputs`, ...); the API
derives its input types from them, so the two cannot drift apart. GraphQL
checks the shape (a required field, a list, an object), then the input goes
back to plain JSON (`plain`) and is decoded by the same structs, with the same
bounds and messages, as a file's operation.

Mapping: text, numbers and booleans to String, Int, Float and Boolean (a
Decimal is a Float: msgspec reads it back through its shortest repr, exactly
what was typed); a struct to an input type named after it plus `Input`; a list
to a list; anything looser (a union of kinds, `Any`, a dict) to JSON.
"""

from __future__ import annotations

import keyword
from dataclasses import is_dataclass
from typing import Any

import msgspec
import msgspec.inspect as mi
import strawberry
from strawberry.scalars import JSON

_made: dict[type[Any], type[Any]] = {}
_SKIPPED = frozenset({"_ref", "intent"})


def input_type(struct: type[msgspec.Struct], name: str | None = None) -> Any:
    """The GraphQL input type of `struct` (made once, then reused)."""
    made = _made.get(struct)
    if made is not None:
        return made
    info = mi.type_info(struct)
    assert isinstance(info, mi.StructType)
    own = struct.__name__
    cls: type[Any] = type(name or (own if own.endswith("Input") else f"{own}Input"), (), {})
    _made[struct] = cls  # before the fields: a struct may hold itself (a chunk's content)
    annotations: dict[str, Any] = {}
    for field in info.fields:
        if field.encode_name in _SKIPPED:
            continue
        attribute = field.encode_name + "_" if keyword.iskeyword(field.encode_name) else field.name
        kind = _graphql_type(field.type)
        described = _description(field.type)
        if field.required:
            annotations[attribute] = kind
            setattr(cls, attribute, strawberry.field(name=field.encode_name, description=described))
        else:
            annotations[attribute] = kind | None
            setattr(
                cls,
                attribute,
                strawberry.field(
                    name=field.encode_name, description=described, default=strawberry.UNSET
                ),
            )
    cls.__annotations__ = annotations
    cls.__doc__ = (struct.__doc__ or "").strip().split("\n\n")[0] or None
    return strawberry.input(cls)


def _description(info: mi.Type) -> str | None:
    if isinstance(info, mi.UnionType):
        found = [_description(t) for t in info.types]
        return next((d for d in found if d), None)
    if isinstance(info, mi.Metadata) and info.extra_json_schema:
        description = info.extra_json_schema.get("description")
        return description if isinstance(description, str) else None
    return None


def _graphql_type(info: mi.Type) -> Any:
    if isinstance(info, mi.Metadata):
        return _graphql_type(info.type)
    if isinstance(info, mi.UnionType):
        kinds = [t for t in info.types if not isinstance(t, mi.NoneType)]
        if len(kinds) == 1:
            return _graphql_type(kinds[0])
        return JSON
    if isinstance(info, mi.StrType | mi.DateTimeType | mi.DateType):
        return str
    if isinstance(info, mi.LiteralType):
        return str if all(isinstance(v, str) for v in info.values) else JSON
    if isinstance(info, mi.BoolType):
        return bool
    if isinstance(info, mi.IntType):
        return int
    if isinstance(info, mi.FloatType | mi.DecimalType):
        return float
    if isinstance(info, mi.ListType | mi.VarTupleType | mi.SetType | mi.FrozenSetType):
        return list[_graphql_type(info.item_type)]  # type: ignore[misc]
    if isinstance(info, mi.StructType):
        return input_type(info.cls)
    return JSON


def plain(value: Any) -> Any:
    """An input as the JSON a file would hold: input objects become dicts of their
    GraphQL names, fields left out (`UNSET`) are left out, an explicit null stays."""
    definition = getattr(value, "__strawberry_definition__", None)
    if definition is not None and is_dataclass(value):
        found: dict[str, Any] = {}
        for field in definition.fields:
            item = getattr(value, field.python_name)
            if item is strawberry.UNSET:
                continue
            found[field.graphql_name or field.python_name] = plain(item)
        return found
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
