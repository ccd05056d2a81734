"""One item and every row that goes with it, as a batch sees it.

An item's rows (its `items` row, versions, paths, topics, shortcuts) are read
and written together, so the batch keeps each touched item whole (`ItemState`)
and the rows of batches not committed yet are whole items too (`Pending` by item
id). `plan_items` compares each touched item with what it was when loaded and
writes the difference set-based: deletes, then updates, then inserts, so a path
that moves from one item to another, or a canonical path that becomes history,
never meets a unique index twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.db import bulk
from geode.db.base import table_of
from geode.timestamps import stored_timestamp

Row = dict[str, Any]
VersionKey = tuple[str, str]
"""(language, version): `draft` or `published`."""
PathKey = tuple[str, str]
"""(language, path)."""

CANONICAL, ALIAS, HISTORY = "canonical", "alias", "history"
DRAFT, PUBLISHED = "draft", "published"


ITEMS = table_of(models.Item)
VERSIONS = table_of(models.ItemVersion)
PATHS = table_of(models.ItemPath)
TOPICS = table_of(models.ItemTopic)
SHORTCUTS = table_of(models.ItemShortcut)
ITEM_COLUMNS = [c.name for c in ITEMS.columns]


@dataclass
class ItemState:
    row: Row
    """The `items` columns, tenant_id included."""
    versions: dict[VersionKey, Row] = field(default_factory=dict)
    """-> {name, components (JSON text), updated_at}."""
    paths: dict[PathKey, str] = field(default_factory=dict)
    """-> kind: canonical, alias or history."""
    topics: list[str] = field(default_factory=list)
    shortcuts: dict[str, int] = field(default_factory=dict)
    """parent id -> position."""

    @property
    def id(self) -> str:
        return str(self.row["id"])

    def copy(self) -> ItemState:
        """Deep enough: rows hold strings, numbers and None only."""
        return ItemState(
            dict(self.row),
            {key: dict(version) for key, version in self.versions.items()},
            dict(self.paths),
            list(self.topics),
            dict(self.shortcuts),
        )

    def canonical(self, language: str) -> str | None:
        for (lang, path), kind in self.paths.items():
            if lang == language and kind == CANONICAL:
                return path
        return None

    def languages(self) -> list[str]:
        return sorted({language for language, version in self.versions if version == DRAFT})


def load_items(
    connection: sa.Connection, tenant_id: str, item_ids: Iterable[str]
) -> dict[str, ItemState]:
    """The stored items among `item_ids`, whole, in one query per table and 5,000 ids."""
    found: dict[str, ItemState] = {}
    for chunk in bulk.chunked(sorted(set(item_ids))):
        ids = list(chunk)
        # `all()` throughout: iterating a result fetches row by row (slower by half).
        for mapping in (
            connection.execute(
                sa.select(ITEMS).where(ITEMS.c.tenant_id == tenant_id, ITEMS.c.id.in_(ids))
            )
            .mappings()
            .all()
        ):
            values = dict(mapping)
            values["created_at"] = stored_timestamp(values["created_at"])
            values["updated_at"] = stored_timestamp(values["updated_at"])
            found[mapping["id"]] = ItemState(values)
        ids = [i for i in ids if i in found]
        if not ids:
            continue
        v = VERSIONS.c
        for row in connection.execute(
            sa.select(v.item_id, v.language, v.version, v.name, v.components, v.updated_at).where(
                v.tenant_id == tenant_id, v.item_id.in_(ids)
            )
        ).all():
            found[row.item_id].versions[(row.language, row.version)] = {
                "name": row.name,
                "components": row.components,
                "updated_at": stored_timestamp(row.updated_at),
            }
        p = PATHS.c
        # Sorted here, not by the query: with `ORDER BY language, path` SQLite walked
        # the whole tenant's paths in primary-key order (to skip a sort) instead of
        # using the item index, once per loaded parent: quadratic in the catalogue.
        path_rows = list(
            connection.execute(
                sa.select(p.item_id, p.language, p.path, p.kind).where(
                    p.tenant_id == tenant_id, p.item_id.in_(ids)
                )
            ).all()
        )
        path_rows.sort(key=lambda path_row: (path_row.language, path_row.path))
        for path_row in path_rows:
            found[path_row.item_id].paths[(path_row.language, path_row.path)] = path_row.kind
        t = TOPICS.c
        for topic_row in connection.execute(
            sa.select(t.item_id, t.topic_id)
            .where(t.tenant_id == tenant_id, t.item_id.in_(ids))
            .order_by(t.item_id, t.position)
        ).all():
            found[topic_row.item_id].topics.append(topic_row.topic_id)
        s = SHORTCUTS.c
        for shortcut_row in connection.execute(
            sa.select(s.item_id, s.parent_id, s.position).where(
                s.tenant_id == tenant_id, s.item_id.in_(ids)
            )
        ).all():
            found[shortcut_row.item_id].shortcuts[shortcut_row.parent_id] = shortcut_row.position
    return found


@dataclass
class _Steps:
    deletes: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    updates: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    inserts: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(self, kind: str, table: str, row: tuple[Any, ...]) -> None:
        getattr(self, kind).setdefault(table, []).append(row)


_KEYS = {
    "item_versions": ("tenant_id", "item_id", "language", "version"),
    "item_paths": ("tenant_id", "language", "path"),
    "item_topics": ("tenant_id", "item_id", "topic_id"),
    "item_shortcuts": ("tenant_id", "item_id", "parent_id"),
}
_SETS = {
    "item_versions": ("name", "components", "updated_at"),
    "item_paths": ("item_id", "kind"),
    "item_topics": ("position",),
    "item_shortcuts": ("position",),
}


def _children(state: ItemState) -> dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]:
    """table -> key values -> set values, for every child row of the item."""
    t, i = state.row["tenant_id"], state.id
    return {
        "item_versions": {
            (t, i, lang, version): (row["name"], row["components"], row["updated_at"])
            for (lang, version), row in state.versions.items()
        },
        "item_paths": {(t, lang, path): (i, kind) for (lang, path), kind in state.paths.items()},
        "item_topics": {(t, i, topic): (position,) for position, topic in enumerate(state.topics)},
        "item_shortcuts": {
            (t, i, parent): (position,) for parent, position in state.shortcuts.items()
        },
    }


def plan_items(
    touched: Sequence[tuple[ItemState | None, ItemState | None]],
) -> list[bulk.WriteStep]:
    """(as loaded, as now) of every touched item -> the writes that get from one to the other."""
    steps = _Steps()
    item_updates: list[tuple[Any, ...]] = []
    item_inserts: list[tuple[Any, ...]] = []
    item_deletes: list[tuple[Any, ...]] = []
    set_columns = [c for c in ITEM_COLUMNS if c not in ("tenant_id", "id", "created_at")]
    for before, after in touched:
        if after is None:
            if before is not None:
                item_deletes.append((before.row["tenant_id"], before.id))
            continue
        if before is None:
            item_inserts.append(tuple(after.row[c] for c in ITEM_COLUMNS))
        elif before.row != after.row:
            item_updates.append(
                (*(after.row[c] for c in set_columns), after.row["tenant_id"], after.id)
            )
        old = _children(before) if before is not None else {}
        for table, rows in _children(after).items():
            was = old.get(table, {})
            for key, values in rows.items():
                if key not in was:
                    steps.add("inserts", table, (*key, *values))
                elif was[key] != values:
                    steps.add("updates", table, (*values, *key))
            for key in was.keys() - rows.keys():
                steps.add("deletes", table, key)
    # A path becoming non-canonical goes first: an item has one canonical path per language.
    steps.updates.get("item_paths", []).sort(key=lambda row: row[1] == CANONICAL)
    plan: list[bulk.WriteStep] = [
        bulk.Delete(table, _KEYS[table], rows) for table, rows in steps.deletes.items()
    ]
    plan.append(bulk.Delete("items", ("tenant_id", "id"), item_deletes))
    plan.append(bulk.Update("items", set_columns, ("tenant_id", "id"), item_updates))
    plan.append(bulk.Insert("items", ITEM_COLUMNS, item_inserts))
    for table, updates in steps.updates.items():
        plan.append(bulk.Update(table, _SETS[table], _KEYS[table], updates))
    for table, inserts in steps.inserts.items():
        plan.append(bulk.Insert(table, (*_KEYS[table], *_SETS[table]), inserts))
    return plan
