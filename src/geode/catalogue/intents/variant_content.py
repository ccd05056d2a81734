"""What the variant intents read besides variants: the product a variant belongs
to, the variant components of its shape, and the `ContentContext` a content check
asks (pieces, related items' shapes, skus).

Products are read through the batch's items writer (`batch.items`), so a product
created earlier in the same batch (or pending) is seen.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geode.catalogue.components.check import ContentProblem
from geode.catalogue.components.definitions import ComponentDefinition
from geode.catalogue.models import Item
from geode.db.base import table_of
from geode.outcomes import OperationFailed

if TYPE_CHECKING:
    from geode.catalogue.intents.batch import CatalogueBatch

ITEMS = table_of(Item)


@dataclass(frozen=True, slots=True)
class ItemKind:
    type: str
    shape_identifier: str


class VariantContent:
    """A `ContentContext` over one batch, plus the products variants belong to."""

    def __init__(self, batch: CatalogueBatch) -> None:
        # Weak: the batch holds this (through its variant writer); see `CatalogueBatch`.
        self.batch: CatalogueBatch = weakref.proxy(batch)
        self._items: dict[str, ItemKind | None] = {}

    def prefetch_items(self, item_ids: Iterable[str]) -> None:
        self.batch.items.prefetch(set(item_ids), set())

    def item(self, item_id: str) -> ItemKind | None:
        state = self.batch.items.get(item_id)
        if state is None:
            return None
        return ItemKind(state.row["type"], state.row["shape_identifier"])

    def product(self, product_id: str, at: str = "productId") -> ItemKind:
        """The product, which must exist; else the operation fails naming `at`."""
        found = self.item(product_id)
        if found is None:
            raise OperationFailed(
                "unknown_product",
                f"`{at}`: no product has the id {product_id}; create it with product/create "
                "before its variants",
                key=product_id,
            )
        if found.type != "product":
            raise OperationFailed(
                "not_a_product",
                f"`{at}`: item {product_id} is a {found.type}; only a product has variants",
                key=product_id,
            )
        return found

    def variant_definitions(self, product_id: str) -> list[ComponentDefinition]:
        """The variant components of the product's shape ([] when it declares none)."""
        shape = self.batch.shapes.get(self.product(product_id).shape_identifier)
        if shape is None or shape["variant_components"] is None:
            return []
        return self.batch.definitions(shape["variant_components"])

    # -- ContentContext -----------------------------------------------------------------

    def piece(self, identifier: str) -> Sequence[ComponentDefinition] | None:
        row = self.batch.pieces.get(identifier)
        return None if row is None else self.batch.definitions(row["components"])

    def item_shape(self, item_id: str) -> str | None:
        found = self.item(item_id)
        return None if found is None else found.shape_identifier

    def sku_exists(self, sku: str) -> bool:
        return self.batch.variants.get(sku) is not None


def fail_on(problems: Sequence[ContentProblem]) -> None:
    """The first problem of a content check as the operation's failure."""
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise OperationFailed(first.code, f"`{first.path}`: {first.message}{more}")
