"""`topic/create|update|upsert|delete`: the tenant's topic tree.

A topic is named by `topicId`, else `resourceIdentifier`; an upsert naming
neither a stored topic finds it by its place (the same name under the same
parent, in the operation's language), so re-running a file never duplicates
topics, and `topic/create` fails on such a topic (`already_exists`) for the
same reason. `children` are found the same way under their parent. An upsert
with a `topicId` that does not exist yet creates the topic with that id.
`topic/delete` removes the subtree and its item links; a topic already gone
is `unchanged`, so a re-run succeeds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from geode.catalogue.documents import dump_or_none, load_as
from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.topic_inputs import (
    TopicCreate,
    TopicDelete,
    TopicOperation,
    TopicSchema,
    TopicUpdate,
    TopicUpsert,
)
from geode.catalogue.intents.topic_tree import ITEM_TOPICS, TOPIC_NAMES, TOPICS
from geode.catalogue.intents.topic_writer import TopicWriter
from geode.db import bulk
from geode.db.keyed_writer import Row
from geode.db.pages import tenant_pages
from geode.outcomes import Applied, OperationFailed
from geode.schemas import UNSET, KeyValuePair
from geode.tenants.settings import languages


def _given(value: Any) -> Any:
    return None if value is UNSET else value


def output(topics: TopicWriter, topic_id: str, language: str) -> dict[str, Any]:
    state = topics.tree[topic_id]
    name, path = state.names.get(language, ("", ""))
    return {"id": topic_id, "path": path, "name": name}


class TopicApplier:
    """One operation against the batch's tree: every check before any change,
    so a failed operation leaves the tree as it found it."""

    def __init__(self, topics: TopicWriter, op: Any) -> None:
        self.topics = topics
        self.op = op
        self.key: str | None = _given(getattr(op, "topicId", UNSET)) or _given(
            op.resourceIdentifier
        )

    def fail(self, code: str, message: str) -> OperationFailed:
        return OperationFailed(code, message, key=self.key)

    def check_language(self) -> str:
        language: str = self.op.language
        if language not in self.topics.languages:
            raise self.fail(
                "unknown_language",
                f"`language`: {language!r} is not one of the tenant's languages "
                f"({', '.join(self.topics.languages)}); add it with `geode tenant configure`",
            )
        return language

    def check_parent(self, topic_id: str | None) -> None:
        parent_id = self.op.parentId
        if not isinstance(parent_id, str):
            return
        if self.topics.get(parent_id) is None:
            raise self.fail(
                "unknown_parent",
                f"`parentId`: topic {parent_id} does not exist; create it before this operation",
            )
        if topic_id is not None and self.topics.is_within(parent_id, topic_id):
            raise self.fail(
                "topic_cycle",
                f"`parentId`: topic {parent_id} is topic {topic_id} or below it; "
                "a topic cannot be moved under itself",
            )

    def check_resource_identifier(self, topic_id: str | None) -> None:
        wanted = self.op.resourceIdentifier
        if wanted is UNSET:
            return
        holder = self.topics.by_resource_identifier(wanted)
        if holder is not None and holder.row["id"] != topic_id:
            raise self.fail(
                "resource_identifier_taken",
                f"`resourceIdentifier`: {wanted!r} names topic {holder.row['id']} already",
            )

    def check_children(self, children: Any, at: str) -> None:
        """Sibling children of one operation have different names: each is found
        by its name, so a second one would update the first."""
        if not isinstance(children, list):
            return
        seen: set[str] = set()
        for index, child in enumerate(children):
            if child.name in seen:
                raise self.fail(
                    "duplicate_child",
                    f"`{at}[{index}].name`: another child of the same topic is named "
                    f"{child.name!r}; a topic's children have different names",
                )
            seen.add(child.name)
            self.check_children(child.children, f"{at}[{index}].children")

    def values(self) -> Row:
        """The columns the operation sets (present fields; null clears)."""
        op, values = self.op, {}
        if op.parentId is not UNSET:
            values["parent_id"] = op.parentId
        if op.pathIdentifier is not UNSET:
            values["path_identifier"] = op.pathIdentifier or None
        if op.displayColor is not UNSET:
            values["display_color"] = op.displayColor
        if op.meta is not UNSET:
            values["meta"] = dump_or_none(op.meta)
        if op.resourceIdentifier is not UNSET:
            values["resource_identifier"] = op.resourceIdentifier
        return values

    def create(self, topic_id: str | None, language: str) -> Applied:
        self.check_parent(None)
        self.check_resource_identifier(None)
        self.check_children(self.op.children, "children")
        values = self.values()
        state = self.topics.create(topic_id, values.pop("parent_id", None), values)
        self.topics.name(state, language, self.op.name)
        self.children(state.row["id"], self.op.children, language)
        topic_id = state.row["id"]
        return Applied(
            "created", topic_id, self.key or topic_id, output(self.topics, topic_id, language)
        )

    def update(self, topic_id: str, language: str) -> Applied:
        self.check_parent(topic_id)
        self.check_resource_identifier(topic_id)
        self.check_children(getattr(self.op, "children", UNSET), "children")
        state = self.topics.tree[topic_id]
        changed = self.topics.change(state, self.values())
        if isinstance(self.op.name, str):
            changed = self.topics.name(state, language, self.op.name) or changed
        changed = self.children(topic_id, getattr(self.op, "children", UNSET), language) or changed
        return Applied(
            "updated" if changed else "unchanged",
            topic_id,
            self.key or topic_id,
            output(self.topics, topic_id, language),
        )

    def children(self, parent_id: str, children: Any, language: str) -> bool:
        """Create or update each child under its parent; whether anything changed."""
        if not isinstance(children, list):
            return False
        changed = False
        for child in children:
            state = self.topics.child_named(parent_id, child.name, language)
            values: Row = {}
            if child.pathIdentifier is not UNSET:
                values["path_identifier"] = child.pathIdentifier or None
            if state is None:
                state = self.topics.create(None, parent_id, values)
                self.topics.name(state, language, child.name)
                changed = True
            else:
                changed = self.topics.change(state, values) or changed
            changed = self.children(state.row["id"], child.children, language) or changed
        return changed


def find(topics: TopicWriter, op: Any) -> str | None:
    """The stored topic the operation names by `topicId` or `resourceIdentifier`."""
    topic_id = getattr(op, "topicId", UNSET)
    if isinstance(topic_id, str):
        return topic_id if topics.get(topic_id) is not None else None
    if isinstance(op.resourceIdentifier, str):
        state = topics.by_resource_identifier(op.resourceIdentifier)
        if state is not None:
            return str(state.row["id"])
    return None


def find_by_place(topics: TopicWriter, op: Any, language: str) -> str | None:
    """The topic with the operation's name under its parent, when it has no
    other `resourceIdentifier` than the operation's."""
    parent_id = op.parentId if isinstance(op.parentId, str) else None
    state = topics.child_named(parent_id, op.name, language)
    if state is None:
        return None
    held = state.row["resource_identifier"]
    if held is not None and held != _given(op.resourceIdentifier):
        return None
    return str(state.row["id"])


