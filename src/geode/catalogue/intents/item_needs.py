"""What item operations name: read ahead per batch (`prefetch_items`), and as record
keys for ordering a file by dependency (`item_provides`, `item_needs`: defined in
`item_keys`, which validation worker processes import without this module).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geode.catalogue.intents.batch import CatalogueBatch
from geode.catalogue.intents.item_keys import item_key, item_needs, item_provides, relations
from geode.catalogue.intents.item_writer import slug
from geode.catalogue.intents.product_inputs import PRODUCT_INTENTS
from geode.schemas import UNSET

__all__ = ["item_key", "item_needs", "item_provides", "prefetch_items", "relations"]


def prefetch_items(batch: CatalogueBatch, ops: Sequence[Any]) -> None:
    """The items, parents, shapes, topics and skus a batch names, in a few queries;
    then, for items it may create, who holds their names and first-choice paths."""
    ids: set[str] = set()
    ris: set[str] = set()
    shapes: set[str] = set()
    topics: set[str] = set()
    skus: set[str] = set()
    parents: set[str] = set()
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
            parents.add(tree.parentId)
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
    items.prefetch_positions(parents)
