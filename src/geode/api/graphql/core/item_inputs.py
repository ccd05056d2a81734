"""The Core API's item inputs, as seed 001 writes them.

Component content and variants are the file format's structs, as GraphQL input
types (`struct_inputs`); the rest is the API's own envelope (`tenantId`, a
`tree` that may be left out for the root). `as_operation` turns an input into
the fields of the file intent that applies it.
"""

from __future__ import annotations

from typing import Any

import strawberry

from geode.api.graphql.struct_inputs import input_type, plain
from geode.catalogue.components.content import ComponentContent
from geode.catalogue.variant_inputs import VariantInput

ComponentInput: Any = input_type(ComponentContent, "ComponentInput")
VariantFieldsInput: Any = input_type(VariantInput, "ProductVariantFieldsInput")


@strawberry.input(description="Where an item goes: under `parentId` (the root if left out).")
class TreeNodeInput:
    parentId: strawberry.ID | None = strawberry.UNSET
    position: int | None = strawberry.UNSET


@strawberry.input
class CreateItemInput:
    tenantId: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The tenant's id; must be the path's tenant."
    )
    shapeIdentifier: str
    name: str
    tree: TreeNodeInput | None = strawberry.UNSET
    language: str | None = strawberry.field(
        default=strawberry.UNSET, description="The language of `name` and `components`."
    )
    components: list[ComponentInput] | None = strawberry.UNSET
    topicIds: list[strawberry.ID] | None = strawberry.UNSET
    externalReference: str | None = strawberry.UNSET
    resourceIdentifier: str | None = strawberry.UNSET
    createdAt: str | None = strawberry.UNSET


@strawberry.input
class CreateProductInput(CreateItemInput):
    vatTypeId: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The tenant's default VAT type if left out."
    )
    variants: list[VariantFieldsInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Or later, with `product.setVariants`."
    )


@strawberry.input(
    description="A variant as `setVariants` takes it: the file's variant fields, plus "
    "`price` (in the `default` price variant) and `stock` (at the `default` location)."
)
class ProductVariantInput(VariantFieldsInput):  # type: ignore[misc]
    price: float | None = strawberry.UNSET
    stock: int | None = strawberry.UNSET


ENVELOPE = frozenset({"tenantId"})


def as_operation(intent: str | None, value: Any, **extra: Any) -> dict[str, Any]:
    """The fields of `intent` (left out when None) for an input object: its GraphQL
    fields as a file writes them, the API's envelope left out, `extra` laid over."""
    given: dict[str, Any] = plain(value)
    fields = {k: v for k, v in given.items() if k not in ENVELOPE}
    named = {} if intent is None else {"intent": intent}
    return {**named, **fields, **{k: v for k, v in extra.items() if v is not None}}
