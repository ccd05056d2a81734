"""`shape/create|update|upsert` as a file declares them: what a validation worker
process loads of shapes (see `kinds`). No SQLAlchemy here.
"""

from __future__ import annotations

from typing import Any

from geode.catalogue.components.shapes import ShapeFields, ShapeInput
from geode.catalogue.intents.kinds import NAMED_OUTPUT, keys
from geode.catalogue.intents.piece_inputs import referenced_pieces
from geode.massops.intents import Ref, ref_field
from geode.schemas import UnsetType


class ShapeCreate(ShapeInput, tag_field="intent", tag="shape/create", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class ShapeUpdate(ShapeFields, tag_field="intent", tag="shape/update", kw_only=True):
    ref: Ref | UnsetType = ref_field()


class ShapeUpsert(ShapeInput, tag_field="intent", tag="shape/upsert", kw_only=True):
    ref: Ref | UnsetType = ref_field()


SHAPE_INTENTS = (ShapeCreate, ShapeUpdate, ShapeUpsert)
ShapeOperation = ShapeCreate | ShapeUpdate | ShapeUpsert


class ShapeSchema:
    name: str = "shape"
    operations: tuple[type[Any], ...] = SHAPE_INTENTS
    key_fields: frozenset[str] = frozenset({"identifier"})

    def outputs(self, intent: str) -> frozenset[str]:
        return NAMED_OUTPUT

    def provides(self, op: Any) -> list[str]:
        return keys("shape", [op.identifier])

    def needs(self, op: Any) -> list[str]:
        """The pieces its definitions hold. Not the shapes its relations accept
        (`acceptedShapeIdentifiers`): a constraint on items, checked when an item
        is related, so two shapes may accept each other."""
        return keys("piece", sorted(referenced_pieces([op])))
