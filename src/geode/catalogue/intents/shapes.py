"""`shape/create|update|upsert`: what an item is made of.

As for pieces, `components` and `variantComponents` present replace the stored
lists whole (definitions are a schema; merging them by id would keep ones the
file dropped). A shape keeps its type: `shape/update` has none, and an upsert
naming another type than the stored one fails (`shape_type_change`), since the
items of the shape are of that type.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.components.definitions import decode_definitions
from geode.catalogue.components.shapes import ShapeFields, ShapeInput
from geode.catalogue.documents import dump, dump_or_none, load_as
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.keyed import write_keyed
from geode.catalogue.intents.piece_inputs import referenced_pieces
from geode.catalogue.intents.shape_inputs import (
    ShapeOperation,
    ShapeSchema,
    ShapeUpsert,
)
from geode.db.base import table_of
from geode.db.keyed_writer import Row
from geode.db.pages import tenant_pages
from geode.outcomes import Applied, OperationFailed
from geode.schemas import UNSET, KeyValuePair


def shape_values(op: ShapeFields) -> Row:
    values: Row = {"name": op.name}
    if isinstance(op, ShapeInput):
        values["type"] = op.type
    if op.components is not UNSET:
        values["components"] = None if op.components is None else dump(op.components)
    if op.variantComponents is not UNSET:
        values["variant_components"] = dump_or_none(op.variantComponents)
    if op.meta is not UNSET:
        values["meta"] = dump_or_none(op.meta)
    return values


def apply_shape(batch: CatalogueBatch, op: ShapeOperation) -> Applied:
    batch.require_pieces(op.components, "components")
    batch.require_pieces(op.variantComponents, "variantComponents")
    existing = batch.shapes.get(op.identifier)
    if isinstance(op, ShapeUpsert) and existing is not None and existing["type"] != op.type:
        raise OperationFailed(
            "shape_type_change",
            f"shape {op.identifier!r} is a {existing['type']} shape and stays one: its items "
            f"are {existing['type']}s; make a new shape for {op.type}s",
            key=op.identifier,
        )
    return write_keyed(batch.shapes, op, op.identifier, shape_values(op))


def shape_operations(connection: sa.Connection, tenant_id: str) -> Iterator[ShapeUpsert]:
    table = table_of(models.Shape)
    for rows in tenant_pages(connection, table, tenant_id, "identifier"):
        for row in rows:
            shape = ShapeUpsert(
                identifier=row["identifier"],
                name=row["name"],
                type=row["type"],
                components=decode_definitions(row["components"]),
            )
            if row["variant_components"] is not None:
                shape.variantComponents = decode_definitions(row["variant_components"])
            if row["meta"] is not None:
                shape.meta = load_as(row["meta"], KeyValuePair)
            yield shape


class Shapes(ShapeSchema):
    lookup_tables: tuple[str, ...] = ("shapes",)

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        batch.pieces.prefetch(referenced_pieces(ops))
        batch.shapes.prefetch([op.identifier for op in ops])

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        return apply_shape(batch, op)

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        return shape_operations(connection, tenant_id)
