"""What each kind of catalogue record (pieces, shapes, topics, items, ...)
declares, so that adding a kind is two modules and a line in `SCHEMA_KINDS`
(`catalogue.intents.schema`) and `KINDS` (`catalogue.intents.family`): the
family dispatches every operation to its kind.

A kind is declared in two parts, as intent families are (`massops.intents`): a
`KindSchema` in a light `*_inputs` module (its structs, outputs, provides and
needs: what a validation worker process loads, with no SQLAlchemy), and the
`Kind` built on it in the kind's module, which adds how to prefetch, apply and
export its records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import sqlalchemy as sa

    from geode.catalogue.intents.batch import CatalogueBatch
    from geode.outcomes import Applied

NAMED_OUTPUT = frozenset({"identifier", "name"})
"""What `{{ ref.field }}` reads from an operation on a record kept one row per
identifier (pieces, shapes, flows, price lists: `keyed`)."""


class KindSchema(Protocol):
    name: str
    """`piece`, `shape`, ...: also the first part of its intents' names."""
    operations: tuple[type[Any], ...]
    """Tagged msgspec structs, one per intent."""
    key_fields: frozenset[str]
    """Fields naming the record: a template in one means the operation is
    looked up alone once rendered, not prefetched with its batch."""

    def outputs(self, intent: str) -> frozenset[str]:
        """What `{{ ref.field }}` may read from an operation of `intent`."""

    def provides(self, op: Any) -> list[str]:
        """The records `op` creates or changes, as keys ("piece:<identifier>",
        "shape:<identifier>", "item:<id>", ...): an operation needing one runs
        after it (`massops.ordering`)."""

    def needs(self, op: Any) -> list[str]:
        """The records `op` names by identifier or literal id (a shape, piece,
        parent, topic, ...), as keys; values that are templates are left out
        (the `_ref` order holds for them already)."""


class Kind(KindSchema, Protocol):
    lookup_tables: tuple[str, ...]

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        """Read, in a few queries, the records `ops` (all of this kind) name."""

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied: ...

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        """The tenant's records of this kind as operations that re-import to
        the same store; kinds are exported in `KINDS` order."""


def keys(prefix: str, values: Iterable[object]) -> list[str]:
    """ "prefix:value" of each literal value (not a template, not unset), once each."""
    found: list[str] = []
    for value in values:
        if isinstance(value, str) and value and "{{" not in value:
            key = f"{prefix}:{value}"
            if key not in found:
                found.append(key)
    return found
