"""The whole catalogue's round trip (issue 11, point 8), on SQLite and PostgreSQL.

The benchmark's catalogue at a tiny scale (every item kind, variants, prices,
stock, topics, images, publishing), plus what the generator leaves out
(documents, drafts that differ from their published version, aliases and
shortcuts, variant components, images and subscription plans, flows with their
stages and items, price lists, subscription contracts), is imported into tenant
A. A's export, imported into tenant B configured from A's `tenant show --json`,
exports byte for byte the same file: item, topic and contract ids, VAT type ids
and the order of everything survive, variants are found again by sku. Each step
calls what the CLI command calls (`massop run`, `export catalogue`, `tenant show
--json`, `tenant configure`).
"""

from __future__ import annotations

import io
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec

from bench.catalogue import shapes
from bench.catalogue.generate import (
    Counts,
    folder_id,
    image_key,
    operations,
    product_id,
    sku,
    topic_id,
)
from geode.app import App
from geode.db.engine import reading
from geode.jsontext import encode_for_file
from geode.massops.export import write_file
from geode.tenants.configure import configure
from geode.tenants.service import TenantInfo, create_tenant
from geode.tenants.settings import read_settings
from geode.tenants.settings_schemas import parse_settings
from tests.catalogue.files import logs, run

SCALE, SEED = 0.001, 1
DOCUMENT, NOTE = f"d4{1:022x}", f"d4{2:022x}"
CONTRACT = f"e5{1:022x}"
HEADER = ("id", "identifier", "createdAt", "rootItemId")
"""What `tenant show --json` names its tenant by: left out to configure another."""

# Decimals as exact JSON numbers, as the generator writes them.
_encode = msgspec.json.Encoder(decimal_format="number").encode


def _documents() -> list[dict[str, Any]]:
    """A published document whose English draft moved on, its Norwegian draft never
    published, and an unpublished document of the other shape, with a topic."""
    return [
        {
            "intent": "document/upsert",
            "language": "en",
            "itemId": DOCUMENT,
            "name": "Care guide",
            "shapeIdentifier": "document-0",
            "resourceIdentifier": "care-guide",
            "externalReference": "doc-1",
            "tree": {"parentId": folder_id(0)},
            "components": [
                {"componentId": "tagline", "singleLine": {"text": "Keep it dry"}},
                {
                    "componentId": "story",
                    "paragraphCollection": {
                        "paragraphs": [
                            {
                                "title": {"text": "Wash"},
                                "body": {"html": ["<p>By hand.</p>"]},
                                "images": [{"key": image_key(1)}],
                            }
                        ]
                    },
                },
                {
                    "componentId": "seo",
                    "piece": {
                        "identifier": shapes.piece_identifier(0),
                        "components": [{"componentId": "title", "singleLine": {"text": "Care"}}],
                    },
                },
                {
                    "componentId": "facts",
                    "propertiesTable": {
                        "sections": [{"title": "Facts", "properties": [{"key": "a", "value": "1"}]}]
                    },
                },
            ],
        },
        {"intent": "item/publish", "language": "en", "itemId": DOCUMENT},
        {
            "intent": "item/updateComponent/item",
            "language": "en",
            "itemId": DOCUMENT,
            "component": {"componentId": "tagline", "singleLine": {"text": "Keep it dry!"}},
        },
        {"intent": "document/update", "language": "no", "itemId": DOCUMENT, "name": "Pleie"},
        {
            "intent": "document/upsert",
            "language": "en",
            "itemId": NOTE,
            "name": "Note",
            "shapeIdentifier": "document-1",
            "tree": {"parentId": "{{ defaults.rootItemId }}"},
            "topicIds": [topic_id(1)],
            "components": [
                {"componentId": "featured", "boolean": {"value": True}},
                {"componentId": "palette", "colors": {"colors": [{"label": "Sky", "hex": "#00f"}]}},
                {"componentId": "clips", "videos": [{"key": "vid/1", "title": "Clip"}]},
                {"componentId": "manuals", "files": [{"key": "files/manual.pdf"}]},
            ],
        },
    ]


def _items() -> list[dict[str, Any]]:
    """A folder's components, a product renamed after publishing, paths, and a
    variant with components, images, stock meta and a subscription plan."""
    plan = {
        "identifier": "box",
        "periods": [
            {
                "id": "a" * 24,
                "recurring": {
                    "meteredVariables": [],
                    "priceVariants": [{"identifier": "default", "price": Decimal("9.90")}],
                },
            }
        ],
    }
    return [
        {
            "intent": "folder/update",
            "language": "en",
            "itemId": folder_id(1),
            "components": [
                {"componentId": "launch", "datetime": {"datetime": "2024-05-01T12:30:00Z"}},
                {"componentId": "store", "location": {"lat": 59.9139, "long": 10.7522}},
                {"componentId": "rating", "numeric": {"number": 4.5, "unit": "stars"}},
            ],
        },
        {"intent": "product/update", "language": "en", "itemId": product_id(0), "name": "New"},
        {
            "intent": "item/paths/addAliases",
            "itemId": product_id(1),
            "language": "en",
            "paths": ["/sale/one"],
        },
        {
            "intent": "item/paths/addShortcuts",
            "itemId": product_id(2),
            "shortcuts": [{"parentId": folder_id(1)}],
        },
        {
            "intent": "product/variant/upsert",
            "language": "en",
            "productId": product_id(0),
            "sku": sku(0, 1),
            "name": "Special",
            "externalReference": "var-1",
            "components": [{"componentId": "barcode", "singleLine": {"text": "7040"}}],
            "images": [{"key": image_key(2), "altText": "Front"}],
            "subscriptionPlans": [plan],
            "stockLocations": [
                {"identifier": "oslo", "stock": 3, "meta": [{"key": "shelf", "value": "A1"}]}
            ],
        },
    ]


