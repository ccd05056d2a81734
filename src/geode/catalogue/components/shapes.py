"""Shape and piece inputs, field for field as `@crystallize/schema` 6.14 (pim/shapes).

Not tagged with an intent: the engine subclasses them per intent (`shape/create`, ...),
as `customers.intents` does with `CustomerInput`, so they stay `kw_only`.
"""

from __future__ import annotations

from geode.catalogue.components.definitions import (
    ComponentDefinition,
    check_unique_ids,
    self_reference,
)
from geode.catalogue.components.fields import Identifier, ItemType, RequiredName
from geode.schemas import UNSET, Input, KeyValuePair, UnsetType

__all__ = ["PieceInput", "ShapeFields", "ShapeInput"]


class PieceInput(Input, kw_only=True):
    identifier: Identifier
    name: RequiredName
    components: list[ComponentDefinition] | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        if isinstance(self.components, list):
            check_unique_ids(self.components, "components")
            at = self_reference(self.components, self.identifier)
            if at is not None:
                raise ValueError(
                    f"`{at}.identifier` names this piece, {self.identifier!r}; "
                    "a piece cannot hold itself"
                )


class ShapeFields(Input, kw_only=True):
    """`shape/update`: everything but the type, which a shape keeps."""

    identifier: Identifier
    name: RequiredName
    components: list[ComponentDefinition] | UnsetType | None = UNSET
    variantComponents: list[ComponentDefinition] | UnsetType | None = UNSET
    meta: KeyValuePair | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        if isinstance(self.components, list):
            check_unique_ids(self.components, "components")
        if isinstance(self.variantComponents, list):
            check_unique_ids(self.variantComponents, "variantComponents")


class ShapeInput(ShapeFields, kw_only=True):
    """`shape/create` and `shape/upsert`."""

    type: ItemType