def apply_topic(batch: CatalogueBatch, op: TopicOperation) -> Applied:
    topics = batch.topics
    applier = TopicApplier(topics, op)
    language = applier.check_language()
    found = find(topics, op)
    if isinstance(op, TopicUpdate):
        if found is None:
            raise applier.fail(
                "not_found",
                f"topic {applier.key} does not exist; use topic/upsert to create it",
            )
        return applier.update(found, language)
    if found is None and not isinstance(getattr(op, "topicId", UNSET), str):
        found = find_by_place(topics, op, language)
    if isinstance(op, TopicCreate):
        if found is not None:
            raise applier.fail(
                "already_exists",
                f"topic {found} already has this name under this parent (or this "
                "resourceIdentifier); use topic/upsert to update it",
            )
        return applier.create(None, language)
    if found is None:
        return applier.create(_given(op.topicId), language)
    return applier.update(found, language)


def delete_topic(batch: CatalogueBatch, op: TopicDelete) -> Applied:
    topics = batch.topics
    key = str(_given(op.topicId) or op.resourceIdentifier)
    found = find(topics, op)
    if found is None:
        return Applied("unchanged", _given(op.topicId) or "", key, _deleted(key, 0, 0))
    ids = topics.delete(topics.tree[found])
    links = 0
    for chunk in bulk.chunked(ids):
        count = sa.select(sa.func.count()).where(
            ITEM_TOPICS.c.tenant_id == topics.tenant_id, ITEM_TOPICS.c.topic_id.in_(chunk)
        )
        links += int(topics.connection.execute(count).scalar_one())
    return Applied("deleted", found, key, _deleted(found, len(ids), links))


