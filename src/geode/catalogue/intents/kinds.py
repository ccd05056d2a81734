"""What each kind of catalogue record (pieces, shapes, topics, items, ...)
declares, so that adding a kind is one module and one line in `KINDS`
(`catalogue.intents`): the family dispatches every operation to its kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa

from geode.outcomes import Applied

if TYPE_CHECKING:
    from geode.catalogue.intents.batch import CatalogueBatch


class Kind(Protocol):
    name: str
    """`piece`, `shape`, ...: also the first part of its intents' names."""
    operations: tuple[type[Any], ...]
    """Tagged msgspec structs, one per intent."""
    key_fields: frozenset[str]
    """Fields naming the record: a template in one means the operation is
    looked up alone once rendered, not prefetched with its batch."""
    lookup_tables: tuple[str, ...]

    def outputs(self, intent: str) -> frozenset[str]:
        """What `{{ ref.field }}` may read from an operation of `intent`."""

    def provides(self, op: Any) -> list[str]:
        """Record keys (`"flow:<identifier>"`, ...) the operation writes (issue 11, point 4)."""

    def needs(self, op: Any) -> list[str]:
        """Record keys the operation names by identifier or literal id; templates left out."""

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        """Read, in a few queries, the records `ops` (all of this kind) name."""

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied: ...

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        """The tenant's records of this kind as operations that re-import to
        the same store; kinds are exported in `KINDS` order."""
