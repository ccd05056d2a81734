"""A batch type the tests can hold at a gate: a PostgreSQL advisory lock.

Each slice of a `widgets` job whose objects carry `gate` takes that lock
(shared) in its transaction, so while the test holds it (exclusive) the slice
waits: a job can be caught mid-run, deterministically, in another process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from geode.batches.handler import BatchHandler, ObjectResult, succeeded


class GatedWidget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customerId: str
    gate: int = 0


class GatedWidgetHandler:
    type = "widgets"
    operation = "Widget Batch Job"
    key_fields = ("customerId",)
    schema = GatedWidget

    def apply(
        self, connection: sa.Connection, tenant_id: str, objects: Sequence[BaseModel]
    ) -> list[ObjectResult]:
        widgets = [o for o in objects if isinstance(o, GatedWidget)]
        for gate in sorted({w.gate for w in widgets if w.gate}):
            connection.execute(sa.text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": gate})
        return [succeeded({"customerId": w.customerId}, "widget made") for w in widgets]


def gated_handlers() -> dict[str, BatchHandler]:
    return {"widgets": GatedWidgetHandler()}


def waiting_at_gate(url: str, gate: int) -> int:
    """How many transactions wait at the gate right now: a slice that waits there
    has read its job's stop flag already and will commit when the gate opens."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                        "AND classid::bigint = 0 AND objid::bigint = :k AND NOT granted"
                    ),
                    {"k": gate},
                ).scalar_one()
            )
    finally:
        engine.dispose()


@contextmanager
def gate_closed(url: str, gate: int) -> Iterator[None]:
    """Hold the gate: slices of jobs with this `gate` wait until the block ends."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": gate})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": gate})
                connection.commit()
    finally:
        engine.dispose()