def _deleted(topic_id: str, topics: int, links: int) -> dict[str, Any]:
    return {"id": topic_id, "deletedTopics": topics, "deletedItemLinks": links}


def topic_operations(connection: sa.Connection, tenant_id: str) -> Iterator[TopicUpsert]:
    """Every topic as upserts, one per language it has a name in, parents before
    children and siblings in position order, so a re-import gives the same ids,
    tree and positions. (Topics are few: the tree is sorted in memory.)"""
    rows: dict[str, Row] = {}
    names: dict[str, dict[str, str]] = {}
    for page in tenant_pages(connection, TOPICS, tenant_id, "id"):
        ids = [row["id"] for row in page]
        rows.update((row["id"], dict(row)) for row in page)
        query = sa.select(TOPIC_NAMES).where(
            TOPIC_NAMES.c.tenant_id == tenant_id, TOPIC_NAMES.c.topic_id.in_(ids)
        )
        for name in connection.execute(query):
            names.setdefault(name.topic_id, {})[name.language] = name.name
    order = {code: index for index, code in enumerate(languages(connection, tenant_id))}
    children: dict[str | None, list[Row]] = {}
    for row in rows.values():
        parent = row["parent_id"] if row["parent_id"] in rows else None
        children.setdefault(parent, []).append(row)

    def emit(parent: str | None) -> Iterator[TopicUpsert]:
        for row in sorted(children.get(parent, []), key=lambda r: (r["position"], r["id"])):
            by_language = sorted(
                names.get(row["id"], {}).items(), key=lambda n: (order.get(n[0], len(order)), n[0])
            )
            for language, name in by_language:
                upsert = TopicUpsert(
                    topicId=row["id"], language=language, name=name, parentId=row["parent_id"]
                )
                if row["path_identifier"] is not None:
                    upsert.pathIdentifier = row["path_identifier"]
                if row["display_color"] is not None:
                    upsert.displayColor = row["display_color"]
                if row["meta"] is not None:
                    upsert.meta = load_as(row["meta"], list[KeyValuePair])
                if row["resource_identifier"] is not None:
                    upsert.resourceIdentifier = row["resource_identifier"]
                yield upsert
            yield from emit(row["id"])

    yield from emit(None)


class Topics(TopicSchema):
    lookup_tables: tuple[str, ...] = ("topics", "topic_names")

    def prefetch(self, batch: CatalogueBatch, ops: Sequence[Any]) -> None:
        batch.topics.tree  # noqa: B018 (the whole tree, read once: see topic_tree)

    def apply(self, batch: CatalogueBatch, op: Any) -> Applied:
        if isinstance(op, TopicDelete):
            return delete_topic(batch, op)
        return apply_topic(batch, op)

    def export(self, connection: sa.Connection, tenant_id: str) -> Iterator[Any]:
        return topic_operations(connection, tenant_id)
