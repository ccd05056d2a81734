"""A batch's unit of work for product variants (`batch.variants`).

Operations edit whole variants in memory (`VariantState`, read per batch in a few
queries, after the variants of batches still being written); `plan` writes the
net difference set-based. The rules every way in shares (a product's
`variants`, `product/variant/*`) live here: a sku is unique per tenant, a
product has exactly one default variant (its first variant becomes it, setting
another clears it), prices and stock merge by price variant and stock location,
names and content are the draft version of their language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa

from geode.catalogue.components.check import (
    check_component,
    check_content,
    check_required,
    merge_content,
)
from geode.catalogue.components.content import ComponentContent, decode_components
from geode.catalogue.documents import dump, dump_or_none
from geode.catalogue.intents import tenant_refs
from geode.catalogue.intents.undo import Journal
from geode.catalogue.intents.variant_content import VariantContent, fail_on
from geode.catalogue.intents.variant_store import (
    DRAFT,
    VERSION_FIELDS,
    Row,
    VariantState,
    load_variants,
    price_text,
    write_plan,
)
from geode.catalogue.variant_inputs import VariantFields, VariantInput
from geode.db import bulk
from geode.ids import new_id
from geode.outcomes import Applied, OperationFailed, Outcome
from geode.pending import MISSING, Pending
from geode.schemas import UNSET
from geode.tenants.settings import TenantSettings

__all__ = ["DRAFT", "Mode", "VariantPending", "VariantWriter"]

Mode = Literal["create", "update", "upsert"]

_VERSION_INPUTS = (
    ("attributes", "attributes"),
    ("images", "images"),
    ("videos", "videos"),
    ("components", "components"),
    ("subscriptionPlans", "subscription_plans"),
)


@dataclass
class VariantPending:
    """Variants (by sku; None: deleted) and products' sku lists of batches not
    committed yet."""

    variants: Pending[VariantState | None] = field(default_factory=Pending)
    products: Pending[tuple[str, ...]] = field(default_factory=Pending)

    def committed(self, batch: int) -> None:
        self.variants.committed(batch)
        self.products.committed(batch)


def variant_output(state: VariantState, language: str | None = None) -> dict[str, Any]:
    return {
        "id": state.id,
        "sku": state.sku,
        "productId": state.row["product_id"],
        "name": state.name(language),
    }


class VariantWriter:
    def __init__(
        self,
        connection: sa.Connection,
        tenant_id: str,
        now: str,
        pending: VariantPending,
        settings: Callable[[], TenantSettings],
        journal: Journal | None = None,
    ) -> None:
        """Changes go through `journal` (the batch's), so that a refused operation
        can be undone; reads that fill a cache do not."""
        self.journal = journal or Journal()
        self.connection = connection
        self.tenant_id = tenant_id
        self.now = now
        self.pending = pending
        self.settings = settings
        self._states: dict[str, VariantState | None] = {}
        self._before: dict[str, VariantState | None] = {}
        self._products: dict[str, list[str]] = {}
        self._touched_products: set[str] = set()
        self.content: VariantContent | None = None
        """Set by the batch: checks content against the product's shape."""

    # -- reading ------------------------------------------------------------------------

    def prefetch_skus(self, skus: Iterable[str]) -> None:
        wanted = []
        for sku in set(skus):
            if sku in self._states:
                continue
            found = self.pending.variants.get(sku)
            if found is MISSING:
                wanted.append(sku)
                self._remember(sku, None)
            else:
                self._remember(sku, found)  # type: ignore[arg-type]
        if wanted:
            for state in load_variants(self.connection, self.tenant_id, skus=wanted):
                self._remember(state.sku, state)

    def prefetch_products(self, product_ids: Iterable[str]) -> None:
        """Read the variants of these products: the default and the positions of a
        product depend on all of them."""
        wanted = []
        for product_id in set(product_ids):
            if product_id in self._products:
                continue
            found = self.pending.products.get(product_id)
            if found is MISSING:
                wanted.append(product_id)
                self._products[product_id] = []
            else:
                self._products[product_id] = list(found)  # type: ignore[call-overload]
                self.prefetch_skus(self._products[product_id])
        if not wanted:
            return
        stored = load_variants(self.connection, self.tenant_id, products=wanted)
        stored.sort(key=lambda state: (state.row["position"], state.id))
        for state in stored:
            # A sku seen already (pending, or changed earlier in this batch) wins.
            if state.sku not in self._states:
                self._remember(state.sku, state)
        for state in stored:
            current = self._states.get(state.sku)
            if current is not None and current.row["product_id"] == state.row["product_id"]:
                self._products[state.row["product_id"]].append(state.sku)

    def _remember(self, sku: str, state: VariantState | None) -> None:
        self._states[sku] = state
        self._before[sku] = None if state is None else state.copy()

    def _state(self, sku: str) -> VariantState | None:
        if sku not in self._states:
            self.prefetch_skus([sku])
        return self._states[sku]

    def get(self, sku: str) -> Row | None:
        """A copy of the variant's row as this batch sees it now, None if there is none."""
        state = self._state(sku)
        return None if state is None else dict(state.row)

    def state(self, sku: str) -> VariantState | None:
        """A copy of the whole variant (names, prices, stock) as this batch sees it."""
        state = self._state(sku)
        return None if state is None else state.copy()

    def skus_of(self, product_id: str) -> list[str]:
        """The product's skus, in their order."""
        self.prefetch_products([product_id])
        return list(self._products[product_id])

    # -- writing ------------------------------------------------------------------------

    def put_for_product(
        self, product_id: str, language: str, variants: Sequence[VariantInput], at: str
    ) -> None:
        """A product's `variants` (at path `at`): each upserted by sku; the product's
        other variants are kept."""
        for index, variant in enumerate(variants):
            self.put(product_id, language, variant, "upsert", at=f"{at}[{index}]")

    def put(
        self,
        product_id: str | None,
        language: str,
        variant: VariantFields,
        mode: Mode,
        *,
        sku: str | None = None,
        at: str = "",
    ) -> Applied:
        """Create, update or upsert one variant. `variant` is a `VariantInput`, or for
        `update` the fields with `sku` given apart (and `product_id` None)."""
        prefix = f"{at}." if at else ""
        sku = variant.sku if isinstance(variant, VariantInput) else sku
        assert sku is not None
        self._check_language(language, "language")
        self._check_references(variant, prefix)
        existing = self._state(sku)
        if existing is None and mode == "update":
            raise OperationFailed(
                "not_found",
                f"`{prefix}sku`: no variant has the sku {sku!r}; "
                "use product/variant/upsert to create it",
                key=sku,
            )
        if existing is not None and mode == "create":
            raise OperationFailed(
                "already_exists",
                f"`{prefix}sku`: the variant {sku!r} already exists; "
                "use product/variant/upsert to update it",
                key=sku,
            )
        if existing is not None and product_id not in (None, existing.row["product_id"]):
            raise OperationFailed(
                "sku_taken",
                f"`{prefix}sku`: {sku!r} is a variant of product "
                f"{existing.row['product_id']}; a sku names one variant of one product",
                key=sku,
            )
        outcome: Outcome
        if existing is None:
            assert product_id is not None
            state = self._new(product_id, sku)
            outcome = "created"
        else:
            state = existing.copy()
            outcome = "updated"
        self._check_components(state, language, variant.components, f"{prefix}components")
        self._apply_fields(state, language, variant)
        if isinstance(variant, VariantInput) and variant.isDefault is True:
            state.row["is_default"] = True
        if outcome == "updated" and existing is not None and state.same_content(existing):
            return Applied("unchanged", state.id, sku, variant_output(existing, language))
        self._store(state)
        return Applied(outcome, state.id, sku, variant_output(state, language))

    def delete(self, sku: str) -> Applied:
        state = self._state(sku)
        if state is None:
            raise OperationFailed("not_found", f"`sku`: no variant has the sku {sku!r}", key=sku)
        product_id = state.row["product_id"]
        self.prefetch_products([product_id])
        self.journal.remove(self._products[product_id], sku)
        self.journal.put(self._states, sku, None)
        self.journal.add(self._touched_products, product_id)
        skus = self._products[product_id]
        if state.row["is_default"] and skus:
            self._make_default(skus[0])
        return Applied("deleted", state.id, sku, variant_output(state))

    def change(self, sku: str, edit: Callable[[VariantState], None]) -> Applied:
        """Apply `edit` to a copy of the variant (which must exist) and keep it."""
        existing = self._state(sku)
        if existing is None:
            raise OperationFailed(
                "not_found",
                f"`sku`: no variant has the sku {sku!r}; create it with product/variant/create",
                key=sku,
            )
        state = existing.copy()
        edit(state)
        if state.same_content(existing):
            return Applied("unchanged", state.id, sku, variant_output(existing))
        self._store(state)
        return Applied("updated", state.id, sku, variant_output(state))

    def _new(self, product_id: str, sku: str) -> VariantState:
        self.prefetch_products([product_id])
        skus = self._products[product_id]
        positions = [self._position(other) for other in skus]
        row: Row = {
            "tenant_id": self.tenant_id,
            "id": new_id(),
            "product_id": product_id,
            "sku": sku,
            "is_default": not skus,
            "position": max(positions, default=-1) + 1,
            "external_reference": None,
            "created_at": self.now,
            "updated_at": self.now,
        }
        self.journal.append(skus, sku)
        self.journal.add(self._touched_products, product_id)
        return VariantState(row)

    def _position(self, sku: str) -> int:
        state = self._states.get(sku)
        return -1 if state is None else int(state.row["position"])

    def _store(self, state: VariantState) -> None:
        state.row["updated_at"] = self.now
        self.journal.put(self._states, state.sku, state)
        if state.row["is_default"]:
            self._make_default(state.sku)

    def _make_default(self, sku: str) -> None:
        """`sku` becomes its product's one default."""
        target = self._states[sku]
        assert target is not None
        product_id = target.row["product_id"]
        self.prefetch_products([product_id])
        for other in self._products[product_id]:
            state = self._states.get(other)
            if state is None or not state.row["is_default"] or other == sku:
                continue
            state = state.copy()
            state.row["is_default"] = False
            state.row["updated_at"] = self.now
            self.journal.put(self._states, other, state)
        if not target.row["is_default"]:
            target = target.copy()
            target.row["is_default"] = True
            target.row["updated_at"] = self.now
            self.journal.put(self._states, sku, target)

    def _apply_fields(self, state: VariantState, language: str, variant: VariantFields) -> None:
        """Fields present replace, absent are kept; prices and stock merge by key."""
        if variant.externalReference is not UNSET:
            state.row["external_reference"] = variant.externalReference
        version = state.versions.get(language)
        version = dict(version) if version is not None else dict.fromkeys(VERSION_FIELDS)
        name = getattr(variant, "name", UNSET)
        if name is not UNSET:
            version["name"] = name
        elif version["name"] is None:
            # A language the variant had no name in: the name of another language.
            version["name"] = state.name()
        for attribute, column in _VERSION_INPUTS:
            value = getattr(variant, attribute)
            if attribute == "components" and isinstance(value, list):
                stored = version[column]
                value = merge_content(decode_components(stored) if stored else [], value)
            if value is not UNSET:
                version[column] = dump_or_none(value)
        state.versions[language] = version
        if isinstance(variant.priceVariants, list):
            for price in variant.priceVariants:
                state.prices[price.identifier] = price_text(price.price)
        if isinstance(variant.stockLocations, list):
            for stock in variant.stockLocations:
                state.stock[stock.identifier] = (stock.stock, dump_or_none(stock.meta))

    # -- checks -------------------------------------------------------------------------

    def _check_components(
        self, state: VariantState, language: str, components: object, at: str
    ) -> None:
        """Content against the variant components of the product's shape; `required`
        on the content as it will be stored (the stored components merged with these)."""
        if not isinstance(components, list) or self.content is None:
            return
        definitions = self.content.variant_definitions(state.row["product_id"])
        fail_on(check_content(components, definitions, self.content, at=at, complete=False))
        stored = (state.versions.get(language) or {}).get("components")
        merged = merge_content(decode_components(stored) if stored else [], components)
        fail_on(check_required(merged, definitions, at=at))

    def update_component(self, sku: str, language: str, component: ComponentContent) -> Applied:
        """`item/updateComponent/sku`: one component of the variant's content in
        `language`, replacing the one of its id."""
        self._check_language(language, "language")
        existing = self._state(sku)
        if existing is None:
            raise OperationFailed("not_found", f"`sku`: no variant has the sku {sku!r}", key=sku)
        if self.content is not None:
            definitions = self.content.variant_definitions(existing.row["product_id"])
            fail_on(check_component(component, definitions, self.content, at="component"))

        def edit(state: VariantState) -> None:
            version = state.versions.get(language)
            version = dict(version) if version else dict.fromkeys(VERSION_FIELDS)
            if version["name"] is None:
                version["name"] = state.name()
            stored = version["components"]
            merged = merge_content(decode_components(stored) if stored else [], [component])
            version["components"] = dump(merged)
            state.versions[language] = version

        return self.change(sku, edit)

    def _check_language(self, language: str, at: str) -> None:
        tenant_refs.require_language(self.settings(), language, at)

    def check_price_variant(self, identifier: str, at: str) -> None:
        tenant_refs.require_price_variant(self.settings(), identifier, at)

    def check_stock_location(self, identifier: str, at: str) -> None:
        tenant_refs.require_stock_location(self.settings(), identifier, at)

    def _check_references(self, variant: VariantFields, prefix: str) -> None:
        for name, check in (
            ("priceVariants", self.check_price_variant),
            ("stockLocations", self.check_stock_location),
        ):
            entries = getattr(variant, name)
            if not isinstance(entries, list):
                continue
            seen: set[str] = set()
            for index, entry in enumerate(entries):
                at = f"{prefix}{name}[{index}].identifier"
                check(entry.identifier, at)
                if entry.identifier in seen:
                    raise OperationFailed(
                        "duplicate_key",
                        f"`{at}`: {entry.identifier!r} is listed twice; list each once",
                    )
                seen.add(entry.identifier)

    # -- the batch ----------------------------------------------------------------------

    def _changes(self) -> list[tuple[VariantState | None, VariantState | None]]:
        return [
            (self._before[sku], state)
            for sku, state in self._states.items()
            if _changed(self._before[sku], state)
        ]

    def record(self, batch: int) -> None:
        """Make this batch's variants visible to the next batches before they commit."""
        for before, after in self._changes():
            sku = (after or before).sku  # type: ignore[union-attr]
            self.pending.variants.put(batch, sku, None if after is None else after.copy())
        for product_id in self._touched_products:
            self.pending.products.put(batch, product_id, tuple(self._products[product_id]))

    def plan(self) -> list[bulk.WriteStep]:
        return write_plan(self.tenant_id, self._changes())


def _changed(before: VariantState | None, after: VariantState | None) -> bool:
    if before is None or after is None:
        return before is not after
    return before.row != after.row or not after.same_content(before)
