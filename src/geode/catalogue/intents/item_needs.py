"""What item operations name: read ahead per batch (`prefetch_items`), and as record
keys for ordering a file by dependency (`item_provides`, `item_needs`).

Values that are templates are left out of the keys: the `_ref` they name already
orders them after the operation that outputs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.item_writer import slug
from geode.catalogue.intents.products import PRODUCT_INTENTS
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


def prefetch_items(batch: CatalogueBatch, ops: Sequence[Any]) -> None:
    """The items, parents, shapes, topics and skus a batch names, in a few queries;
    then, for items it may create, who holds their names and first-choice paths."""
    ids: set[str] = set()
    ris: set[str] = set()
    shapes: set[str] = set()
    topics: set[str] = set()
    skus: set[str] = set()
    for op in ops:
        topics.update(getattr(op, "topicIds", None) or [])
        skus.update(variant.sku for variant in getattr(op, "variants", None) or [])
        if isinstance(item_id := getattr(op, "itemId", UNSET), str):
            ids.add(item_id)
        if isinstance(ri := getattr(op, "resourceIdentifier", UNSET), str):
            ris.add(ri)
        if isinstance(shape := getattr(op, "shapeIdentifier", UNSET), str):
            shapes.add(shape)
        tree = getattr(op, "tree", UNSET)
        if tree is not UNSET and tree is not None:
            ids.add(tree.parentId)
    batch.shapes.prefetch(shapes)
    batch.topics.prefetch_ids(topics)
    batch.variants.prefetch_skus(skus)
    items = batch.items
    items.prefetch(ids, ris)
    products = [
        op.itemId for op in ops if isinstance(op, PRODUCT_INTENTS) and isinstance(op.itemId, str)
    ]
    batch.variants.prefetch_products(products)
    names: set[tuple[str, str, str]] = set()
    paths: set[tuple[str, str]] = set()
    placed: dict[str, str] = {}
    """item id -> parent, of the items this batch's operations place."""
    for op in ops:
        name = getattr(op, "name", UNSET)
        if not isinstance(name, str):
            continue
        tree = getattr(op, "tree", UNSET)
        item_id = op.itemId if isinstance(getattr(op, "itemId", UNSET), str) else None
        state = items.get(item_id) if item_id is not None else None
        if tree is not UNSET and tree is not None:
            parent = tree.parentId
            if item_id is None and isinstance(getattr(op, "shapeIdentifier", UNSET), str):
                names.add((parent, op.language, name))  # an upsert without id finds it so
        elif state is not None:
            parent = state.row["parent_id"]
        elif item_id is not None and item_id in placed:
            parent = placed[item_id]  # placed by an earlier operation of the batch
        else:
            continue
        if item_id is not None:
            placed[item_id] = parent
        # The path the item's name takes in this language (renamed, created or moved).
        base = "" if parent == items.root_id else None
        if base is None and (parent_state := items.get(parent)) is not None:
            base = parent_state.canonical(op.language)
        if base is not None:
            paths.add((op.language, f"{base}/{slug(name) or item_id}"))
    items.prefetch_names(names)
    items.prefetch_paths(paths)
