"""The item tree of one batch: finding items, placing them, and their paths.

Items are loaded whole (`item_state`) the first time the batch names them: from
the rows of batches not committed yet (`ItemsPending`), else from the store.
Lookups that are not by id (resourceIdentifier, a name under a parent, who owns a
path, the last position under a parent) look in the batch, then in the pending
batches, then in the store, and what the batch changes it records for the next.

Paths: an item's canonical path in a language is `<parent's path>/<slug(name)>`
(`/<slug>` at the top level), made unique per tenant and language with `-2`,
`-3`, ... When it changes (the item moved or was renamed) the old path is kept
as history, so old links still resolve, and the descendants' paths follow.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from geode.catalogue.intents.item_state import (
    CANONICAL,
    DRAFT,
    HISTORY,
    ITEMS,
    PATHS,
    VERSIONS,
    ItemState,
    load_items,
    plan_items,
)
from geode.catalogue.intents.undo import Journal
from geode.db import bulk
from geode.db.key_lookup import KeyLookup
from geode.massops.intents import BatchContext
from geode.outcomes import OperationFailed
from geode.pending import MISSING, Pending

_LAST_POSITIONS = KeyLookup.of(
    sa.select(ITEMS.c.parent_id, sa.func.max(ITEMS.c.position))
    .where(ITEMS.c.tenant_id == sa.bindparam("tenant_id"))
    .group_by(ITEMS.c.parent_id),
    ITEMS.c.parent_id,
)
"""The last position under each of a batch's parents (built once: see `KeyLookup`)."""

NOBODY = ""
"""A path or name key no item holds any more (pending entries cannot hold None)."""


@dataclass
class ItemsPending:
    items: Pending[ItemState | None] = field(default_factory=Pending)
    resource_identifiers: Pending[str] = field(default_factory=Pending)
    paths: Pending[str] = field(default_factory=Pending)
    last_positions: Pending[int] = field(default_factory=Pending)
    names: Pending[str] = field(default_factory=Pending)
    """(parent, language, draft name) -> the item named so (see `by_name`)."""

    def committed(self, batch: int) -> None:
        self.names.committed(batch)
        self.items.committed(batch)
        self.resource_identifiers.committed(batch)
        self.paths.committed(batch)
        self.last_positions.committed(batch)


def slug(name: str) -> str:
    """Lowercase words joined by `-`, accents dropped; other scripts' letters kept."""
    if name.isascii():  # nothing to decompose (most names; a character walk per name)
        return _SEPARATORS.sub("-", name.lower()).strip("-")
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return _SEPARATORS.sub("-", text).strip("-")


_SEPARATORS = re.compile(r"[\W_]+")


def _name_key(parent_id: str, language: str, name: str) -> str:
    return f"{parent_id}\x00{language}\x00{name}"


def _path_key(language: str, path: str) -> str:
    return f"{language}\x00{path}"


