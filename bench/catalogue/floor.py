"""The catalogue's raw floor: the rows Geode stores for the benchmark file, with no validation.

It stream-parses the file with `ijson` (as the engine does) and turns each operation
into plain tuples for the catalogue tables: pieces, shapes, topics and their names,
images, items with a draft (and, once published, a published) version and a
canonical path per language, item topics, variants with their versions, prices and
stock. Batches of operations are written one transaction each, parents before
children: `executemany` on SQLite, `COPY ... FROM STDIN` on PostgreSQL (the
writers of `bench.floor`). No log rows, no checks, no re-run logic: it knows the
generator's file (operations on one record are adjacent, parents come first) and
nothing else. The database must be migrated and the tenant must exist.

    python -m bench.catalogue.floor FILE --database-url URL --tenant-id ID --root-item-id ID
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from bench.floor import BATCH_OPS, floor_arguments, write_floor

TABLES: dict[str, tuple[str, ...]] = {
    "pieces": ("tenant_id", "identifier", "name", "components", "created_at", "updated_at"),
    "shapes": (
        "tenant_id", "identifier", "name", "type", "components", "variant_components", "meta",
        "created_at", "updated_at",
    ),
    "topics": (
        "tenant_id", "id", "parent_id", "position", "path_identifier", "display_color",
        "resource_identifier", "meta", "created_at", "updated_at",
    ),
    "topic_names": ("tenant_id", "topic_id", "language", "name", "path"),
    "images": ("tenant_id", "key", "language", "created_at"),
    "items": (
        "tenant_id", "id", "type", "shape_identifier", "parent_id", "position", "vat_type_id",
        "external_reference", "resource_identifier", "created_at", "updated_at",
    ),
    "item_versions": (
        "tenant_id", "item_id", "language", "version", "name", "components", "updated_at",
    ),
    "item_paths": ("tenant_id", "language", "path", "item_id", "kind"),
    "item_topics": ("tenant_id", "item_id", "topic_id", "position"),
    "variants": (
        "tenant_id", "id", "product_id", "sku", "is_default", "position", "external_reference",
        "created_at", "updated_at",
    ),
    "variant_versions": (
        "tenant_id", "variant_id", "language", "version", "name", "attributes", "images",
        "videos", "components", "subscription_plans",
    ),
    "variant_prices": ("tenant_id", "variant_id", "price_variant_identifier", "price"),
    "variant_stock": ("tenant_id", "variant_id", "stock_location_identifier", "stock", "meta"),
}  # fmt: skip
"""In write order: every table after the tables its foreign keys point at."""

Row = tuple[Any, ...]

# Canonical document text as Geode stores it: sorted keys, Decimals as JSON numbers.
_encode = msgspec.json.Encoder(decimal_format="number", order="deterministic").encode
_SLUG = re.compile(r"[^a-z0-9]+")


def _document(value: Any) -> str | None:
    return None if value is None else _encode(value).decode()


def _slug(name: str) -> str:
    return _SLUG.sub("-", name.lower()).strip("-") or "item"


class Batch:
    """Rows of up to `BATCH_OPS` operations, and what later operations need to know."""

    def __init__(self, tenant_id: str, root_item_id: str) -> None:
        self.tenant_id = tenant_id
        self.root_item_id = root_item_id
        self.rows: dict[str, list[Row]] = {table: [] for table in TABLES}
        self.now = ""
        # Small, or dropped as soon as used: folder and topic paths, child counts,
        # the current product's variant ids and the drafts waiting to be published.
        self.paths: dict[tuple[str, str], str] = {}
        self.parents: dict[str, str] = {}
        self.topic_parents: dict[str, str | None] = {}
        self.children: dict[str | None, int] = {}
        self.variant_ids: dict[str, dict[str, str]] = {}
        self.drafts: dict[str, dict[str, list[tuple[str, Row]]]] = {}

    def tables(self) -> Iterator[tuple[str, tuple[str, ...], list[Row]]]:
        for table, columns in TABLES.items():
            yield table, columns, self.rows[table]

    def clear(self) -> None:
        for rows in self.rows.values():
            rows.clear()

    def _position(self, parent: str | None) -> int:
        position = self.children.get(parent, 0)
        self.children[parent] = position + 1
        return position

    def add(self, op: dict[str, Any]) -> None:
        intent = op["intent"]
        handler = _HANDLERS.get(intent)
        if handler is None:
            raise ValueError(f"the catalogue floor does not handle intent {intent!r}")
        handler(self, op)

    # -- one method per intent of the generated file ------------------------------------

    def piece(self, op: dict[str, Any]) -> None:
        components = _document(op.get("components") or [])
        self.rows["pieces"].append(
            (self.tenant_id, op["identifier"], op["name"], components, self.now, self.now)
        )

    def shape(self, op: dict[str, Any]) -> None:
        self.rows["shapes"].append(
            (
                self.tenant_id, op["identifier"], op["name"], op["type"],
                _document(op.get("components") or []), _document(op.get("variantComponents")),
                _document(op.get("meta")), self.now, self.now,
            )
        )  # fmt: skip

    def topic(self, op: dict[str, Any]) -> None:
        topic_id, language = op["topicId"], op["language"]
        if op["intent"] == "topic/upsert":
            parent = self.topic_parents[topic_id] = op.get("parentId")
            self.rows["topics"].append(
                (
                    self.tenant_id, topic_id, parent, self._position(parent),
                    op.get("pathIdentifier"), None, None, None, self.now, self.now,
                )
            )  # fmt: skip
        parent = self.topic_parents[topic_id]
        prefix = "" if parent is None else self.paths[(parent, language)]
        path = self.paths[(topic_id, language)] = f"{prefix}/{_slug(op['name'])}"
        self.rows["topic_names"].append((self.tenant_id, topic_id, language, op["name"], path))

    def image(self, op: dict[str, Any]) -> None:
        self.rows["images"].append((self.tenant_id, op["key"], op.get("language"), self.now))

    def item(self, op: dict[str, Any]) -> None:
        item_id, language = op["itemId"], op["language"]
        type_ = op["intent"].split("/", 1)[0]
        if op["intent"].endswith("/upsert"):
            parent = op["tree"]["parentId"]
            if parent.startswith("{{"):
                parent = self.root_item_id
            self.parents[item_id] = parent
            self.rows["items"].append(
                (
                    self.tenant_id, item_id, type_, op["shapeIdentifier"], parent,
                    self._position(parent), op.get("vatTypeId"), op.get("externalReference"),
                    op.get("resourceIdentifier"), self.now, self.now,
                )
            )  # fmt: skip
            for position, topic_id in enumerate(op.get("topicIds") or []):
                self.rows["item_topics"].append((self.tenant_id, item_id, topic_id, position))
        parent = self.parents[item_id]
        prefix = "" if parent == self.root_item_id else self.paths[(parent, language)]
        path = f"{prefix}/{_slug(op['name'])}"
        if type_ == "folder":
            self.paths[(item_id, language)] = path
        self.rows["item_paths"].append((self.tenant_id, language, path, item_id, "canonical"))
        version = (
            self.tenant_id, item_id, language, "draft", op["name"],
            _document(op.get("components") or []), self.now,
        )  # fmt: skip
        drafts = [("item_versions", version)]
        self.rows["item_versions"].append(version)
        for position, variant in enumerate(op.get("variants") or []):
            drafts.append(("variant_versions", self._variant(item_id, language, position, variant)))
        self.drafts.setdefault(item_id, {})[language] = drafts

    def _variant(self, product: str, language: str, position: int, variant: dict[str, Any]) -> Row:
        ids = self.variant_ids.setdefault(product, {})
        sku = variant["sku"]
        variant_id = ids.get(sku)
        if variant_id is None:
            variant_id = ids[sku] = os.urandom(12).hex()
            self.rows["variants"].append(
                (
                    self.tenant_id, variant_id, product, sku, bool(variant.get("isDefault")),
                    position, variant.get("externalReference"), self.now, self.now,
                )
            )  # fmt: skip
            for price in variant.get("priceVariants") or []:
                self.rows["variant_prices"].append(
                    (self.tenant_id, variant_id, price["identifier"], str(price["price"]))
                )
            for stock in variant.get("stockLocations") or []:
                self.rows["variant_stock"].append(
                    (
                        self.tenant_id, variant_id, stock["identifier"], int(stock["stock"]),
                        _document(stock.get("meta")),
                    )
                )  # fmt: skip
        row = (
            self.tenant_id, variant_id, language, "draft", variant["name"],
            _document(variant.get("attributes")), _document(variant.get("images")),
            _document(variant.get("videos")), _document(variant.get("components")),
            _document(variant.get("subscriptionPlans")),
        )  # fmt: skip
        self.rows["variant_versions"].append(row)
        return row

    def publish(self, op: dict[str, Any]) -> None:
        item_id = op["itemId"]
        waiting = self.drafts.get(item_id, {})
        for table, draft in waiting.pop(op["language"], []):
            self.rows[table].append((*draft[:3], "published", *draft[4:]))
        if not waiting:  # every language published: done with this item
            self.drafts.pop(item_id, None)
            self.variant_ids.pop(item_id, None)
            self.parents.pop(item_id, None)


_HANDLERS = {
    "piece/upsert": Batch.piece,
    "shape/upsert": Batch.shape,
    "topic/upsert": Batch.topic,
    "topic/update": Batch.topic,
    "image/register": Batch.image,
    "folder/upsert": Batch.item,
    "folder/update": Batch.item,
    "product/upsert": Batch.item,
    "product/update": Batch.item,
    "item/publish": Batch.publish,
}


def raw_floor(
    path: Path, database_url: str, tenant_id: str, root_item_id: str, batch_ops: int = BATCH_OPS
) -> dict[str, Any]:
    """Write every operation of `path` into tenant `tenant_id`; returns the throughput."""
    return write_floor(path, database_url, Batch(tenant_id, root_item_id), batch_ops)


def main(argv: list[str] | None = None) -> None:
    parser = floor_arguments("Raw-floor import of the catalogue file.")
    parser.add_argument("--root-item-id", required=True, help="that tenant's rootItemId")
    args = parser.parse_args(argv)
    result = raw_floor(
        args.file, args.database_url, args.tenant_id, args.root_item_id, args.batch_ops
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
