"""The item tree as operations that re-import to the same store.

Parents come before their children (the tree is walked from the root, one
query per parent and page); each item is one upsert per language with its id,
then its publishing and paths. A published version that differs from the draft
is written first and published, then the draft over it, so both come back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.catalogue.components.content import decode_components
from geode.catalogue.intents.item_state import (
    ALIAS,
    DRAFT,
    HISTORY,
    ITEMS,
    PUBLISHED,
    ItemState,
    load_items,
)
from geode.db.pages import PAGE
from geode.tenants.settings import root_item_id

ItemUpsert = Callable[..., Any]
"""Builds the upsert of one item type from its fields (keyword arguments)."""


def _children(connection: sa.Connection, tenant_id: str, parent_id: str) -> Iterator[list[str]]:
    last: tuple[int, str] | None = None
    while True:
        query = (
            sa.select(ITEMS.c.id, ITEMS.c.position)
            .where(ITEMS.c.tenant_id == tenant_id, ITEMS.c.parent_id == parent_id)
            .order_by(ITEMS.c.position, ITEMS.c.id)
            .limit(PAGE)
        )
        if last is not None:
            query = query.where(sa.tuple_(ITEMS.c.position, ITEMS.c.id) > sa.tuple_(*last))
        rows = list(connection.execute(query))
        if not rows:
            return
        yield [row.id for row in rows]
        last = (rows[-1].position, rows[-1].id)


ROOT = "{{ defaults.rootItemId }}"
"""How a file names the tenant's root folder: the export imports into any tenant."""


def _upsert(
    build: ItemUpsert,
    state: ItemState,
    language: str,
    version: dict[str, Any],
    extra: Any,
    root: str,
    cleared: list[dict[str, Any]] | None = None,
) -> Any:
    row = state.row
    parent = ROOT if row["parent_id"] == root else row["parent_id"]
    fields: dict[str, Any] = {
        "itemId": state.id,
        "language": language,
        "name": version["name"],
        "shapeIdentifier": row["shape_identifier"],
        "tree": {"parentId": parent, "position": row["position"]},
        "components": [*decode_components(version["components"]), *(cleared or [])],
        "topicIds": state.topics,
        "createdAt": row["created_at"],
    }
    if row["external_reference"] is not None:
        fields["externalReference"] = row["external_reference"]
    if row["resource_identifier"] is not None:
        fields["resourceIdentifier"] = row["resource_identifier"]
    return build(fields, state, language, extra)


def _cleared(draft: str, published: str) -> list[dict[str, Any]]:
    kept = {content.componentId for content in decode_components(published)}
    return [
        {"componentId": content.componentId, content.type: None}
        for content in decode_components(draft)
        if content.componentId not in kept
    ]


def _op(operations: dict[str, type[Any]], intent: str, **fields: Any) -> Any:
    return msgspec.convert(fields, operations[intent])


def item_state_operations(
    state: ItemState, build: ItemUpsert, operations: dict[str, type[Any]], root: str
) -> Iterator[Any]:
    """One item's upserts, publishing and paths, every language."""
    for language in state.languages():
        draft = state.versions[(language, DRAFT)]
        published = state.versions.get((language, PUBLISHED))
        same = published is not None and (published["name"], published["components"]) == (
            draft["name"],
            draft["components"],
        )
        if published is not None and not same:
            # Components only the draft has are cleared (null), so that the published
            # version comes back as it was when the file re-imports into this store too.
            cleared = _cleared(draft["components"], published["components"])
            yield _upsert(build, state, language, published, "published", root, cleared)
            yield _op(operations, "item/publish", itemId=state.id, language=language)
        yield _upsert(build, state, language, draft, "draft", root)
        if same:
            yield _op(operations, "item/publish", itemId=state.id, language=language)
        for kind, intent in ((ALIAS, "item/paths/setAliases"), (HISTORY, "item/paths/setHistory")):
            paths = sorted(
                p for (lang, p), held in state.paths.items() if lang == language and held == kind
            )
            if paths:
                yield _op(operations, intent, itemId=state.id, language=language, paths=paths)


def _shortcuts(state: ItemState, operations: dict[str, type[Any]], root: str) -> Any:
    return _op(
        operations,
        "item/paths/setShortcuts",
        itemId=state.id,
        shortcuts=[
            {"parentId": ROOT if parent == root else parent, "position": position}
            for parent, position in sorted(state.shortcuts.items())
        ],
    )


def tree_operations(
    connection: sa.Connection,
    tenant_id: str,
    build: ItemUpsert,
    operations: dict[str, type[Any]],
) -> Iterator[Any]:
    """Every item of the tenant, parents first (depth first from the root); shortcuts
    last, since they may name any item."""
    root = root_item_id(connection, tenant_id)
    stack = [root]
    shortcuts: list[Any] = []
    while stack:
        parent_id = stack.pop()
        below: list[str] = []
        for page in _children(connection, tenant_id, parent_id):
            states = load_items(connection, tenant_id, page)
            for item_id in page:
                state = states.get(item_id)
                if state is not None:
                    yield from item_state_operations(state, build, operations, root)
                    below.append(item_id)
                    if state.shortcuts:
                        shortcuts.append(_shortcuts(state, operations, root))
        stack.extend(reversed(below))
    yield from shortcuts
