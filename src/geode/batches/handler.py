"""What a batch type plugs into the job runner: a schema per object and a set-based apply.

The runner validates every object against `schema` first; an object that
fails becomes a `failed` item naming its keys and the field at fault, and
never reaches `apply`. `apply` gets the valid objects of one slice, in
request order, inside the slice's transaction (it must not commit), and
answers one `ObjectResult` per object, in the same order.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel


@dataclass(slots=True)
class ObjectResult:
    """One response item: the object's keys plus `message` (success) or `error`."""

    ok: bool
    item: dict[str, Any]


def keys_of(obj: Mapping[str, Any], key_fields: Sequence[str]) -> dict[str, Any]:
    """The object's key fields that are present and scalar, for its response item."""
    return {
        name: obj[name]
        for name in key_fields
        if isinstance(obj.get(name), str | int | float) and not isinstance(obj.get(name), bool)
    }


M = TypeVar("M", bound=BaseModel)


def narrow(objects: Sequence[BaseModel], schema: builtins.type[M]) -> list[M]:
    """The runner hands a handler instances of its own `schema`; anything else is a
    wiring bug, caught here rather than as an AttributeError deep in a handler."""
    narrowed: list[M] = []
    for obj in objects:
        if not isinstance(obj, schema):
            raise TypeError(f"expected {schema.__name__}, got {type(obj).__name__}")
        narrowed.append(obj)
    return narrowed


def succeeded(keys: dict[str, Any], message: str, **extra: Any) -> ObjectResult:
    return ObjectResult(True, {**keys, "message": message, **extra})


def failed(keys: dict[str, Any], error: str) -> ObjectResult:
    return ObjectResult(False, {**keys, "error": error})


class BatchHandler(Protocol):
    type: str
    """The path segment: customers, orders, balance-inquiry, ..."""
    operation: str
    """The job's `operation` label, e.g. "Customer Creation Batch Job"."""
    key_fields: tuple[str, ...]
    """Fields copied into every response item, e.g. ("customerId",)."""
    schema: builtins.type[BaseModel]
    """One object of the request body; also the OpenAPI documentation of it."""

    def apply(
        self, connection: sa.Connection, tenant_id: str, objects: Sequence[BaseModel]
    ) -> list[ObjectResult]: ...
