"""`piece/create|update|upsert` as a file declares them: what a validation worker
process loads of pieces (see `kinds`). No SQLAlchemy here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from geode.catalogue.components.definitions import pieces_named
from geode.catalogue.components.shapes import PieceInput
from geode.catalogue.intents.kinds import NAMED_OUTPUT, keys
from geode.massops.intents import Ref, ref_field
from geode.schemas import UnsetType


class PieceCreate(PieceInput, tag_field="intent", tag="piece/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class PieceUpdate(PieceInput, tag_field="intent", tag="piece/update", kw_only=True):
    """The reference's `piece/update` takes the create schema: `name` is required."""

    ref: Ref | UnsetType = ref_field()


class PieceUpsert(PieceInput, tag_field="intent", tag="piece/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()


PIECE_INTENTS = (PieceCreate, PieceUpdate, PieceUpsert)
PieceOperation = PieceCreate | PieceUpdate | PieceUpsert


def referenced_pieces(ops: Iterable[Any]) -> set[str]:
    """The pieces named by the definitions of these operations (for prefetching)."""
    found: set[str] = set()
    for op in ops:
        for name in ("components", "variantComponents"):
            value = getattr(op, name, msgspec.UNSET)
            if isinstance(value, list):
                found.update(identifier for identifier, _ in pieces_named(value, name))
    return found


class PieceSchema:
    name: str = "piece"
    operations: tuple[type[Any], ...] = PIECE_INTENTS
    key_fields: frozenset[str] = frozenset({"identifier"})

    def outputs(self, intent: str) -> frozenset[str]:
        return NAMED_OUTPUT

    def provides(self, op: Any) -> list[str]:
        return keys("piece", [op.identifier])

    def needs(self, op: Any) -> list[str]:
        """The pieces its definitions hold (a piece naming itself needs nothing)."""
        return keys("piece", sorted(referenced_pieces([op])))
