"""`piece/create|update|upsert`: reusable groups of component definitions.

`components`, when present, replaces the stored list whole: definitions are the
schema of every item that holds the piece, and merging them by id would keep a
definition the file left out, which nobody reading the file would expect.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.components.definitions import decode_definitions, pieces_named
from geode.catalogue.components.shapes import PieceInput
from geode.catalogue.documents import dump
from geode.catalogue.intents.batch import CatalogueBatch, referenced_pieces
from geode.catalogue.intents.keyed import NAMED_OUTPUT, write_keyed
from geode.catalogue.intents.kinds import keys
from geode.db.base import table_of
from geode.db.keyed_writer import Row
from geode.db.pages import tenant_pages
from geode.massops.intents import Ref, ref_field
from geode.outcomes import Applied
from geode.schemas import UNSET, UnsetType


class PieceCreate(PieceInput, tag_field="intent", tag="piece/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class PieceUpdate(PieceInput, tag_field="intent", tag="piece/update", kw_only=True):
    """The reference's `piece/update` takes the create schema: `name` is required."""

    ref: Ref | UnsetType = ref_field()


class PieceUpsert(PieceInput, tag_field="intent", tag="piece/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()


PIECE_INTENTS = (PieceCreate, PieceUpdate, PieceUpsert)
PieceOperation = PieceCreate | PieceUpdate | PieceUpsert


def piece_values(op: PieceInput) -> Row:
    values: Row = {"name": op.name}
    if op.components is not UNSET:
        values["components"] = None if op.components is None else dump(op.components)
    return values


def apply_piece(batch: CatalogueBatch, op: PieceOperation) -> Applied:
    batch.require_pieces(op.components, "components")
    return write_keyed(batch.pieces, op, op.identifier, piece_values(op))


def piece_operations(connection: sa.Connection, tenant_id: str) -> Iterator[PieceUpsert]:
    """Every piece as an upsert, each after the pieces it holds, so the file
    re-imports in its own order. (Pieces are few: they are sorted in memory.)"""
    table = table_of(models.Piece)
    pieces: dict[str, PieceUpsert] = {}
    for rows in tenant_pages(connection, table, tenant_id, "identifier"):
        for row in rows:
            pieces[row["identifier"]] = PieceUpsert(
                identifier=row["identifier"],
                name=row["name"],
                components=decode_definitions(row["components"]),
            )
    done: set[str] = set()

    def emit(identifier: str, seen: frozenset[str]) -> Iterator[PieceUpsert]:
        piece = pieces.get(identifier)
        if piece is None or identifier in done or identifier in seen:
            return  # missing, written, or a cycle (written in identifier order)
        components: Any = piece.components
        for named, _ in pieces_named(components, "components"):
            yield from emit(named, seen | {identifier})
        done.add(identifier)
        yield piece

    for identifier in pieces:
        yield from emit(identifier, frozenset())


class Pieces:
    name: str = "piece"
    operations: tuple[type[Any], ...] = PIECE_INTENTS
    key_fields: frozenset[str] = frozenset({"identifier"})
    lookup_tables: tuple[str, ...] = ("pieces",)

    def outputs(self, intent: str) -> frozenset[str]:
        return NAMED_OUTPUT

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        batch.pieces.prefetch({op.identifier for op in ops} | referenced_pieces(ops))

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        return apply_piece(batch, op)

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        return piece_operations(connection, tenant_id)

    def provides(self, op: Any) -> list[str]:
        return keys("piece", [op.identifier])

    def needs(self, op: Any) -> list[str]:
        """The pieces its definitions hold (a piece naming itself needs nothing)."""
        return keys("piece", sorted(referenced_pieces([op])))
