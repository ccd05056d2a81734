"""`image/register`: an image known by its key.

A registered key needs no file stored in Geode: the image may live in an
external media store, and items name it by key. Registering again is
idempotent (`unchanged`); `language` and `resourceIdentifier`, when present,
replace the stored ones and, absent, are kept. What Geode knows of a file it
stores itself (path, type, size) is never touched here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.image_inputs import ImageRegister, ImageSchema
from geode.db.base import table_of
from geode.db.pages import tenant_pages
from geode.outcomes import Applied, Outcome
from geode.schemas import UNSET


def apply_register(batch: CatalogueBatch, op: ImageRegister) -> Applied:
    if op.language is not UNSET:
        batch.require_language(op.language, "language")
    rows = batch.images.rows(op.key)
    existing = rows.get(())
    row = dict(existing) if existing is not None else _new_row(batch)
    if op.language is not UNSET:
        row["language"] = op.language
    if op.resourceIdentifier is not UNSET:
        row["resource_identifier"] = op.resourceIdentifier
    row.pop("tenant_id", None)
    row.pop("key", None)
    changed = batch.images.put(op.key, row)
    outcome: Outcome = "created" if existing is None else "updated" if changed else "unchanged"
    # No resource id: an image is known by its key, which may be far longer than the
    # log's 24-character id column (PostgreSQL refused any key over 24 characters).
    return Applied(outcome, "", op.key, {"key": op.key})


def _new_row(batch: CatalogueBatch) -> dict[str, Any]:
    return {
        "language": None,
        "resource_identifier": None,
        "stored_path": None,
        "content_type": None,
        "size": None,
        "created_at": batch.now,
    }


def image_operations(connection: sa.Connection, tenant_id: str) -> Iterator[ImageRegister]:
    table = table_of(models.Image)
    for rows in tenant_pages(connection, table, tenant_id, "key"):
        for row in rows:
            op = ImageRegister(key=row["key"])
            if row["language"] is not None:
                op.language = row["language"]
            if row["resource_identifier"] is not None:
                op.resourceIdentifier = row["resource_identifier"]
            yield op


class Images(ImageSchema):
    lookup_tables: tuple[str, ...] = ("images",)

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        batch.images.prefetch(op.key for op in ops)

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        return apply_register(batch, op)

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        return image_operations(connection, tenant_id)
