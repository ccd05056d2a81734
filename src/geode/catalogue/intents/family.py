"""The catalogue's intents, as one family registered with the engine.

One family, so that one batch holds every kind (`CatalogueBatch`): an item sees
the shape an earlier operation of its batch created. Each kind of record is a
module of this package declaring a `Kind` (`kinds`) on its light `KindSchema`;
`KINDS` lists them in dependency order, which is also the order they export in.
The family is the catalogue's `CatalogueSchema` (`schema`: structs, outputs,
dependencies) plus how to apply, place and export them. Names and fields follow
@crystallize/schema 6.14 (src/mass-operation/*.ts).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.catalogue.intents.batch import CatalogueBatch, CataloguePending
from geode.catalogue.intents.chunk_keys import CataloguePlacer
from geode.catalogue.intents.flows import Flows
from geode.catalogue.intents.images import Images
from geode.catalogue.intents.item_paths import ItemPaths
from geode.catalogue.intents.items import Items
from geode.catalogue.intents.kinds import Kind
from geode.catalogue.intents.pieces import Pieces
from geode.catalogue.intents.pricelists import PriceLists
from geode.catalogue.intents.publishing import Publishing
from geode.catalogue.intents.schema import CatalogueSchema
from geode.catalogue.intents.shapes import Shapes
from geode.catalogue.intents.subscriptions import Contracts
from geode.catalogue.intents.topics import Topics
from geode.catalogue.intents.variants import Variants
from geode.massops.intents import BatchContext, IntentFamily
from geode.outcomes import Applied

__all__ = ["KINDS", "CatalogueIntents"]

KINDS: tuple[Kind, ...] = (
    Pieces(),
    Shapes(),
    Topics(),
    Items(),
    Variants(),
    ItemPaths(),
    Publishing(),
    Flows(),
    PriceLists(),
    Contracts(),
    Images(),
)
_KIND_OF: dict[str, Kind] = {
    struct.__struct_config__.tag: kind for kind in KINDS for struct in kind.operations
}


def _kind(op: Any) -> Kind:
    return _KIND_OF[op.__struct_config__.tag]


class _Batch:
    def __init__(self, batch: CatalogueBatch) -> None:
        self.batch = batch

    def prefetch(self, ops: Sequence[Any]) -> None:
        by_kind: dict[str, list[Any]] = {}
        for op in ops:
            by_kind.setdefault(_kind(op).name, []).append(op)
        for kind in KINDS:  # in dependency order: a kind may prefetch what it uses
            if kind.name in by_kind:
                kind.prefetch(self.batch, by_kind[kind.name])

    def apply(self, op: Any, documents: dict[str, str] | None) -> Applied:
        return self.batch.atomic(lambda: _kind(op).apply(self.batch, op))

    def record(self, batch: int) -> None:
        self.batch.record(batch)

    def plan(self) -> list[Any]:
        return self.batch.plan()


class _Planner:
    """One key for every catalogue operation: not used by the engine, which
    places catalogue operations with `CataloguePlacer` (`chunk_keys`) instead,
    since catalogue records depend on each other (a shape on its pieces, an
    item on its shape, parent and topics, a variant on its product)."""

    def survey(self, op: Any, key_templated: bool, templated: bool) -> None:
        pass

    def key(self, op: Any, raw: msgspec.Raw) -> str | None:
        return "catalogue"


class CatalogueIntents(CatalogueSchema, IntentFamily):
    lookup_tables = tuple(table for kind in KINDS for table in kind.lookup_tables)

    def new_pending(self) -> CataloguePending:
        return CataloguePending()

    def open_batch(self, context: BatchContext, pending: Any) -> _Batch:
        return _Batch(CatalogueBatch(context, pending))

    def key_planner(self) -> _Planner:
        return _Planner()

    def resource_planner(self) -> CataloguePlacer:
        return CataloguePlacer(lambda op: _kind(op).needs(op))

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        for kind in KINDS:
            yield from kind.export(connection, tenant_id)
