"""What item operations name, as record keys for ordering a file by dependency
(`item_provides`, `item_needs`, `massops.ordering`): pure functions of the
operation, which validation worker processes run (no SQLAlchemy here).

Values that are templates are left out of the keys: the `_ref` they name already
orders them after the operation that outputs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from geode.schemas import UNSET


def _literal(value: object) -> str | None:
    return value if isinstance(value, str) and "{{" not in value else None


def item_key(op: Any) -> list[str]:
    """The record keys naming the operation's item (`item:<id>`, `item-ri:<ri>`)."""
    keys = []
    if (item_id := _literal(getattr(op, "itemId", UNSET))) is not None:
        keys.append(f"item:{item_id}")
    if (ri := _literal(getattr(op, "resourceIdentifier", UNSET))) is not None:
        keys.append(f"item-ri:{ri}")
    return keys


_MAKERS = ("create", "upsert", "delete")


def item_provides(op: Any) -> list[str]:
    """create, upsert and delete make or unmake the item, and keep their file order
    among themselves. Other item intents only need it: were they providers, a child
    naming its parent would wait for the parent's last publish or update (the
    dependency order runs a need after the record's last provider), and a publish
    with `includeDescendants` would miss children placed before it in the file."""
    action = op.__struct_config__.tag.rpartition("/")[2]
    return item_key(op) if action in _MAKERS else []


def relations(contents: Any) -> Iterator[str]:
    """item:/sku: keys of every itemRelations content, at any depth."""
    if not isinstance(contents, list):
        return
    for content in contents:
        value = getattr(content, "itemRelations", UNSET)
        if value is not UNSET and value is not None:
            for item_id in value.itemIds or []:
                if _literal(item_id):
                    yield f"item:{item_id}"
            for sku in value.skus or []:
                if _literal(sku):
                    yield f"sku:{sku}"
        for nested in ("piece", "contentChunk", "componentChoice", "componentMultipleChoice"):
            inner = getattr(content, nested, UNSET)
            if inner is UNSET or inner is None:
                continue
            if nested == "piece":
                yield from relations(inner.components)
            elif nested == "contentChunk":
                for chunk in inner.chunks:
                    yield from relations(chunk)
            elif nested == "componentChoice":
                yield from relations([inner])
            else:
                yield from relations(inner)


def item_needs(op: Any) -> list[str]:
    found: list[str] = []
    action = op.__struct_config__.tag.rpartition("/")[2]
    if action not in _MAKERS:
        found.extend(item_key(op))
    if (shape := _literal(getattr(op, "shapeIdentifier", UNSET))) is not None:
        found.append(f"shape:{shape}")
    tree = getattr(op, "tree", UNSET)
    if tree is not UNSET and tree is not None and (parent := _literal(tree.parentId)):
        found.append(f"item:{parent}")
    for topic_id in getattr(op, "topicIds", None) or []:
        if _literal(topic_id):
            found.append(f"topic:{topic_id}")
    found.extend(relations(getattr(op, "components", None)))
    component = getattr(op, "component", UNSET)
    if component is not UNSET:
        found.extend(relations([component]))
    for parent_id in getattr(op, "parentIds", None) or []:
        if _literal(parent_id):
            found.append(f"item:{parent_id}")
    for shortcut in getattr(op, "shortcuts", None) or []:
        if _literal(shortcut.parentId):
            found.append(f"item:{shortcut.parentId}")
    return list(dict.fromkeys(found))