class ItemWriter:
    def __init__(
        self,
        context: BatchContext,
        pending: ItemsPending,
        root_id: str,
        journal: Journal | None = None,
    ) -> None:
        """Changes go through `journal` (the batch's), so that a refused operation
        can be undone; reads that fill a cache do not."""
        self.journal = journal or Journal()
        self.connection = context.connection
        self.tenant_id = context.tenant_id
        self.now = context.now
        self.pending = pending
        self.root_id = root_id
        self._loaded: dict[str, ItemState | None] = {}
        self._states: dict[str, ItemState | None] = {}
        self._touched: list[str] = []
        self._ri: dict[str, str] = {}
        self._paths: dict[tuple[str, str], str] = {}
        self._last: dict[str, int] = {}
        self._names: dict[str, str] = {}
        self._kids: dict[str, list[str]] = {}
        """parent id -> items the batch placed under it (verify: they may have moved)."""
        self._names_read: set[str] = set()
        """Name keys `prefetch_names` read from the store (absent from `_names`: none)."""

    # -- finding ---------------------------------------------------------------------

    def prefetch(self, item_ids: set[str], resource_identifiers: set[str]) -> None:
        for ri in resource_identifiers - self._ri.keys():
            found = self.pending.resource_identifiers.get(ri)
            if found is not MISSING:
                self._ri[ri] = str(found)
        wanted_ri = resource_identifiers - self._ri.keys()
        if wanted_ri:
            for chunk in bulk.chunked(sorted(wanted_ri)):
                for ri, item_id in self.connection.execute(
                    sa.select(ITEMS.c.resource_identifier, ITEMS.c.id).where(
                        ITEMS.c.tenant_id == self.tenant_id,
                        ITEMS.c.resource_identifier.in_(list(chunk)),
                    )
                ):
                    self._ri[ri] = item_id
                    item_ids.add(item_id)
            for ri in wanted_ri - self._ri.keys():
                self._ri[ri] = NOBODY
        self._load(item_ids)

    def _load(self, item_ids: set[str]) -> None:
        wanted = set()
        for item_id in item_ids - self._states.keys():
            found = self.pending.items.get(item_id)
            if found is MISSING:
                wanted.add(item_id)
            else:
                state = found if isinstance(found, ItemState) else None
                self._loaded[item_id] = state
                self._states[item_id] = None if state is None else state.copy()
        stored = load_items(self.connection, self.tenant_id, wanted)
        for item_id in wanted:
            state = stored.get(item_id)
            self._loaded[item_id] = state
            self._states[item_id] = None if state is None else state.copy()

    def get(self, item_id: str) -> ItemState | None:
        """The item as the batch sees it now (change it through `touch`)."""
        if item_id not in self._states:
            self._load({item_id})
        return self._states[item_id]

    def exists(self, item_id: str) -> bool:
        return item_id == self.root_id or self.get(item_id) is not None

    def by_resource_identifier(self, ri: str) -> ItemState | None:
        if ri not in self._ri:
            self.prefetch(set(), {ri})
        item_id = self._ri[ri]
        state = self.get(item_id) if item_id else None
        return state if state is not None and state.row["resource_identifier"] == ri else None

    def by_name(self, parent_id: str, language: str, name: str) -> ItemState | None:
        """An item named `name` in `language` (its draft) directly under `parent_id`:
        one the batch or a pending batch named so, else one the store holds."""
        key = _name_key(parent_id, language, name)
        candidates = [self._names.get(key, NOBODY)]
        pending = self.pending.names.get(key)
        if pending is not MISSING:
            candidates.append(str(pending))
        for item_id in candidates:
            if item_id and self._named(item_id, parent_id, language, name):
                return self.get(item_id)
        if key in self._names_read:
            return None
        v = VERSIONS.c
        stored = self.connection.execute(
            sa.select(ITEMS.c.id)
            .join(VERSIONS, sa.and_(v.tenant_id == ITEMS.c.tenant_id, v.item_id == ITEMS.c.id))
            .where(
                ITEMS.c.tenant_id == self.tenant_id,
                ITEMS.c.parent_id == parent_id,
                v.language == language,
                v.version == DRAFT,
                v.name == name,
            )
            .order_by(ITEMS.c.position, ITEMS.c.id)
        ).scalars()
        for item_id in stored:
            if self._named(item_id, parent_id, language, name):
                return self.get(item_id)
        return None

    def prefetch_names(self, wanted: set[tuple[str, str, str]]) -> None:
        """Read which items are named (parent, language, name), for the upserts of a
        batch that name neither itemId nor a stored resourceIdentifier: one query per
        5,000 names, a superset (any parent of the set) checked by `by_name`."""
        keys = {_name_key(*w): w for w in wanted}
        todo = [w for k, w in keys.items() if k not in self._names_read]
        v = VERSIONS.c
        for chunk in bulk.chunked(todo):
            # The parents' children first, then their drafts: one joined query let
            # SQLite (which has no statistics here) start from every version of the
            # tenant, once per batch.
            children = list(
                self.connection.execute(
                    sa.select(ITEMS.c.id, ITEMS.c.parent_id, ITEMS.c.position).where(
                        ITEMS.c.tenant_id == self.tenant_id,
                        ITEMS.c.parent_id.in_({w[0] for w in chunk}),
                    )
                ).all()
            )
            children.sort(key=lambda child: (child.position, child.id))
            parents = {child.id: child.parent_id for child in children}
            named: dict[tuple[str, str, str], str] = {}
            for ids in bulk.chunked(list(parents)):
                for item_id, language, name in self.connection.execute(
                    sa.select(v.item_id, v.language, v.name).where(
                        v.tenant_id == self.tenant_id,
                        v.item_id.in_(list(ids)),
                        v.version == DRAFT,
                        v.name.in_({w[2] for w in chunk}),
                    )
                ):
                    named[(item_id, language, name)] = item_id
            order = {item_id: position for position, item_id in enumerate(parents)}
            for item_id, language, name in sorted(named, key=lambda k: order[k[0]]):
                key = _name_key(parents[item_id], language, name)
                if key in keys and self.pending.names.get(key) is MISSING:
                    self._names.setdefault(key, item_id)
            self._names_read.update(_name_key(*w) for w in chunk)

    def prefetch_paths(self, wanted: set[tuple[str, str]]) -> None:
        """Read who holds these (language, path)s, one query per 5,000 paths."""
        todo: list[tuple[str, str]] = []
        for language, path in wanted:
            if (language, path) in self._paths:
                continue
            found = self.pending.paths.get(_path_key(language, path))
            if found is MISSING:
                todo.append((language, path))
                self._paths[(language, path)] = NOBODY
            else:
                self._paths[(language, path)] = str(found)
        p = PATHS.c
        for chunk in bulk.chunked(todo):
            rows = self.connection.execute(
                sa.select(p.language, p.path, p.item_id).where(
                    p.tenant_id == self.tenant_id,
                    p.language.in_({w[0] for w in chunk}),
                    p.path.in_({w[1] for w in chunk}),
                )
            )
            asked = set(chunk)
            for language, path, item_id in rows:
                if (language, path) in asked:  # the query's superset aside
                    self._paths[(language, path)] = item_id

    def _named(self, item_id: str, parent_id: str, language: str, name: str) -> bool:
        state = self.get(item_id)
        if state is None or state.row["parent_id"] != parent_id:
            return False
        draft = state.versions.get((language, DRAFT))
        return draft is not None and draft["name"] == name

    def child_ids(self, parent_id: str) -> list[str]:
        """Items placed directly under `parent_id`: stored, pending and in the batch."""
        ids: list[str] = []
        if parent_id not in self._loaded or self._loaded[parent_id] is not None:
            # (An item new in this batch has children of this batch only.)
            ids.extend(
                self.connection.execute(
                    sa.select(ITEMS.c.id)
                    .where(ITEMS.c.tenant_id == self.tenant_id, ITEMS.c.parent_id == parent_id)
                    .order_by(ITEMS.c.position, ITEMS.c.id)
                ).scalars()
            )
            for state in self.pending.items.values():
                if state is not None and state.row["parent_id"] == parent_id:
                    ids.append(state.id)
        ids.extend(self._kids.get(parent_id, ()))
        self._load(set(ids))
        result: list[str] = []
        for item_id in dict.fromkeys(ids):
            state = self._states.get(item_id)
            if state is not None and state.row["parent_id"] == parent_id:
                result.append(item_id)
        return result

    def descendants(self, item_id: str) -> Iterator[ItemState]:
        """Every item below `item_id`, parents before their children."""
        for child_id in self.child_ids(item_id):
            child = self.get(child_id)
            if child is not None:
                yield child
                yield from self.descendants(child_id)

    # -- changing --------------------------------------------------------------------

    def touch(self, state: ItemState) -> None:
        """`state` (new, or got from `get` and changed) is the item now."""
        item_id = state.id
        journal = self.journal
        if item_id not in self._loaded:
            journal.put(self._loaded, item_id, None)
        journal.put(self._states, item_id, state)
        state.row["updated_at"] = self.now
        journal.append(self._touched, item_id)
        kids = self._kids.setdefault(state.row["parent_id"], [])
        if item_id not in kids[-1:]:
            journal.append(kids, item_id)
        ri = state.row["resource_identifier"]
        if ri is not None:
            journal.put(self._ri, ri, item_id)
        for (language, version), row in state.versions.items():
            if version == DRAFT:
                key = _name_key(state.row["parent_id"], language, row["name"])
                journal.put(self._names, key, item_id)

    def remove(self, state: ItemState) -> None:
        journal = self.journal
        for (language, path), _ in state.paths.items():
            journal.put(self._paths, (language, path), NOBODY)
        if state.row["resource_identifier"] is not None:
            journal.put(self._ri, state.row["resource_identifier"], NOBODY)
        journal.put(self._states, state.id, None)
        journal.append(self._touched, state.id)

    def prefetch_positions(self, parent_ids: set[str]) -> None:
        """The last positions under these parents, in one query a batch: a batch of
        products spread over many folders asked once per folder (7 s of a 100k-product
        file)."""
        wanted = []
        for parent_id in parent_ids - self._last.keys():
            found = self.pending.last_positions.get(parent_id)
            if found is MISSING:
                wanted.append(parent_id)
                self._last[parent_id] = -1
            else:
                self._last[parent_id] = int(found)  # type: ignore[call-overload]
        for chunk in bulk.chunked(sorted(wanted)):
            parameters = {"tenant_id": self.tenant_id, "keys": list(chunk)}
            for parent_id, last in _LAST_POSITIONS.execute(self.connection, parameters).all():
                self._last[parent_id] = int(last)

    def next_position(self, parent_id: str) -> int:
        """One past the last position under `parent_id`."""
        self.prefetch_positions({parent_id})
        return self._last[parent_id] + 1

    def placed(self, parent_id: str, position: int) -> None:
        last = max(self.next_position(parent_id) - 1, position)
        self.journal.put(self._last, parent_id, last)

    def check_parent(self, item_id: str, parent_id: str, at: str) -> None:
        """The parent exists and is not the item or below it."""
        if parent_id == self.root_id:
            return
        ancestor: str | None = parent_id
        seen: set[str] = set()
        while ancestor is not None and ancestor != self.root_id and ancestor not in seen:
            if ancestor == item_id:
                raise OperationFailed(
                    "tree_cycle",
                    f"`{at}` names {parent_id}, which is this item or one of its descendants; "
                    "an item cannot be placed below itself",
                    key=item_id,
                )
            seen.add(ancestor)
            state = self.get(ancestor)
            if state is None:
                raise OperationFailed(
                    "unknown_parent",
                    f"`{at}` names {parent_id}, which is no item of this tenant; use "
                    "{{ defaults.rootItemId }} for the top level or create the parent first",
                    key=item_id,
                )
            if ancestor == parent_id and state.row["type"] == "product":
                raise OperationFailed(
                    "invalid_parent",
                    f"`{at}` names the product {parent_id}; a product cannot hold other items",
                    key=item_id,
                )
            ancestor = state.row["parent_id"]

    # -- paths -----------------------------------------------------------------------

    def path_owner(self, language: str, path: str) -> str:
        """The item holding `path` in `language` (any kind), or NOBODY."""
        key = (language, path)
        if key not in self._paths:
            found = self.pending.paths.get(_path_key(language, path))
            if found is MISSING:
                p = PATHS.c
                stored = self.connection.execute(
                    sa.select(p.item_id).where(
                        p.tenant_id == self.tenant_id, p.language == language, p.path == path
                    )
                ).scalar()
                found = NOBODY if stored is None else str(stored)
            self._paths[key] = str(found)
        owner = self._paths[key]
        if owner and self.get(owner) is None:
            return NOBODY  # removed in this batch
        return owner

    def claim_path(self, state: ItemState, language: str, path: str, kind: str) -> None:
        state.paths[(language, path)] = kind
        self.journal.put(self._paths, (language, path), state.id)

    def release_path(self, state: ItemState, language: str, path: str) -> None:
        if state.paths.pop((language, path), None) is not None:
            self.journal.put(self._paths, (language, path), NOBODY)

    def parent_path(self, parent_id: str, language: str) -> str:
        if parent_id == self.root_id:
            return ""
        parent = self.get(parent_id)
        if parent is None:
            return ""
        canonical = parent.canonical(language)
        if canonical is not None:
            return canonical
        return f"{self.parent_path(parent.row['parent_id'], language)}/{parent.id}"

    def rebuild_path(self, state: ItemState, language: str) -> bool:
        """Give the item its canonical path in `language` from its parent and draft name;
        the former one becomes history. True when it changed (descendants follow)."""
        draft = state.versions.get((language, DRAFT))
        if draft is None:
            return False
        base = f"{self.parent_path(state.row['parent_id'], language)}/"
        stem = slug(draft["name"]) or state.id
        current = state.canonical(language)
        candidate, number = base + stem, 1
        while True:
            if candidate == current:
                return False
            owner = self.path_owner(language, candidate)
            if owner in (NOBODY, state.id):
                break
            number += 1
            candidate = f"{base}{stem}-{number}"
        if current is not None:
            state.paths[(language, current)] = HISTORY
        self.claim_path(state, language, candidate, CANONICAL)
        return True

    def rebuild_paths(self, state: ItemState, languages: list[str] | None = None) -> None:
        """The item's canonical paths, and its descendants' where its own changed."""
        changed = [
            language
            for language in (languages or state.languages())
            if self.rebuild_path(state, language)
        ]
        if not changed:
            return
        self.touch(state)  # before the children, whose paths start with its own
        if state.row["type"] == "product":
            return  # a product holds no items: no query for its children
        for child_id in self.child_ids(state.id):
            child = self.get(child_id)
            if child is not None:
                # A copy: the batch's own changes only through `touch` (undoable).
                self.rebuild_paths(child.copy(), changed)

    # -- the batch -------------------------------------------------------------------

    def record(self, batch: int) -> None:
        for item_id in dict.fromkeys(self._touched):
            state = self._states[item_id]
            self.pending.items.put(batch, item_id, None if state is None else state.copy())
        for ri, item_id in self._ri.items():
            self.pending.resource_identifiers.put(batch, ri, item_id)
        for (language, path), owner in self._paths.items():
            self.pending.paths.put(batch, _path_key(language, path), owner)
        for parent_id, last in self._last.items():
            self.pending.last_positions.put(batch, parent_id, last)
        for key, item_id in self._names.items():
            self.pending.names.put(batch, key, item_id)

    def plan(self) -> list[bulk.WriteStep]:
        touched = [(self._loaded[i], self._states[i]) for i in dict.fromkeys(self._touched)]
        return plan_items(touched)
