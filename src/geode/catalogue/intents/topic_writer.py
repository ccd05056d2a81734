"""A batch's unit of work for topics: the tree in memory (`topic_tree`), changed
by the intents, and the net change written set-based by `plan`.

Paths are `/parent-path/slug` per language, the slug being the topic's
`pathIdentifier` or its name made URL-safe; a path taken by another topic gets
`-2`, `-3`... Moving or renaming a topic rebuilds the paths of its subtree.
Positions count from 0 among siblings, without gaps: a new or moved topic goes
last, and removing one closes its gap (so an export re-imports to the same
positions).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from geode.db import bulk
from geode.ids import new_id
from geode.tenants.settings import languages

from .topic_tree import (
    ITEM_TOPICS,
    TOPIC_NAMES,
    TOPICS,
    Row,
    TopicIds,
    TopicPending,
    TopicState,
    load_tree,
)

_NOT_SLUG = re.compile(r"[^\w]+")


def slug(text: str) -> str:
    """`Summer Sale!` -> `summer-sale`; letters of any script are kept."""
    folded = unicodedata.normalize("NFKC", text).lower().replace("_", "-")
    return _NOT_SLUG.sub("-", folded).strip("-")


class TopicWriter:
    def __init__(
        self, connection: sa.Connection, tenant_id: str, now: str, pending: TopicPending
    ) -> None:
        self.connection = connection
        self.tenant_id = tenant_id
        self.now = now
        self.pending = pending
        self.ids = TopicIds(connection, tenant_id, pending)
        self._tree: dict[str, TopicState] | None = None
        self._base: dict[str, TopicState] = {}
        self._paths: dict[tuple[str, str], str] = {}
        self._touched: set[str] = set()
        self._recreated: set[str] = set()
        self._languages: list[str] | None = None

    # -- what items ask -------------------------------------------------------------

    def prefetch_ids(self, topic_ids: Iterable[str]) -> None:
        """Read whether these topics exist, in a few queries (items' `topicIds`)."""
        if self._tree is None:
            self.ids.prefetch(topic_ids)

    def exists(self, topic_id: str) -> bool:
        """Stored, pending, or created earlier in the batch (and not deleted since)."""
        if self._tree is not None:
            return topic_id in self._tree
        return self.ids.exists(topic_id)

    # -- the tree -------------------------------------------------------------------

    @property
    def tree(self) -> dict[str, TopicState]:
        if self._tree is None:
            self._tree = load_tree(self.connection, self.tenant_id, self.pending)
            self._base = {topic_id: state.copy() for topic_id, state in self._tree.items()}
            for topic_id, state in self._tree.items():
                for language, (_, path) in state.names.items():
                    self._paths[(language, path)] = topic_id
        return self._tree

    @property
    def languages(self) -> list[str]:
        if self._languages is None:
            self._languages = languages(self.connection, self.tenant_id)
        return self._languages

    def get(self, topic_id: str) -> TopicState | None:
        return self.tree.get(topic_id)

    def by_resource_identifier(self, resource_identifier: str) -> TopicState | None:
        for state in self.tree.values():
            if state.row["resource_identifier"] == resource_identifier:
                return state
        return None

    def children(self, parent_id: str | None) -> list[TopicState]:
        found = [s for s in self.tree.values() if s.row["parent_id"] == parent_id]
        return sorted(found, key=lambda s: (s.row["position"], s.row["id"]))

    def child_named(self, parent_id: str | None, name: str, language: str) -> TopicState | None:
        for state in self.children(parent_id):
            named = state.names.get(language)
            if named is not None and named[0] == name:
                return state
        return None

    def descendants(self, topic_id: str) -> Iterator[TopicState]:
        """The topic's subtree below it, parents before children."""
        for child in self.children(topic_id):
            yield child
            yield from self.descendants(child.row["id"])

    def is_within(self, topic_id: str, ancestor_id: str) -> bool:
        """Whether `topic_id` is `ancestor_id` or below it."""
        seen: set[str] = set()
        current: str | None = topic_id
        while current is not None and current not in seen:
            if current == ancestor_id:
                return True
            seen.add(current)
            state = self.tree.get(current)
            current = None if state is None else state.row["parent_id"]
        return False

    # -- changes --------------------------------------------------------------------

    def create(self, topic_id: str | None, parent_id: str | None, values: Row) -> TopicState:
        topic_id = topic_id or new_id()
        row: Row = {
            "tenant_id": self.tenant_id,
            "id": topic_id,
            "parent_id": parent_id,
            "position": len(self.children(parent_id)),
            "path_identifier": None,
            "display_color": None,
            "resource_identifier": None,
            "meta": None,
            "created_at": self.now,
            "updated_at": self.now,
            **values,
        }
        state = TopicState(row)
        if topic_id in self._base:  # deleted earlier in this batch, now made again
            self._recreated.add(topic_id)
        self.tree[topic_id] = state
        self._touched.add(topic_id)
        return state

    def change(self, state: TopicState, values: Row) -> bool:
        """Set the columns that differ; moving it puts it last under its new parent."""
        changed = {k: v for k, v in values.items() if state.row[k] != v}
        if not changed:
            return False
        topic_id = state.row["id"]
        if "parent_id" in changed:
            self._close_gap(state)
            changed["position"] = len(self.children(changed["parent_id"]))
        state.row.update(changed, updated_at=self.now)
        self._touched.add(topic_id)
        if "parent_id" in changed or "path_identifier" in changed:
            self.rebuild_paths(state)
        return True

    def name(self, state: TopicState, language: str, name: str) -> bool:
        """Set the topic's name in `language`; False when it already had it."""
        current = state.names.get(language)
        if current is not None and current[0] == name:
            return False
        state.names[language] = (name, current[1] if current else "")
        state.row["updated_at"] = self.now
        self._touched.add(state.row["id"])
        self.rebuild_paths(state)
        return True

    def delete(self, state: TopicState) -> list[str]:
        """Remove the topic and its subtree; their ids, the topic first."""
        gone = [state, *self.descendants(state.row["id"])]
        self._close_gap(state)
        for each in gone:
            topic_id = each.row["id"]
            del self.tree[topic_id]
            self._touched.add(topic_id)
            for language, (_, path) in each.names.items():
                if self._paths.get((language, path)) == topic_id:
                    del self._paths[(language, path)]
        return [each.row["id"] for each in gone]

    def _close_gap(self, state: TopicState) -> None:
        position = state.row["position"]
        for sibling in self.children(state.row["parent_id"]):
            if sibling is not state and sibling.row["position"] > position:
                sibling.row["position"] -= 1
                self._touched.add(sibling.row["id"])

    # -- paths ----------------------------------------------------------------------

    def rebuild_paths(self, state: TopicState) -> None:
        """New paths for the topic and its subtree, in every language they have."""
        subtree = [state, *self.descendants(state.row["id"])]
        for each in subtree:  # free the old paths first: they may be taken again
            for language, (_, path) in each.names.items():
                if self._paths.get((language, path)) == each.row["id"]:
                    del self._paths[(language, path)]
        for each in subtree:
            for language, (name, _) in list(each.names.items()):
                wanted = f"{self._prefix(each, language)}/{self._slug(each, name)}"
                path = self._free_path(language, wanted)
                each.names[language] = (name, path)
                self._paths[(language, path)] = each.row["id"]
                self._touched.add(each.row["id"])

    def _slug(self, state: TopicState, name: str) -> str:
        return state.row["path_identifier"] or slug(name) or state.row["id"]

    def _prefix(self, state: TopicState, language: str) -> str:
        """The parent's path in `language`; a parent without a name in it stands
        by its own slug under its parent's prefix (its first language's name)."""
        parent = self.tree.get(state.row["parent_id"] or "")
        if parent is None:
            return ""
        named = parent.names.get(language)
        if named is not None:
            return named[1]
        any_name = next((n for _, (n, _) in sorted(parent.names.items())), "")
        return f"{self._prefix(parent, language)}/{self._slug(parent, any_name)}"

    def _free_path(self, language: str, path: str) -> str:
        """`path`, or `path-2`, `path-3`... if another topic has it in `language`."""
        candidate, suffix = path, 1
        while (language, candidate) in self._paths:
            suffix += 1
            candidate = f"{path}-{suffix}"
        return candidate

    # -- writing --------------------------------------------------------------------

    def record(self, batch: int) -> None:
        """Make this batch's topics visible to the next batches before they commit."""
        if self._tree is None:
            return
        for topic_id in self._touched:
            state = self._tree.get(topic_id)
            self.pending.put(batch, topic_id, None if state is None else state.copy())

    def plan(self) -> list[bulk.WriteStep]:
        """Removals first (a topic may be removed, then made again with its id),
        then new rows, then changed ones."""
        if self._tree is None:
            return []
        gone: list[tuple[Any, ...]] = []
        new_topics: list[Row] = []
        changed_topics: list[Row] = []
        new_names: list[tuple[Any, ...]] = []
        changed_names: list[tuple[Any, ...]] = []
        for topic_id in sorted(self._touched):
            before, after = self._base.get(topic_id), self._tree.get(topic_id)
            if before is not None and (after is None or topic_id in self._recreated):
                gone.append((self.tenant_id, topic_id))
                before = None
            if after is None:
                continue
            if before is None:
                new_topics.append(after.row)
            elif after.row != before.row:
                changed_topics.append(after.row)
            for language, (name, path) in after.names.items():
                old = None if before is None else before.names.get(language)
                if old is None:
                    new_names.append((self.tenant_id, topic_id, language, name, path))
                elif old != (name, path):
                    changed_names.append((name, path, self.tenant_id, topic_id, language))
        columns = [c.name for c in TOPICS.columns]
        keys = ("tenant_id", "id")
        set_columns = [c for c in columns if c not in (*keys, "created_at")]
        topic_key = ("tenant_id", "topic_id")
        name_columns = ("tenant_id", "topic_id", "language", "name", "path")
        name_key = (*topic_key, "language")
        parked = [(f"!{row[3]}", *row[2:]) for row in changed_names]  # never a real path
        return [
            bulk.Delete(ITEM_TOPICS.name, topic_key, gone),
            bulk.Delete(TOPIC_NAMES.name, topic_key, gone),
            bulk.Delete(TOPICS.name, keys, gone),
            bulk.Insert(TOPICS.name, columns, [tuple(r[c] for c in columns) for r in new_topics]),
            bulk.Update(
                TOPICS.name,
                set_columns,
                keys,
                [(*(r[c] for c in set_columns), *(r[c] for c in keys)) for r in changed_topics],
            ),
            # Paths move in two steps: a path one topic gives up may be another's new one.
            bulk.Update(TOPIC_NAMES.name, ("path",), name_key, parked),
            bulk.Insert(TOPIC_NAMES.name, name_columns, new_names),
            bulk.Update(TOPIC_NAMES.name, ("name", "path"), name_key, changed_names),
        ]
