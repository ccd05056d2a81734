"""Shared schema building blocks: the key-pattern-free twin of a decoding type."""

from __future__ import annotations

import typing
from typing import Any, Union

import msgspec
import pytest

from geode.assembly.intents import intent_registry
from geode.orders.documents import detach_documents
from geode.schemas import without_key_patterns

# The customer and order intents: the ones whose keys hold patterns on the hot path.
Operation = Union[  # noqa: UP007 - built from a tuple
    tuple(t for i, t in intent_registry.intents.items() if i.startswith(("customer/", "order/")))
]

ORDER = {
    "intent": "order/upsert", "id": "c34201db2c3aacdcaed54a46", "_ref": "o1",
    "createdAt": "2023-07-02T22:10:28Z", "customer": {"identifier": "cust-1"},
    "cart": [
        {"sku": "sku-598", "name": "Blanket", "quantity": 1,
         "price": {"gross": 274.46, "net": 219.57, "currency": "EUR"},
         "meta": [{"key": "colour", "value": "red"}]},
    ],
    "total": {"gross": 274.46, "net": 219.57, "currency": "EUR"},
    "payment": [{"provider": "stripe", "stripe": {"orderId": "ch_1"}}],
}  # fmt: skip


def structs(tp: Any, seen: dict[type, None]) -> dict[type, None]:
    """Every Struct type reachable from `tp`, in a stable order."""
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        if tp in seen:
            return seen
        seen[tp] = None
        for hint in typing.get_type_hints(tp, include_extras=True).values():
            structs(hint, seen)
        return seen
    for arg in typing.get_args(tp):
        structs(arg, seen)
    return seen


def test_every_struct_keeps_its_fields_names_defaults_and_configuration() -> None:
    lax = list(structs(without_key_patterns(Operation), {}))
    strict = list(structs(Operation, {}))
    assert len(lax) == len(strict)
    changed = 0
    for new, old in zip(lax, strict, strict=True):
        assert issubclass(new, old)
        changed += new is not old
        assert new.__struct_fields__ == old.__struct_fields__  # encoding order too
        assert new.__struct_encode_fields__ == old.__struct_encode_fields__
        for field in ("default", "default_factory"):
            assert [getattr(f, field) for f in msgspec.structs.fields(new)] == [
                getattr(f, field) for f in msgspec.structs.fields(old)
            ]
        names = [name for name in dir(old.__struct_config__) if not name.startswith("_")]
        for name in names:
            assert getattr(new.__struct_config__, name) == getattr(old.__struct_config__, name)
    assert changed  # skus, currencies and identifiers are keys


def test_the_twin_decodes_and_encodes_as_the_original() -> None:
    text = msgspec.json.encode(ORDER)
    lax = msgspec.json.decode(text, type=without_key_patterns(Operation))
    strict = msgspec.json.decode(text, type=Operation)
    assert msgspec.json.encode(lax) == msgspec.json.encode(strict)
    assert detach_documents(lax, ()) == detach_documents(strict, ())
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(lax), type=Operation) == strict


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("cart", 0, "sku"), "sku\u200b1"),
        (("total", "currency"), "EU\u202eR"),
        (("cart", 0, "meta", 0, "key"), "col\nour"),
    ],
)
def test_only_the_key_patterns_are_left_out(where: tuple[Any, ...], value: str) -> None:
    order: Any = msgspec.json.decode(msgspec.json.encode(ORDER))
    node = order
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    text = msgspec.json.encode(order)
    with pytest.raises(msgspec.ValidationError, match="matching regex"):
        msgspec.json.decode(text, type=Operation)
    msgspec.json.decode(text, type=without_key_patterns(Operation))
    node[where[-1]] = "x" * 257  # the length limit stays
    with pytest.raises(msgspec.ValidationError, match="length"):
        msgspec.json.decode(msgspec.json.encode(order), type=without_key_patterns(Operation))
    order["cart"][0]["price"]["gross"] = -1  # and so do the checks in __post_init__
    node[where[-1]] = "fine"
    with pytest.raises(msgspec.ValidationError, match="too small"):
        msgspec.json.decode(msgspec.json.encode(order), type=without_key_patterns(Operation))
