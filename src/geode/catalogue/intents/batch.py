"""One batch of catalogue operations: a sub-writer per record kind, so that an
operation sees the records of every kind that earlier operations wrote (in this
batch, or pending from batches not committed yet).

The writers are kept in dependency order (pieces, shapes, then the kinds that
use them), which is also the order `plan` writes them in: rows that a foreign
key points at are written before the rows pointing at them. Each operation
applies whole or not at all (`atomic`): the item and variant writers note their
changes in the batch's `Journal`, undone when the operation is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.components.definitions import (
    ComponentDefinition,
    decode_definitions,
    pieces_named,
)
from geode.catalogue.intents import tenant_refs
from geode.catalogue.intents.contract_store import ContractPending, ContractStore
from geode.catalogue.intents.flow_store import FlowPending, FlowStore
from geode.catalogue.intents.grouped_rows import Group, GroupedRows, normalise_timestamps
from geode.catalogue.intents.item_writer import ItemsPending, ItemWriter
from geode.catalogue.intents.keyed import keyed_writer
from geode.catalogue.intents.topic_tree import TopicPending
from geode.catalogue.intents.topic_writer import TopicWriter
from geode.catalogue.intents.undo import Journal
from geode.catalogue.intents.variant_content import VariantContent
from geode.catalogue.intents.variant_writer import VariantPending, VariantWriter
from geode.db import bulk
from geode.db.base import Base, table_of
from geode.db.keyed_writer import Row
from geode.massops.intents import BatchContext
from geode.outcomes import Applied, OperationFailed
from geode.pending import Pending
from geode.tenants.settings import TenantSettings, read_settings


@dataclass
class CataloguePending:
    """Rows of batches not committed yet, per kind (see geode.pending)."""

    pieces: Pending[Row] = field(default_factory=Pending)
    shapes: Pending[Row] = field(default_factory=Pending)
    topics: TopicPending = field(default_factory=TopicPending)
    items: ItemsPending = field(default_factory=ItemsPending)
    variants: VariantPending = field(default_factory=VariantPending)
    flows: FlowPending = field(default_factory=FlowPending)
    pricelists: Pending[Row] = field(default_factory=Pending)
    pricelist_variants: Pending[Group] = field(default_factory=Pending)
    contracts: ContractPending = field(default_factory=ContractPending)
    images: Pending[Group] = field(default_factory=Pending)

    def committed(self, batch: int) -> None:
        self.pieces.committed(batch)
        self.shapes.committed(batch)
        self.topics.committed(batch)
        self.items.committed(batch)
        self.variants.committed(batch)
        self.flows.committed(batch)
        self.pricelists.committed(batch)
        self.pricelist_variants.committed(batch)
        self.contracts.committed(batch)
        self.images.committed(batch)


class BatchWriter(Protocol):
    def record(self, batch: int) -> None: ...

    def plan(self) -> list[bulk.WriteStep]: ...


class _SettingsOnce:
    """The tenant's languages, price variants, ...: read once per batch, on first use."""

    def __init__(self, connection: sa.Connection, tenant_id: str) -> None:
        self.connection = connection
        self.tenant_id = tenant_id
        self._settings: TenantSettings | None = None

    def __call__(self) -> TenantSettings:
        if self._settings is None:
            self._settings = read_settings(self.connection, self.tenant_id)
        return self._settings


class CatalogueBatch:
    """Nothing a batch holds may point back at it: a run pauses the cyclic garbage
    collector (`geode.util.gc_paused`), so a batch caught in a reference cycle would
    never be freed, with every item and variant it loaded (a 40,000-operation file
    kept them all, and the collection when the run ended took seconds). Writers get
    what they need (`settings`, a weak proxy of the batch) instead."""

    def __init__(self, context: BatchContext, pending: CataloguePending) -> None:
        self.context = context
        self.now = context.now

        self.pieces = keyed_writer(context, models.Piece, "piece", pending.pieces, components="[]")
        self.shapes = keyed_writer(
            context,
            models.Shape,
            "shape",
            pending.shapes,
            components="[]",
            variant_components=None,
            meta=None,
        )
        self.context = context
        self.settings = _SettingsOnce(context.connection, context.tenant_id)
        self._definitions: dict[str, list[ComponentDefinition]] = {}
        self.journal = Journal()
        """The item and variant writers' changes of the operation being applied."""
        self.topics = TopicWriter(
            context.connection, context.tenant_id, context.now, pending.topics
        )
        root_id = self.settings().root_item_id
        self.items = ItemWriter(context, pending.items, root_id, self.journal)
        self.variants = VariantWriter(
            context.connection,
            context.tenant_id,
            context.now,
            pending.variants,
            self.settings,  # not a bound method of the batch: no cycle (see `CatalogueBatch`)
            self.journal,
        )
        self.variants.content = VariantContent(self)

        def grouped(model: type[Base], kind: Pending[Group], group: str, **kw: Any) -> GroupedRows:
            return GroupedRows(
                context.connection,
                table_of(model),
                context.tenant_id,
                group=group,
                pending=kind,
                **kw,
            )

        self.flows = FlowStore(context, pending.flows)
        self.pricelists = keyed_writer(
            context,
            models.PriceList,
            "price list",
            pending.pricelists,
            start_date=None,
            end_date=None,
        )
        self.pricelist_variants = grouped(
            models.PriceListVariant,
            pending.pricelist_variants,
            "price_list_identifier",
            key=["sku"],
        )
        self.contracts = ContractStore(context, pending.contracts)
        self.images = grouped(models.Image, pending.images, "key", normalise=normalise_timestamps)
        # In dependency order, which is also the order `plan` writes them in.
        self.writers: tuple[BatchWriter, ...] = (
            self.pieces,
            self.shapes,
            self.topics,
            self.items,
            self.variants,
            self.flows,
            self.pricelists,
            self.pricelist_variants,
            self.contracts,
            self.images,
        )

    def atomic(self, apply: Callable[[], Applied]) -> Applied:
        """Apply one operation whole or not at all: refused part-way (a product's
        second variant failing, say), it leaves no item, variant, price or stock
        of its own in the batch, and the batch's other operations are kept."""
        self.journal.begin()
        try:
            return apply()
        except BaseException:
            self.journal.undo()
            raise

    def definitions(self, text: str) -> list[ComponentDefinition]:
        """A shape's or piece's stored definitions, decoded once per batch: every item
        of a shape is checked against them (decoding per operation was a fifth of a
        product's apply). Shared: callers read them and never change them."""
        found = self._definitions.get(text)
        if found is None:
            found = self._definitions[text] = decode_definitions(text)
        return found

    def require_language(self, language: str, at: str = "language") -> None:
        tenant_refs.require_language(self.settings(), language, at)

    def require_price_variant(self, identifier: str, at: str) -> None:
        tenant_refs.require_price_variant(self.settings(), identifier, at)

    def require_pieces(self, definitions: Any, field_name: str) -> None:
        """Every piece the definitions name exists (stored, pending, or written
        earlier in the batch); else the operation fails naming where."""
        if not isinstance(definitions, list):
            return
        for identifier, at in pieces_named(definitions, field_name):
            if self.pieces.get(identifier) is None:
                raise OperationFailed(
                    "unknown_piece",
                    f"`{at}.identifier` names the piece {identifier!r}, which does not exist; "
                    "create it with piece/upsert before this operation",
                    key=identifier,
                )

    def record(self, batch: int) -> None:
        for writer in self.writers:
            writer.record(batch)

    def plan(self) -> list[bulk.WriteStep]:
        """In `writers` order: rows a foreign key points at come first."""
        return [step for writer in self.writers for step in writer.plan()]
