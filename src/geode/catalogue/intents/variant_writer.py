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
from geode.catalogue.documents import dump
from geode.catalogue.intents import tenant_refs
from geode.catalogue.intents.tenant_refs import Known
from geode.catalogue.intents.undo import Journal
from geode.catalogue.intents.variant_content import VariantContent, fail_on
from geode.catalogue.intents.variant_fields import check_references, prefix, with_fields
from geode.catalogue.intents.variant_store import (
    DRAFT,
    VERSION_FIELDS,
    Row,
    VariantState,
    load_variants,
    write_plan,
)
from geode.catalogue.variant_inputs import VariantFields, VariantInput
from geode.db import bulk
from geode.ids import new_id
from geode.outcomes import Applied, OperationFailed, Outcome
from geode.pending import MISSING, Pending
from geode.tenants.settings import TenantSettings

__all__ = ["DRAFT", "Mode", "VariantPending", "VariantWriter"]

Mode = Literal["create", "update", "upsert"]


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
        self._known_settings: Known | None = None
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
        stored = load_variants(self.connection, self.tenant_id, products=wanted, known=self._before)
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
        self._before[sku] = state  # shared: the writer never changes a state it holds

    def _state(self, sku: str) -> VariantState | None:
        if sku not in self._states:
            self.prefetch_skus([sku])
        return self._states[sku]

    def get(self, sku: str) -> Row | None:
        """A copy of the variant's row as this batch sees it now, None if there is none."""
        state = self._state(sku)
        return None if state is None else dict(state.row)

    def state(self, sku: str) -> VariantState | None:
        """A copy of the whole variant (names, prices, stock) as this batch sees it,
        to edit as `VariantState.copy` says."""
        state = self._state(sku)
        return None if state is None else state.copy()

    def skus_of(self, product_id: str) -> list[str]:
        """The product's skus, in their order."""
        self.prefetch_products([product_id])
        return list(self._products[product_id])

    # -- writing ------------------------------------------------------------------------

    def put_for_product(
        self, product_id: str, language: str, variants: Sequence[VariantInput], at: str
    ) -> list[Outcome]:
        """A product's `variants` (at path `at`): each upserted by sku; the product's
        other variants are kept. Their outcomes only: a product's output is its own."""
        return [
            self._put(product_id, language, variant, "upsert", variant.sku, f"{at}[{index}]")[0]
            for index, variant in enumerate(variants)
        ]

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
        sku = variant.sku if isinstance(variant, VariantInput) else sku
        assert sku is not None
        outcome, state = self._put(product_id, language, variant, mode, sku, at)
        return Applied(outcome, state.id, sku, variant_output(state, language))

    def _put(
        self,
        product_id: str | None,
        language: str,
        variant: VariantFields,
        mode: Mode,
        sku: str,
        at: str,
    ) -> tuple[Outcome, VariantState]:
        """`put`'s outcome and the variant as it is now."""
        known = self._known()
        if language not in known.languages:
            self._check_language(language, "language")
        check_references(variant, at, known)
        existing = self._states[sku] if sku in self._states else self._state(sku)
        if existing is None and mode == "update":
            raise OperationFailed(
                "not_found",
                f"`{prefix(at)}sku`: no variant has the sku {sku!r}; "
                "use product/variant/upsert to create it",
                key=sku,
            )
        if existing is not None and mode == "create":
            raise OperationFailed(
                "already_exists",
                f"`{prefix(at)}sku`: the variant {sku!r} already exists; "
                "use product/variant/upsert to update it",
                key=sku,
            )
        if existing is not None and product_id not in (None, existing.row["product_id"]):
            raise OperationFailed(
                "sku_taken",
                f"`{prefix(at)}sku`: {sku!r} is a variant of product "
                f"{existing.row['product_id']}; a sku names one variant of one product",
                key=sku,
            )
        if existing is None:
            assert product_id is not None
            base = self._new(product_id, sku)
        else:
            base = existing
        self._check_components(base, language, variant.components, at)
        state = with_fields(base, language, variant)
        if state is None:
            assert existing is not None
            return "unchanged", existing
        # A variant that was its product's default still is, and the only one.
        self._store(state, make_default=existing is None or not existing.row["is_default"])
        return ("created" if existing is None else "updated"), state

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
        """A variant with no fields yet, last of its product (its default if first)."""
        if product_id not in self._products:
            self.prefetch_products([product_id])
        skus = self._products[product_id]
        row: Row = {
            "tenant_id": self.tenant_id,
            "id": new_id(),
            "product_id": product_id,
            "sku": sku,
            "is_default": not skus,
            "position": max(map(self._position, skus), default=-1) + 1,
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

    def _store(self, state: VariantState, *, make_default: bool = True) -> None:
        """Keep `state` (a fresh one: its row is changed here). `make_default` False:
        it was the default already, so no other variant of its product is."""
        state.row["updated_at"] = self.now
        self.journal.put(self._states, state.sku, state)
        if make_default and state.row["is_default"]:
            self._make_default(state.sku)

    def _make_default(self, sku: str) -> None:
        """`sku` becomes its product's one default."""
        target = self._states[sku]
        assert target is not None
        product_id = target.row["product_id"]
        if product_id not in self._products:
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

    # -- checks -------------------------------------------------------------------------

    def _check_components(
        self, state: VariantState, language: str, components: object, at: str
    ) -> None:
        """Content against the variant components of the product's shape; `required`
        on the content as it will be stored (the stored components merged with these)."""
        if not isinstance(components, list) or self.content is None:
            return
        at = f"{prefix(at)}components"
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

    def _known(self) -> Known:
        """Built once per batch (per settings read), not per check."""
        settings = self.settings()
        known = self._known_settings
        if known is None or known.settings is not settings:
            known = self._known_settings = Known.of(settings)
        return known

    def _check_language(self, language: str, at: str) -> None:
        if language not in self._known().languages:
            tenant_refs.require_language(self.settings(), language, at)

    def check_price_variant(self, identifier: str, at: str) -> None:
        if identifier not in self._known().price_variants:
            tenant_refs.require_price_variant(self.settings(), identifier, at)

    def check_stock_location(self, identifier: str, at: str) -> None:
        if identifier not in self._known().stock_locations:
            tenant_refs.require_stock_location(self.settings(), identifier, at)

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
            self.pending.variants.put(batch, sku, after)
        for product_id in self._touched_products:
            self.pending.products.put(batch, product_id, tuple(self._products[product_id]))

    def plan(self) -> list[bulk.WriteStep]:
        return write_plan(self.tenant_id, self._changes())


def _changed(before: VariantState | None, after: VariantState | None) -> bool:
    if before is after:
        return False  # never replaced (states are not changed in place)
    if before is None or after is None:
        return True
    return (
        before.row != after.row
        or before.versions != after.versions
        or before.prices != after.prices
        or before.stock != after.stock
    )
