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
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.keyed import write_keyed
from geode.catalogue.intents.piece_inputs import (
    PieceOperation,
    PieceSchema,
    PieceUpsert,
    referenced_pieces,
)
from geode.db.base import table_of
from geode.db.keyed_writer import Row
from geode.db.pages import tenant_pages
from geode.outcomes import Applied
from geode.schemas import UNSET


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


class Pieces(PieceSchema):
    lookup_tables: tuple[str, ...] = ("pieces",)

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        batch.pieces.prefetch({op.identifier for op in ops} | referenced_pieces(ops))

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        return apply_piece(batch, op)

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        return piece_operations(connection, tenant_id)