def _commerce() -> list[dict[str, Any]]:
    """A flow with stages and items, a price list, a subscription contract."""
    return [
        {
            "intent": "flow/upsert",
            "identifier": "editorial",
            "name": "Editorial",
            "type": "item",
            "stages": [
                {"identifier": "draft", "name": "Draft"},
                {
                    "identifier": "review",
                    "name": "Review",
                    "actions": [{"action": "move", "move": {"targetStageIdentifier": "draft"}}],
                },
            ],
        },
        {
            "intent": "item/flow/stage/addItems",
            "stageIdentifier": "review",
            "items": [{"id": DOCUMENT}, {"id": product_id(3)}],
        },
        {
            "intent": "pricelist/upsert",
            "identifier": "vip",
            "name": "VIP",
            "modifierType": "PERCENTAGE",
            "priceVariants": [{"identifier": "default", "modifier": Decimal("-10.5")}],
            "selectedProductVariants": {
                "type": "SOME_SKUS",
                "variants": [
                    {"sku": sku(0, 0)},
                    {"sku": sku(1, 1), "priceVariants": [{"identifier": "nok", "modifier": 2}]},
                ],
            },
            "targetAudience": {"type": "SOME", "customerGroupIdentifiers": ["vip"]},
            "startDate": "2024-06-01T00:00:00Z",
        },
        {
            "intent": "subscription-contract/upsert",
            "id": CONTRACT,
            "customerIdentifier": "ada",
            "subscriptionPlan": {
                "identifier": "box",
                "periodId": "a" * 24,
                "periodName": "Monthly",
            },
            "status": {"activateAt": "2024-05-01T00:00:00Z"},
            "item": {"sku": sku(0, 1), "quantity": 1},
            "recurring": {"currency": "EUR", "price": "9.9", "period": 1, "unit": "month"},
        },
    ]


def catalogue_file(path: Path, scale: float = SCALE) -> Path:
    """The file imported into the first tenant (at least 4 products: `_commerce`)."""
    ops = [*operations(Counts.at(scale), SEED), *_documents(), *_items(), *_commerce()]
    path.write_bytes(_encode({"version": "0.0.1", "operations": ops}))
    return path


def export(app: App, tenant_id: str) -> bytes:
    """`geode export catalogue --tenant T`'s file."""
    family = next(f for f in app.massops.intents.families if f.name == "catalogue")
    out = io.BytesIO()
    with reading(app.engine) as connection:
        write_file(out, family.export(connection, tenant_id))
    return out.getvalue()


def show_json(app: App, tenant_id: str) -> dict[str, Any]:
    """`geode tenant show T --json`."""
    with reading(app.engine) as connection:
        shown: dict[str, Any] = json.loads(
            encode_for_file(read_settings(connection, tenant_id).as_json())
        )
    return shown


def configure_with(app: App, tenant_id: str, settings: dict[str, Any]) -> None:
    """`geode tenant configure T FILE`."""
    wanted = parse_settings(encode_for_file(settings), app.settings.max_json_depth)
    with app.engine.begin() as connection:
        configure(connection, tenant_id, wanted, app.setting_usages)


def test_an_exported_catalogue_imports_into_another_tenant_and_exports_the_same_file(
    app: App, tenant: TenantInfo, tmp_path: Path
) -> None:
    configure_with(app, tenant.id, shapes.settings())
    first = run(app, tenant, catalogue_file(tmp_path / "catalogue.json"))
    assert first.status == "complete", [
        (e["intent"], e["message"]) for e in logs(app, first.id) if e["status"] != "success"
    ]
    exported = export(app, tenant.id)
    intents = {op["intent"] for op in json.loads(exported)["operations"]}
    assert intents == {
        "piece/upsert", "shape/upsert", "topic/upsert", "document/upsert", "folder/upsert",
        "product/upsert", "product/variant/upsert", "item/publish", "item/paths/setAliases",
        "item/paths/setHistory",
        "item/paths/setShortcuts", "flow/upsert", "item/flow/stage/addItems", "pricelist/upsert",
        "subscription-contract/upsert", "image/register",
    }  # fmt: skip

    with app.engine.begin() as connection:
        other = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    shown = show_json(app, tenant.id)
    configure_with(app, other.id, {k: v for k, v in shown.items() if k not in HEADER})
    assert show_json(app, other.id)["vatTypes"] == shown["vatTypes"]  # ids included
    path = tmp_path / "export.json"
    path.write_bytes(exported)
    second = run(app, other, path)
    assert second.status == "complete", [
        e for e in logs(app, second.id) if e["status"] != "success"
    ]

    again = export(app, other.id)
    assert again == exported
