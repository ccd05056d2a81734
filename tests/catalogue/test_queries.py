"""The shared reads: batch lookups find exactly the tenant's records, decoded."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.engine import Engine

from geode.catalogue import models, queries
from geode.catalogue.documents import dump
from geode.ids import new_id
from tests.catalogue.conftest import NOW, Catalogue, new_catalogue


def test_items_are_found_by_id_and_resource_identifier_within_the_tenant(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    first = catalogue.item(resource_identifier="erp-1", position=1)
    second = catalogue.item(resource_identifier="erp-2")
    other = new_catalogue(engine)
    other.shape()
    foreign = other.item(resource_identifier="erp-3")
    with engine.connect() as connection:
        found = queries.items_by_id(
            connection, catalogue.tenant_id, [first, second, foreign, first]
        )
        by_resource = queries.item_ids_by_resource_identifier(
            connection, catalogue.tenant_id, ["erp-1", "erp-2", "erp-3", "erp-9"]
        )
        one = queries.item_by_id(connection, catalogue.tenant_id, first)
        missing = queries.item_by_id(connection, catalogue.tenant_id, new_id())
    assert set(found) == {first, second}
    assert by_resource == {"erp-1": first, "erp-2": second}
    assert one == queries.ItemRecord(
        id=first,
        type="product",
        shape_identifier="product",
        parent_id=catalogue.root,
        position=1,
        vat_type_id=None,
        external_reference=None,
        resource_identifier="erp-1",
        created_at=NOW,
        updated_at=NOW,
    )
    assert missing is None


def test_a_batch_lookup_takes_more_keys_than_one_statement_holds(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    wanted = {catalogue.item() for _ in range(3)}
    keys = [new_id() for _ in range(12_000)] + sorted(wanted)
    with engine.connect() as connection:
        assert set(queries.items_by_id(connection, catalogue.tenant_id, keys)) == wanted


def test_children_come_in_their_order(catalogue: Catalogue, engine: Engine) -> None:
    catalogue.shape("folder", "folder")
    catalogue.shape()
    folder = catalogue.item("folder", type_="folder")
    late = catalogue.item(parent_id=folder, position=2)
    early = catalogue.item(parent_id=folder, position=1)
    with engine.connect() as connection:
        assert queries.child_ids(connection, catalogue.tenant_id, folder) == [early, late]
        assert queries.child_ids(connection, catalogue.tenant_id, catalogue.root) == [folder]


def test_a_version_reads_back_with_its_components_decoded(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    item = catalogue.item()
    content = [{"componentId": "weight", "numeric": {"number": Decimal("0.350"), "unit": "kg"}}]
    catalogue.insert(
        models.ItemVersion,
        item_id=item,
        language="en",
        version="draft",
        name="Mug",
        components=dump(content),
        updated_at=NOW,
    )
    with engine.connect() as connection:
        draft = queries.item_version(connection, catalogue.tenant_id, item, "en", "draft")
        published = queries.item_version(connection, catalogue.tenant_id, item, "en", "published")
    assert draft == queries.ItemVersionRecord("Mug", content, NOW)
    assert str(draft.components[0]["numeric"]["number"]) == "0.350"
    assert published is None


def test_variants_by_sku_and_a_products_variants_in_order(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    product = catalogue.item()
    b = catalogue.variant(product, "B", position=1)
    a = catalogue.variant(product, "A", is_default=True, position=0)
    catalogue.price(a, Decimal("10.50"))
    catalogue.price(a, Decimal("8"), "sale")
    with engine.connect() as connection:
        by_sku = queries.variants_by_sku(connection, catalogue.tenant_id, ["A", "B", "C"])
        ordered = queries.product_variants(connection, catalogue.tenant_id, product)
        prices = queries.variant_prices(connection, catalogue.tenant_id, a)
        none = queries.variant_prices(connection, catalogue.tenant_id, b)
    assert by_sku == {
        "A": queries.VariantKey(a, product, "A", True, 0),
        "B": queries.VariantKey(b, product, "B", False, 1),
    }
    assert [v.sku for v in ordered] == ["A", "B"]
    assert prices == {"default": Decimal("10.5"), "sale": Decimal("8")}
    assert none == {}


def test_shapes_and_pieces_read_back_with_their_documents(
    catalogue: Catalogue, engine: Engine
) -> None:
    definitions = [{"id": "title", "name": "Title", "type": "singleLine"}]
    catalogue.insert(
        models.Shape,
        identifier="page",
        name="Page",
        type="document",
        components=dump(definitions),
        meta=dump({"key": "owner", "value": "web"}),
        created_at=NOW,
        updated_at=NOW,
    )
    catalogue.insert(
        models.Piece,
        identifier="seo",
        name="SEO",
        components=dump(definitions),
        created_at=NOW,
        updated_at=NOW,
    )
    with engine.connect() as connection:
        shapes = queries.shapes_by_identifier(connection, catalogue.tenant_id, ["page", "x"])
        pieces = queries.pieces_by_identifier(connection, catalogue.tenant_id, ["seo", "page"])
    assert shapes == {
        "page": queries.ShapeRecord(
            "page",
            "Page",
            "document",
            definitions,
            None,
            {"key": "owner", "value": "web"},
            NOW,
            NOW,
        )
    }
    assert pieces == {"seo": queries.PieceRecord("seo", "SEO", definitions, NOW, NOW)}


def test_topics_by_id_and_resource_identifier(catalogue: Catalogue, engine: Engine) -> None:
    topic = new_id()
    catalogue.insert(
        models.Topic,
        id=topic,
        position=0,
        resource_identifier="colour-red",
        created_at=NOW,
        updated_at=NOW,
    )
    other = new_catalogue(engine)
    with engine.connect() as connection:
        assert queries.topic_ids_by_resource_identifier(
            connection, catalogue.tenant_id, ["colour-red", "colour-blue"]
        ) == {"colour-red": topic}
        assert queries.existing_topic_ids(connection, catalogue.tenant_id, [topic, new_id()]) == {
            topic
        }
        assert queries.existing_topic_ids(connection, other.tenant_id, [topic]) == set()
