"""Pages of the catalogue's records in a stable order, for the APIs' connections.

Keyset paging: a page starts after the last key of the previous one, so a page
costs the same at the millionth record as at the first and never skips or
repeats a record while others are written. A key is the page's sort columns
(`position, id` for a folder's children, the identifier for shapes, ...);
the APIs wrap it in an opaque cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.documents import load_or_none
from geode.db.base import table_of
from geode.timestamps import stored_timestamp

_items = table_of(models.Item)
_shapes = table_of(models.Shape)
_pieces = table_of(models.Piece)
_topics = table_of(models.Topic)
_topic_names = table_of(models.TopicName)
_flows = table_of(models.Flow)
_stages = table_of(models.FlowStage)

Key = tuple[Any, ...]


def _page(
    connection: sa.Connection,
    table: sa.Table,
    tenant_id: str,
    order: Sequence[sa.ColumnElement[Any]],
    after: Key | None,
    limit: int,
    *where: sa.ColumnElement[bool],
) -> list[Key]:
    query = sa.select(*order).where(table.c.tenant_id == tenant_id, *where)
    if after is not None:
        query = query.where(sa.tuple_(*order) > sa.tuple_(*after))
    return [tuple(row) for row in connection.execute(query.order_by(*order).limit(limit))]


def child_keys(
    connection: sa.Connection, tenant_id: str, parent_id: str, after: Key | None, limit: int
) -> list[Key]:
    """(position, id) of the items under `parent_id`, in tree order."""
    c = _items.c
    return _page(
        connection, _items, tenant_id, (c.position, c.id), after, limit, c.parent_id == parent_id
    )


def item_keys(
    connection: sa.Connection, tenant_id: str, after: Key | None, limit: int
) -> list[Key]:
    """(id,) of every item of the tenant, in id order (ids grow with creation time)."""
    return _page(connection, _items, tenant_id, (_items.c.id,), after, limit)


def shape_keys(
    connection: sa.Connection, tenant_id: str, after: Key | None, limit: int
) -> list[Key]:
    return _page(connection, _shapes, tenant_id, (_shapes.c.identifier,), after, limit)


def piece_keys(
    connection: sa.Connection, tenant_id: str, after: Key | None, limit: int
) -> list[Key]:
    return _page(connection, _pieces, tenant_id, (_pieces.c.identifier,), after, limit)


def flow_keys(
    connection: sa.Connection, tenant_id: str, after: Key | None, limit: int
) -> list[Key]:
    return _page(connection, _flows, tenant_id, (_flows.c.identifier,), after, limit)


@dataclass(frozen=True, slots=True)
class TopicView:
    id: str
    parent_id: str | None
    position: int
    name: str | None
    path: str | None
    path_identifier: str | None
    created_at: str


def topic_keys(
    connection: sa.Connection,
    tenant_id: str,
    parent_id: str | None,
    after: Key | None,
    limit: int,
) -> list[Key]:
    """(position, id) of the topics under `parent_id` (None: the top-level topics)."""
    c = _topics.c
    under = c.parent_id.is_(None) if parent_id is None else c.parent_id == parent_id
    return _page(connection, _topics, tenant_id, (c.position, c.id), after, limit, under)


def topics_by_id(
    connection: sa.Connection, tenant_id: str, topic_ids: Sequence[str], language: str
) -> dict[str, TopicView]:
    if not topic_ids:
        return {}
    t, n = _topics.c, _topic_names.c
    rows = connection.execute(
        sa.select(t.id, t.parent_id, t.position, t.path_identifier, t.created_at, n.name, n.path)
        .select_from(
            _topics.outerjoin(
                _topic_names,
                sa.and_(n.tenant_id == t.tenant_id, n.topic_id == t.id, n.language == language),
            )
        )
        .where(t.tenant_id == tenant_id, t.id.in_(list(topic_ids)))
    )
    return {
        row.id: TopicView(
            row.id,
            row.parent_id,
            row.position,
            row.name,
            row.path,
            row.path_identifier,
            stored_timestamp(row.created_at),
        )
        for row in rows
    }


@dataclass(frozen=True, slots=True)
class StageView:
    identifier: str
    name: str
    position: int


@dataclass(frozen=True, slots=True)
class FlowView:
    identifier: str
    name: str
    type: str
    restrictions: Any
    stages: list[StageView]


def flows_by_identifier(
    connection: sa.Connection, tenant_id: str, identifiers: Sequence[str]
) -> dict[str, FlowView]:
    if not identifiers:
        return {}
    f, s = _flows.c, _stages.c
    stages: dict[str, list[StageView]] = {}
    for row in connection.execute(
        sa.select(s.flow_identifier, s.identifier, s.name, s.position)
        .where(s.tenant_id == tenant_id, s.flow_identifier.in_(list(identifiers)))
        .order_by(s.flow_identifier, s.position)
    ):
        stages.setdefault(row.flow_identifier, []).append(
            StageView(row.identifier, row.name, row.position)
        )
    return {
        row.identifier: FlowView(
            row.identifier,
            row.name,
            row.type,
            load_or_none(row.restrictions),
            stages.get(row.identifier, []),
        )
        for row in connection.execute(
            sa.select(f.identifier, f.name, f.type, f.restrictions).where(
                f.tenant_id == tenant_id, f.identifier.in_(list(identifiers))
            )
        )
    }
