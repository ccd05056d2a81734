"""Reads of orders for the APIs, and the pipeline changes no file intent makes.

An order's pipelines (which stage of which pipeline it is in) are set when it
is registered; `order/update` does not carry them. Moving an order to another
stage, or out of a pipeline, is therefore written here: one row, read under a
lock and written back with its content hash recomputed, so an upsert that
follows still tells "unchanged" from "changed". Nothing here commits.
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa

from geode.db.base import table_of
from geode.errors import NotFoundError
from geode.jsontext import dumps, loads
from geode.orders.documents import content_hash
from geode.orders.models import Order
from geode.orders.schemas import PipelineAssociation
from geode.tenants.models import Tenant
from geode.timestamps import stored_timestamp

_orders = table_of(Order)
_tenants = table_of(Tenant)

OrderPlace = Literal["tenant", "other-tenant", "nowhere"]


def order_place(connection: sa.Connection, tenant_id: str, order_id: str) -> OrderPlace:
    """Whether `order_id` is an order of this tenant, of another one, or of none.

    The key is (tenant, id), so an id alone has no index of its own: the
    other tenants are probed one by one through the key, from the (small)
    tenants table, instead of scanning every order. Only a miss pays for it."""
    own = connection.execute(
        sa.select(sa.literal(1)).where(_orders.c.tenant_id == tenant_id, _orders.c.id == order_id)
    ).first()
    if own is not None:
        return "tenant"
    other = connection.execute(
        sa.select(_tenants.c.id)
        .select_from(_tenants.join(_orders, _orders.c.tenant_id == _tenants.c.id))
        .where(_orders.c.id == order_id, _tenants.c.id != tenant_id)
        .limit(1)
    ).first()
    return "nowhere" if other is None else "other-tenant"


def load_order(
    connection: sa.Connection, tenant_id: str, order_id: str, *, for_update: bool = False
) -> sa.RowMapping | None:
    """The stored row of one order of the tenant (locked until commit if `for_update`)."""
    query = sa.select(_orders).where(_orders.c.tenant_id == tenant_id, _orders.c.id == order_id)
    if for_update:
        query = query.with_for_update()
    return connection.execute(query).mappings().first()


def order_page(
    connection: sa.Connection,
    tenant_id: str,
    *,
    customer_identifier: str | None,
    before_id: str | None,
    limit: int,
) -> list[sa.RowMapping]:
    """Up to `limit` orders, newest record first, older than `before_id` if given.

    Ordered by id: ids are time-ordered (`geode.ids`), and the key serves the
    order for a tenant's whole list; a customer's orders come through their
    own index. (`createdAt` may be older than the record, for an import.)"""
    query = sa.select(_orders).where(_orders.c.tenant_id == tenant_id)
    if customer_identifier is not None:
        query = query.where(_orders.c.customer_identifier == customer_identifier)
    if before_id is not None:
        query = query.where(_orders.c.id < before_id)
    query = query.order_by(_orders.c.id.desc()).limit(limit)
    return list(connection.execute(query).mappings().all())


def set_pipeline_stage(
    connection: sa.Connection,
    tenant_id: str,
    order_id: str,
    stage: PipelineAssociation,
    now: str,
) -> None:
    """Put the order in `stage.stageId` of `stage.pipelineId` (joining that pipeline
    if it was not in it); its other pipelines stay."""
    row, pipelines = _locked(connection, tenant_id, order_id)
    kept = [p for p in pipelines if p.pipelineId != stage.pipelineId]
    at = next((i for i, p in enumerate(pipelines) if p.pipelineId == stage.pipelineId), None)
    kept.insert(len(kept) if at is None else at, stage)
    _write_pipelines(connection, row, kept, now)


def remove_pipeline(
    connection: sa.Connection, tenant_id: str, order_id: str, pipeline_id: str, now: str
) -> None:
    """Take the order out of `pipeline_id`; NotFoundError if it is not in it."""
    row, pipelines = _locked(connection, tenant_id, order_id)
    kept = [p for p in pipelines if p.pipelineId != pipeline_id]
    if len(kept) == len(pipelines):
        names = ", ".join(repr(p.pipelineId) for p in pipelines) or "none"
        raise NotFoundError(
            f"order {order_id} is not in pipeline {pipeline_id!r} (its pipelines: {names})"
        )
    _write_pipelines(connection, row, kept, now)


def _locked(
    connection: sa.Connection, tenant_id: str, order_id: str
) -> tuple[sa.RowMapping, list[PipelineAssociation]]:
    row = load_order(connection, tenant_id, order_id, for_update=True)
    if row is None:
        raise NotFoundError(f"no order with id {order_id} in this tenant")
    text = row["pipelines"]
    return row, loads(text, list[PipelineAssociation]) if text else []


def _write_pipelines(
    connection: sa.Connection,
    row: sa.RowMapping,
    pipelines: list[PipelineAssociation],
    now: str,
) -> None:
    changed = dict(row)
    changed["pipelines"] = dumps(pipelines) if pipelines else None
    changed["created_at"] = stored_timestamp(row["created_at"])  # hashed as the writer does
    connection.execute(
        sa.update(_orders)
        .where(_orders.c.tenant_id == row["tenant_id"], _orders.c.id == row["id"])
        .values(pipelines=changed["pipelines"], content_hash=content_hash(changed), updated_at=now)
    )
