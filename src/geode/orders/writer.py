"""A batch's unit of work for orders: in-memory view, then set-based flush.

Orders are looked up by their key heads only (id, resourceIdentifier,
fingerprint, content hash, createdAt): an upsert that changes nothing is told
apart by its content hash without reading cart lines back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import sqlalchemy as sa
from msgspec import UNSET

from geode.db import bulk
from geode.db.key_lookup import KeyLookup
from geode.ids import new_id
from geode.jsontext import dumps
from geode.orders.documents import (
    ORDER_COLUMNS,
    OrderRow,
    build_order,
    order_document,
    order_output,
)
from geode.orders.models import Order
from geode.orders.schemas import OrderDocument, OrderFields, OrderInput
from geode.outcomes import Applied, OperationFailed
from geode.pending import MISSING, Pending
from geode.timestamps import canonical_timestamp, stored_timestamp

_orders: sa.Table = Order.__table__  # type: ignore[assignment]
_HEADS_BY = {
    column: KeyLookup.of(
        sa.select(
            _orders.c.id,
            _orders.c.resource_identifier,
            _orders.c.fingerprint,
            _orders.c.content_hash,
            _orders.c.created_at,
        ).where(_orders.c.tenant_id == sa.bindparam("tenant_id")),
        _orders.c[column],
    )
    for column in ("id", "resource_identifier", "fingerprint")
}
_ROWS_BY_ID = KeyLookup.of(
    sa.select(_orders).where(_orders.c.tenant_id == sa.bindparam("tenant_id")), _orders.c.id
)
_UPDATABLE_FIELDS = (
    *tuple(
        f.name for f in msgspec.structs.fields(OrderFields) if f.name not in ("customer", "cart")
    ),
    "customer",
    "cart",
)


@dataclass(slots=True)
class OrderHead:
    id: str
    resource_identifier: str | None
    fingerprint: str | None
    content_hash: str
    created_at: str


@dataclass
class OrderPending:
    """Orders of batches not committed yet (see geode.pending)."""

    heads: Pending[OrderHead] = field(default_factory=Pending)
    by_resource_identifier: Pending[str] = field(default_factory=Pending)
    by_fingerprint: Pending[str] = field(default_factory=Pending)
    documents: Pending[OrderRow] = field(default_factory=Pending)

    def _all(self) -> tuple[Pending[Any], ...]:
        return (self.heads, self.by_resource_identifier, self.by_fingerprint, self.documents)

    def committed(self, batch: int) -> None:
        for pending in self._all():
            pending.committed(batch)


def fingerprint(data: OrderInput) -> str:
    """Natural key of an upsert without id or resourceIdentifier: its content."""
    if getattr(data, "ref", UNSET) is not UNSET:
        data = msgspec.structs.replace(data, ref=UNSET)
    return hashlib.blake2b(dumps(data).encode(), digest_size=20).hexdigest()


class OrderBatch:
    def __init__(
        self,
        connection: sa.Connection,
        tenant_id: str,
        now: str,
        pending: OrderPending | None = None,
    ) -> None:
        self.connection = connection
        self.pending = pending or OrderPending()
        self.tenant_id = tenant_id
        self.now = now
        self._by_id: dict[str, OrderHead | None] = {}
        self._by_ri: dict[str, str | None] = {}
        self._by_fp: dict[str, str | None] = {}
        self._stored: dict[str, OrderRow] = {}  # whole stored rows, for partial updates
        self._inserts: dict[str, OrderRow] = {}
        self._updates: dict[str, OrderRow] = {}

    # -- lookups -----------------------------------------------------------------

    def prefetch(
        self,
        ids: Iterable[str] = (),
        resource_identifiers: Iterable[str] = (),
        fingerprints: Iterable[str] = (),
    ) -> None:
        pending = self.pending
        for column, values, known, pending_ids in (
            (_orders.c.id, ids, self._by_id, None),
            (
                _orders.c.resource_identifier,
                resource_identifiers,
                self._by_ri,
                pending.by_resource_identifier,
            ),
            (_orders.c.fingerprint, fingerprints, self._by_fp, pending.by_fingerprint),
        ):
            wanted = []
            for value in set(values):
                if value in known:
                    continue
                order_id = value if pending_ids is None else pending_ids.get(value)
                head = pending.heads.get(order_id) if isinstance(order_id, str) else MISSING
                if isinstance(head, OrderHead):
                    self._remember(head)
                else:
                    known[value] = None
                    wanted.append(value)
            for chunk in bulk.chunked(wanted):
                self._load_heads(column.name, chunk)

    def prefetch_documents(
        self, ids: Iterable[str] = (), resource_identifiers: Iterable[str] = ()
    ) -> None:
        """Whole stored rows of the orders that `order/update`s will rebuild, in one
        query per 5,000 (call after `prefetch` of the same keys)."""
        wanted = set()
        for order_id in (*ids, *(self._by_ri.get(ri) for ri in resource_identifiers)):
            if order_id is None or self._by_id.get(order_id) is None:
                continue  # no such order: the update fails without reading
            if order_id not in self._stored and self.pending.documents.get(order_id) is MISSING:
                wanted.add(order_id)
        for chunk in bulk.chunked(sorted(wanted)):
            result = _ROWS_BY_ID.execute(
                self.connection, {"tenant_id": self.tenant_id, "keys": chunk}
            )
            for row in result.mappings():
                self._stored[row["id"]] = dict(row)

    def _load_heads(self, column: str, keys: Sequence[str]) -> None:
        result = _HEADS_BY[column].execute(
            self.connection, {"tenant_id": self.tenant_id, "keys": keys}
        )
        for id_, ri, fp, hash_, created in result.all():
            self._remember(OrderHead(id_, ri, fp, hash_, stored_timestamp(created)))

    def _remember(self, head: OrderHead) -> None:
        self._by_id[head.id] = head
        if head.resource_identifier is not None:
            self._by_ri[head.resource_identifier] = head.id
        if head.fingerprint is not None:
            self._by_fp[head.fingerprint] = head.id

    def _head_by_id(self, order_id: str) -> OrderHead | None:
        if order_id not in self._by_id:
            self.prefetch(ids=[order_id])
        return self._by_id[order_id]

    def _head_by(
        self, known: dict[str, str | None], key: str, **prefetch: list[str]
    ) -> OrderHead | None:
        if key not in known:
            self.prefetch(**prefetch)
        order_id = known[key]
        return None if order_id is None else self._by_id[order_id]

    def _head_by_ri(self, ri: str) -> OrderHead | None:
        return self._head_by(self._by_ri, ri, resource_identifiers=[ri])

    def _head_by_fp(self, fp: str) -> OrderHead | None:
        return self._head_by(self._by_fp, fp, fingerprints=[fp])

    def find_by_resource_identifier(self, resource_identifier: str) -> OrderHead | None:
        """The order holding this resourceIdentifier: stored, pending, or written
        earlier in this batch; None if there is none."""
        return self._head_by_ri(resource_identifier)

    def _check_resource_identifier(self, ri: str | None, order_id: str) -> None:
        if ri is None:
            return
        owner = self._head_by_ri(ri)
        if owner is not None and owner.id != order_id:
            raise OperationFailed(
                "conflict",
                f"resourceIdentifier '{ri}' already belongs to order {owner.id}",
                key=ri,
            )

    # -- intents -------------------------------------------------------------------

    def register(
        self,
        data: OrderInput,
        resource_identifier: str | None,
        documents: Mapping[str, str] | None = None,
    ) -> Applied:
        """`documents`: fields taken out of `data` by `detach_documents`."""
        order_id = new_id()
        self._check_resource_identifier(resource_identifier, order_id)
        created_at = self._created_at(data, None)
        return self._write(data, order_id, resource_identifier, None, created_at, None, documents)

    def upsert(
        self,
        data: OrderInput,
        order_id: str | None,
        resource_identifier: str | None,
        documents: Mapping[str, str] | None = None,
    ) -> Applied:
        """`documents`: fields taken out of `data` by `detach_documents`."""
        fp = None
        if order_id is not None:
            head = self._head_by_id(order_id)
        elif resource_identifier is not None:
            head = self._head_by_ri(resource_identifier)
        else:
            if documents:  # the fingerprint is of the whole input
                raise ValueError("an order keyed by its content cannot have detached fields")
            fp = fingerprint(data)
            head = self._head_by_fp(fp)
        if head is not None:
            order_id = head.id
            resource_identifier = resource_identifier or head.resource_identifier
            fp = fp or head.fingerprint
        order_id = order_id or new_id()
        self._check_resource_identifier(resource_identifier, order_id)
        created_at = self._created_at(data, head)
        return self._write(data, order_id, resource_identifier, fp, created_at, head, documents)

    def update(
        self, data: OrderFields, order_id: str | None, resource_identifier: str | None
    ) -> Applied:
        head = (
            self._head_by_id(order_id)
            if order_id is not None
            else self._head_by_ri(resource_identifier or "")
        )
        if head is None:
            key = order_id or resource_identifier
            raise OperationFailed(
                "not_found",
                f"order '{key}' does not exist; use order/upsert to create it",
                key=key,
            )
        document = self._document(head)
        for name in _UPDATABLE_FIELDS:
            value = getattr(data, name)
            if value is not UNSET:
                setattr(document, name, value)
        if order_id is not None and resource_identifier is not None:
            self._check_resource_identifier(resource_identifier, head.id)
        ri = resource_identifier or head.resource_identifier
        return self._write(document, head.id, ri, head.fingerprint, head.created_at, head)

    # -- writing -------------------------------------------------------------------

    def _created_at(self, data: OrderInput, head: OrderHead | None) -> str:
        if isinstance(data.createdAt, str):
            return canonical_timestamp(data.createdAt)
        return head.created_at if head is not None else self.now

    def _write(
        self,
        data: OrderFields,
        order_id: str,
        resource_identifier: str | None,
        fp: str | None,
        created_at: str,
        head: OrderHead | None,
        documents: Mapping[str, str] | None = None,
    ) -> Applied:
        row = build_order(
            data,
            tenant_id=self.tenant_id,
            order_id=order_id,
            resource_identifier=resource_identifier,
            fingerprint=fp,
            created_at=created_at,
            now=self.now,
            documents=documents,
        )
        if head is not None and head.content_hash == row["content_hash"]:
            outcome: Any = "unchanged"
        elif head is not None and order_id not in self._inserts:
            outcome = "updated"
            self._updates[order_id] = row
        else:
            outcome = "created" if head is None else "updated"
            self._inserts[order_id] = row
        self._remember(
            OrderHead(order_id, resource_identifier, fp, row["content_hash"], created_at)
        )
        return Applied(outcome, order_id, order_id, order_output(row))

    def _document(self, head: OrderHead) -> OrderDocument:
        written = self._inserts.get(head.id) or self._updates.get(head.id)
        if written is None:
            uncommitted = self.pending.documents.get(head.id)
            if uncommitted is not MISSING:
                written = uncommitted  # type: ignore[assignment]
        if written is None:
            if head.id not in self._stored:  # a key known only once rendered
                self.prefetch_documents(ids=[head.id])
            written = self._stored[head.id]
        return order_document(written, head.created_at)

    def record(self, batch: int) -> None:
        """Make this batch's orders visible to the next batches before they commit."""
        for order_id, written in (*self._inserts.items(), *self._updates.items()):
            head = self._by_id[order_id]
            assert head is not None
            self.pending.heads.put(batch, order_id, head)
            self.pending.documents.put(batch, order_id, written)
            if head.resource_identifier is not None:
                self.pending.by_resource_identifier.put(batch, head.resource_identifier, order_id)
            if head.fingerprint is not None:
                self.pending.by_fingerprint.put(batch, head.fingerprint, order_id)

    def plan(self) -> list[bulk.WriteStep]:
        """The net effect of the batch as set-based writes."""
        set_columns = [c for c in ORDER_COLUMNS if c not in ("tenant_id", "id")]
        return [
            bulk.Update(
                _orders.name,
                set_columns,
                ("tenant_id", "id"),
                [
                    (*(row[c] for c in set_columns), row["tenant_id"], row["id"])
                    for row in self._updates.values()
                ],
            ),
            bulk.Insert(
                _orders.name,
                ORDER_COLUMNS,
                [tuple(row[c] for c in ORDER_COLUMNS) for row in self._inserts.values()],
            ),
        ]
