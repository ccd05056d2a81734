"""The catalogue's intents, as one family registered with the engine.

One family, so that one batch holds every kind (`CatalogueBatch`): an item sees
the shape an earlier operation of its batch created. Each kind is a module of
this package (`pieces`, `shapes`; items, topics, variants... join the same way).
Names and fields follow @crystallize/schema 6.14 (src/mass-operation/*.ts).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.catalogue.intents.batch import (
    NAMED_OUTPUT,
    CatalogueBatch,
    CataloguePending,
    referenced_pieces,
)
from geode.catalogue.intents.pieces import (
    PIECE_INTENTS,
    PieceCreate,
    PieceUpdate,
    PieceUpsert,
    apply_piece,
    piece_operations,
)
from geode.catalogue.intents.shapes import (
    SHAPE_INTENTS,
    ShapeCreate,
    ShapeUpdate,
    ShapeUpsert,
    apply_shape,
    shape_operations,
)
from geode.massops.intents import BatchContext, IntentFamily
from geode.outcomes import Applied

__all__ = ["CatalogueIntents"]

_OUTPUTS = {struct.__struct_config__.tag: NAMED_OUTPUT for struct in PIECE_INTENTS + SHAPE_INTENTS}


class _Batch:
    def __init__(self, batch: CatalogueBatch) -> None:
        self.batch = batch

    def prefetch(self, ops: Sequence[Any]) -> None:
        pieces = referenced_pieces(ops)
        shapes: list[str] = []
        for op in ops:
            if isinstance(op, PieceCreate | PieceUpdate | PieceUpsert):
                pieces.add(op.identifier)
            elif isinstance(op, ShapeCreate | ShapeUpdate | ShapeUpsert):
                shapes.append(op.identifier)
        self.batch.pieces.prefetch(pieces)
        self.batch.shapes.prefetch(shapes)

    def apply(self, op: Any, documents: dict[str, str] | None) -> Applied:
        if isinstance(op, PieceCreate | PieceUpdate | PieceUpsert):
            return apply_piece(self.batch, op)
        if isinstance(op, ShapeCreate | ShapeUpdate | ShapeUpsert):
            return apply_shape(self.batch, op)
        raise AssertionError(f"not a catalogue intent: {type(op).__name__}")

    def record(self, batch: int) -> None:
        self.batch.record(batch)

    def plan(self) -> list[Any]:
        return self.batch.plan()


class _Keys(msgspec.Struct):
    intent: str
    identifier: Any = None


class _Planner:
    """A piece or shape is keyed by its identifier; where some operation's
    identifier is a template, every record of that kind shares one key."""

    def __init__(self) -> None:
        self.collapsed: set[str] = set()

    def survey(self, op: _Keys, key_templated: bool, templated: bool) -> None:
        if key_templated:
            self.collapsed.add(_kind(op.intent))

    def key(self, op: _Keys, raw: msgspec.Raw) -> str | None:
        kind = _kind(op.intent)
        return kind if kind in self.collapsed else f"{kind}\x1f{op.identifier}"


def _kind(intent: str) -> str:
    return intent.partition("/")[0]


class CatalogueIntents(IntentFamily):
    name = "catalogue"
    operations = (*PIECE_INTENTS, *SHAPE_INTENTS)
    key_fields = frozenset({"identifier"})
    lookup_tables = ("pieces", "shapes")
    planning_fields = _Keys

    def outputs(self, intent: str) -> frozenset[str]:
        return _OUTPUTS[intent]

    def new_pending(self) -> CataloguePending:
        return CataloguePending()

    def open_batch(self, context: BatchContext, pending: Any) -> _Batch:
        return _Batch(CatalogueBatch(context, pending))

    def key_planner(self) -> _Planner:
        return _Planner()

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        """Pieces (each after those it holds), then shapes: the order they re-import in."""
        yield from piece_operations(connection, tenant_id)
        yield from shape_operations(connection, tenant_id)
