"""A batch opens only the families its operations belong to: opening the
catalogue's reads the tenant's settings, which a customer/order batch (every
batch of a customer import, twice on a re-run) has no use for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from geode.app import App
from geode.tenants.service import TenantInfo
from tests.massops.operations import customer, order

SHAPE = {"intent": "shape/upsert", "identifier": "page", "name": "Page", "type": "document"}


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    """Every SQL statement `engine` runs meanwhile, lowercased."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.lower())

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _run(app: App, tenant: TenantInfo, path: Any) -> dict[str, Any]:
    task = app.massops.run(app.massops.submit(tenant.id, path).id)
    assert task.status == "complete"
    return dict(task.counts)


def test_a_customer_and_order_batch_reads_no_catalogue_settings(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file([customer("c-1"), order("c-1", id="a" * 24), customer("c-2")])
    for outcome in ("created", "unchanged"):  # the first run and the re-run
        with statements(app.engine) as seen:
            counts = _run(app, tenant, path)
        assert counts == {"customer/upsert": {outcome: 2}, "order/upsert": {outcome: 1}}
        assert not [s for s in seen if "tenant_languages" in s or "vat_types" in s]


def test_a_batch_holding_a_catalogue_operation_opens_the_catalogue(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    path = ops_file([customer("c-1"), SHAPE, customer("c-2")])
    with statements(app.engine) as seen:
        counts = _run(app, tenant, path)
    assert counts == {"customer/upsert": {"created": 2}, "shape/upsert": {"created": 1}}
    assert [s for s in seen if "from tenant_languages" in s]
    with app.engine.connect() as connection:
        shapes = connection.execute(
            sa.text("SELECT identifier FROM shapes WHERE tenant_id = :t"), {"t": tenant.id}
        ).scalars()
        assert list(shapes) == ["page"]
