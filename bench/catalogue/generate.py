"""Deterministic, streamed generator of the catalogue benchmark's mass-operation file.

At scale 1 (issue 11, "How fast"): 10 pieces, 20 shapes using every component
type, 200 topics, 1,000 folders and 100,000 products, each in two languages,
products with 5 components (rich text, images, a chunk, a selection, a
relation) and 3 variants priced in two price variants and stocked in two
locations, then every folder and product published in both languages. 1,000
image keys are registered first, which the products' images name.

The file is in dependency order (pieces, shapes, topics, images, folders, then
each product followed by its second language and its publishing), every id is
a literal 24-hex id, and the only template is `{{ defaults.rootItemId }}` for
the top-level folders, so the same file also feeds the raw floor. Nothing but a
write buffer is held in memory.

    python -m bench.catalogue.generate --scale 1 --seed 42 --out bench/data/catalogue-1-42.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from bench.catalogue import shapes

ROOT_TEMPLATE = "{{ defaults.rootItemId }}"
VARIANTS_PER_PRODUCT = 3
TOPICS_PER_ROOT = 20
FOLDERS_PER_TOP = 50
FLUSH_EVERY = 2_000  # operations per write() call
NOK_PER_EUR = Decimal("11.5")
CENT = Decimal("0.01")

ADJECTIVES = (
    ("Classic", "Klassisk"), ("Organic", "Økologisk"), ("Compact", "Kompakt"),
    ("Rustic", "Rustikk"), ("Modern", "Moderne"), ("Nordic", "Nordisk"),
)  # fmt: skip
NOUNS = (
    ("Mug", "Krus"), ("Lamp", "Lampe"), ("Chair", "Stol"), ("Kettle", "Kjele"),
    ("Blanket", "Pledd"), ("Backpack", "Sekk"), ("Candle", "Lys"), ("Jacket", "Jakke"),
)  # fmt: skip
MATERIALS = (("Oak", "Eik"), ("Wool", "Ull"), ("Steel", "Stål"), ("Linen", "Lin"))
SIZES = ("S", "M", "L")


@dataclass(frozen=True)
class Counts:
    """How many records of each kind a scale gives (pieces and shapes never scale)."""

    topics: int
    images: int
    folders: int
    products: int

    @classmethod
    def at(cls, scale: float) -> Counts:
        if scale <= 0:
            raise ValueError("scale must be above zero")
        return cls(
            topics=max(2, round(200 * scale)),
            images=max(10, round(1_000 * scale)),
            folders=max(2, round(1_000 * scale)),
            products=max(1, round(100_000 * scale)),
        )

    def operations(self) -> dict[str, int]:
        """Operations per intent in the generated file."""
        languages = len(shapes.LANGUAGES)
        return {
            "piece/upsert": shapes.PIECE_COUNT,
            "shape/upsert": len(shapes.FOLDER_SHAPES + shapes.DOCUMENT_SHAPES)
            + len(shapes.PRODUCT_SHAPES),
            "topic/upsert": self.topics,
            "topic/update": self.topics * (languages - 1),
            "image/register": self.images,
            "folder/upsert": self.folders,
            "folder/update": self.folders * (languages - 1),
            "product/upsert": self.products,
            "product/update": self.products * (languages - 1),
            "item/publish": (self.folders + self.products) * languages,
        }

    @property
    def total(self) -> int:
        return sum(self.operations().values())


def topic_id(n: int) -> str:
    return f"a1{n:022x}"


def folder_id(n: int) -> str:
    return f"b2{n:022x}"


def product_id(n: int) -> str:
    return f"c3{n:022x}"


def image_key(n: int) -> str:
    return f"bench/images/{n:06d}.jpg"


def sku(product: int, variant: int) -> str:
    return f"p{product}-{SIZES[variant]}"


def top_folders(counts: Counts) -> int:
    return max(1, counts.folders // FOLDERS_PER_TOP)


def folder_parent(n: int, counts: Counts) -> str:
    """The first folders sit at the root; the rest are spread under them."""
    tops = top_folders(counts)
    return ROOT_TEMPLATE if n < tops else folder_id(n % tops)


def topic_parent(n: int) -> str | None:
    return None if n % TOPICS_PER_ROOT == 0 else topic_id(n - n % TOPICS_PER_ROOT)


def _topics(counts: Counts) -> Iterator[dict[str, Any]]:
    for n in range(counts.topics):
        upsert: dict[str, Any] = {
            "intent": "topic/upsert",
            "language": "en",
            "topicId": topic_id(n),
            "name": f"Topic {n}",
        }
        parent = topic_parent(n)
        if parent is not None:
            upsert["parentId"] = parent
        yield upsert
        yield {
            "intent": "topic/update",
            "language": "no",
            "topicId": topic_id(n),
            "name": f"Emne {n}",
        }


def _folders(counts: Counts) -> Iterator[dict[str, Any]]:
    for n in range(counts.folders):
        yield {
            "intent": "folder/upsert",
            "language": "en",
            "itemId": folder_id(n),
            "name": f"Folder {n}",
            "shapeIdentifier": shapes.FOLDER_SHAPES[n % len(shapes.FOLDER_SHAPES)],
            "tree": {"parentId": folder_parent(n, counts)},
        }
        yield {
            "intent": "folder/update",
            "language": "no",
            "itemId": folder_id(n),
            "name": f"Mappe {n}",
        }


def _components(n: int, lang: int, rng: random.Random, counts: Counts) -> list[dict[str, Any]]:
    """The five components, in language `lang` (0 = en, 1 = no)."""
    adjective = ADJECTIVES[n % len(ADJECTIVES)][lang]
    noun = NOUNS[n % len(NOUNS)][lang]
    material = MATERIALS[rng.randrange(len(MATERIALS))][lang]
    weight = Decimal(rng.randint(10, 5_000)).scaleb(-2)
    first_image = rng.randrange(counts.images)
    images = [
        {"key": image_key((first_image + k) % counts.images), "altText": f"{noun} {n} ({k + 1})"}
        for k in range(2)
    ]
    return [
        {
            "componentId": "description",
            "richText": {"html": [f"<p>{adjective} {noun.lower()}, {material.lower()}.</p>"]},
        },
        {"componentId": "images", "images": images},
        {
            "componentId": "specs",
            "contentChunk": {
                "chunks": [
                    [
                        {"componentId": "material", "singleLine": {"text": material}},
                        {"componentId": "weight", "numeric": {"number": weight, "unit": "kg"}},
                    ]
                ]
            },
        },
        {
            "componentId": "colour",
            "selection": {"keys": [shapes.SELECTION_KEYS[n % len(shapes.SELECTION_KEYS)]]},
        },
        {"componentId": "related", "itemRelations": {"itemIds": [product_id(n - 1)] if n else []}},
    ]


def _variants(n: int, lang: int, prices: list[Decimal], stock: list[int]) -> list[dict[str, Any]]:
    noun = NOUNS[n % len(NOUNS)][lang]
    return [
        {
            "sku": sku(n, v),
            "name": f"{noun} {n} {SIZES[v]}",
            "isDefault": v == 0,
            "attributes": [{"attribute": "size", "value": SIZES[v]}],
            "priceVariants": [
                {"identifier": "default", "price": prices[v]},
                {"identifier": "nok", "price": (prices[v] * NOK_PER_EUR).quantize(CENT)},
            ],
            "stockLocations": [
                {"identifier": "default", "stock": stock[2 * v]},
                {"identifier": "oslo", "stock": stock[2 * v + 1]},
            ],
        }
        for v in range(VARIANTS_PER_PRODUCT)
    ]


def _product(n: int, rng: random.Random, counts: Counts) -> Iterator[dict[str, Any]]:
    """A product in English, its Norwegian version and its publishing, in file order."""
    prices = [Decimal(rng.randint(500, 250_000)).scaleb(-2) for _ in range(VARIANTS_PER_PRODUCT)]
    stock = [rng.randint(0, 500) for _ in range(2 * VARIANTS_PER_PRODUCT)]
    topic_ids = sorted({topic_id(rng.randrange(counts.topics)) for _ in range(2)})
    state = rng.getstate()  # both languages draw the same materials and images
    item = product_id(n)
    yield {
        "intent": "product/upsert",
        "language": "en",
        "itemId": item,
        "name": f"{ADJECTIVES[n % len(ADJECTIVES)][0]} {NOUNS[n % len(NOUNS)][0]} {n}",
        "shapeIdentifier": shapes.PRODUCT_SHAPES[n % len(shapes.PRODUCT_SHAPES)],
        "vatTypeId": shapes.VAT_TYPE_ID,
        "externalReference": f"ext-{n}",
        "topicIds": topic_ids,
        "tree": {"parentId": folder_id(n % counts.folders)},
        "components": _components(n, 0, rng, counts),
        "variants": _variants(n, 0, prices, stock),
    }
    rng.setstate(state)
    yield {
        "intent": "product/update",
        "language": "no",
        "itemId": item,
        "name": f"{ADJECTIVES[n % len(ADJECTIVES)][1]} {NOUNS[n % len(NOUNS)][1]} {n}",
        "components": _components(n, 1, rng, counts),
        "variants": _variants(n, 1, prices, stock),
    }
    for language in shapes.LANGUAGES:
        yield {"intent": "item/publish", "language": language, "itemId": item}


def operations(counts: Counts, seed: int) -> Iterator[dict[str, Any]]:
    """Every operation of the file, in file order."""
    rng = random.Random(seed)
    yield from shapes.pieces()
    yield from shapes.shapes()
    yield from _topics(counts)
    for n in range(counts.images):
        yield {"intent": "image/register", "key": image_key(n)}
    yield from _folders(counts)
    for n in range(counts.folders):
        for language in shapes.LANGUAGES:
            yield {"intent": "item/publish", "language": language, "itemId": folder_id(n)}
    for n in range(counts.products):
        yield from _product(n, rng, counts)


# Decimals as exact JSON numbers (`12.50`, never a float's `12.5000001`).
_encode = msgspec.json.Encoder(decimal_format="number").encode


def generate(path: Path, scale: float, seed: int) -> Counts:
    """Write the file to `path` atomically (a partial file is never left behind)."""
    counts = Counts.at(scale)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    chunk: list[str] = []
    first = True
    with partial.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write('{"version":"0.0.1","operations":[\n')
        for op in operations(counts, seed):
            chunk.append(_encode(op).decode())
            if len(chunk) >= FLUSH_EVERY:
                out.write(("" if first else ",\n") + ",\n".join(chunk))
                first = False
                chunk.clear()
        if chunk:
            out.write(("" if first else ",\n") + ",\n".join(chunk))
        out.write("\n]}\n")
    os.replace(partial, path)
    return counts


def write_settings(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(shapes.settings(), indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--settings", type=Path, help="also write the tenant settings file here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.out, args.scale, args.seed)
    if args.settings:
        write_settings(args.settings)
    seconds = time.perf_counter() - started
    size_mb = args.out.stat().st_size / 1e6
    print(
        f"wrote {counts.total:,} operations ({counts.products:,} products) to {args.out} "
        f"({size_mb:.1f} MB) in {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
