"""What the catalogue's tables hold and refuse on SQLite and PostgreSQL: the
invariants the intents rely on are the database's, not only the code's."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from geode.catalogue import models, queries
from geode.ids import new_id
from geode.limits import MONEY
from geode.money import money_text
from tests.catalogue.conftest import NOW, Catalogue, new_catalogue, table


def test_a_sku_is_unique_per_tenant(catalogue: Catalogue, engine: Engine) -> None:
    catalogue.shape()
    product = catalogue.item()
    catalogue.variant(product, "MUG-1", is_default=True)
    with pytest.raises(sa.exc.IntegrityError):
        catalogue.variant(catalogue.item(), "MUG-1")

    other = new_catalogue(engine)
    other.shape()
    other.variant(other.item(), "MUG-1")  # another tenant's catalogue
    with engine.connect() as connection:
        assert set(queries.variant_ids_by_sku(connection, catalogue.tenant_id, ["MUG-1"])) == {
            "MUG-1"
        }


def test_a_path_names_one_item_per_tenant_and_language(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    first, second = catalogue.item(), catalogue.item()
    catalogue.path(first, "/shop/mug")
    with pytest.raises(sa.exc.IntegrityError):
        catalogue.path(second, "/shop/mug", kind="alias")
    catalogue.path(second, "/shop/mug", language="nb-NO")  # another language
    other = new_catalogue(engine)
    other.shape()
    other.path(other.item(), "/shop/mug")  # another tenant
    with engine.connect() as connection:
        assert queries.item_id_by_path(connection, catalogue.tenant_id, "en", "/shop/mug") == first


def test_an_item_has_one_canonical_path_per_language_and_any_number_of_others(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    item = catalogue.item()
    catalogue.path(item, "/mug")
    catalogue.path(item, "/krus", language="nb-NO")
    catalogue.path(item, "/cup", kind="alias")
    catalogue.path(item, "/old-mug", kind="history")
    catalogue.path(item, "/older-mug", kind="history")
    with pytest.raises(sa.exc.IntegrityError):
        catalogue.path(item, "/mug-2")
    with engine.connect() as connection:
        paths = queries.item_paths(connection, catalogue.tenant_id, item, "en")
    assert paths == {
        "alias": ["/cup"],
        "canonical": ["/mug"],
        "history": ["/old-mug", "/older-mug"],
    }


def test_a_product_has_at_most_one_default_variant(catalogue: Catalogue) -> None:
    catalogue.shape()
    product = catalogue.item()
    catalogue.variant(product, "A", is_default=True)
    catalogue.variant(product, "B", position=1)
    with pytest.raises(sa.exc.IntegrityError):
        catalogue.variant(product, "C", is_default=True, position=2)
    catalogue.variant(catalogue.item(), "D", is_default=True)  # another product


def test_resource_identifiers_are_unique_per_tenant_when_set(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    catalogue.item(resource_identifier="erp-1")
    catalogue.item()
    catalogue.item()  # many items without one
    with pytest.raises(sa.exc.IntegrityError):
        catalogue.item(resource_identifier="erp-1")
    other = new_catalogue(engine)
    other.shape()
    other.item(resource_identifier="erp-1")
    assert catalogue.count(models.Item) == 3


def test_ids_are_per_tenant_so_an_export_imports_into_another_tenant_with_its_ids(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    item = catalogue.item(resource_identifier="r")
    other = new_catalogue(engine)
    other.shape()
    assert other.item(item_id=item, resource_identifier="r") == item
    with pytest.raises(sa.exc.IntegrityError):
        catalogue.item(item_id=item)


def test_an_item_needs_a_shape_of_its_tenant(catalogue: Catalogue, engine: Engine) -> None:
    other = new_catalogue(engine)
    other.shape("folder", "folder")
    with pytest.raises(sa.exc.IntegrityError):
        catalogue.item("folder", type_="folder")
    catalogue.shape("folder", "folder")
    catalogue.item("folder", type_="folder")


def test_deleting_an_item_deletes_what_hangs_off_it_and_nothing_else(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    product, kept = catalogue.item(), catalogue.item()
    for item in (product, kept):
        catalogue.insert(
            models.ItemVersion,
            item_id=item,
            language="en",
            version="draft",
            name="Mug",
            components="[]",
            updated_at=NOW,
        )
        catalogue.path(item, f"/{item}")
        variant = catalogue.variant(item, f"sku-{item}", is_default=True)
        catalogue.price(variant, Decimal("9.99"))
        catalogue.insert(
            models.VariantStock, variant_id=variant, stock_location_identifier="default", stock=3
        )
        catalogue.insert(
            models.VariantVersion, variant_id=variant, language="en", version="draft", name="Mug"
        )
    with engine.begin() as connection:
        items = table(models.Item)
        connection.execute(
            sa.delete(items).where(items.c.tenant_id == catalogue.tenant_id, items.c.id == product)
        )
    for model in (
        models.ItemVersion,
        models.ItemPath,
        models.Variant,
        models.VariantPrice,
        models.VariantStock,
        models.VariantVersion,
    ):
        assert catalogue.count(model) == 1, model.__tablename__


def test_stock_holds_more_than_32_bits(catalogue: Catalogue, engine: Engine) -> None:
    catalogue.shape()
    variant = catalogue.variant(catalogue.item(), "BIG", is_default=True)
    catalogue.insert(
        models.VariantStock, variant_id=variant, stock_location_identifier="hall", stock=2**40
    )
    with engine.connect() as connection:
        assert queries.variant_stock(connection, catalogue.tenant_id, variant) == {"hall": 2**40}


PRICES = st.decimals(
    min_value=MONEY.minimum, max_value=MONEY.maximum, places=MONEY.places, allow_nan=False
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(price=PRICES)
def test_a_price_reads_back_exactly(catalogue: Catalogue, engine: Engine, price: Decimal) -> None:
    prices = table(models.VariantPrice)
    with engine.begin() as connection:
        variant = queries.variant_ids_by_sku(connection, catalogue.tenant_id, ["P"]).get("P")
    if variant is None:
        catalogue.shape()
        variant = catalogue.variant(catalogue.item(), "P", is_default=True)
        catalogue.price(variant, Decimal(0))
    with engine.begin() as connection:
        connection.execute(
            sa.update(prices)
            .where(prices.c.tenant_id == catalogue.tenant_id, prices.c.variant_id == variant)
            .values(price=money_text(price))
        )
        stored = queries.variant_prices(connection, catalogue.tenant_id, variant)["default"]
    assert stored == price
    # the same Decimal from both databases: plain digits, no trailing zeros
    assert stored.as_tuple().exponent <= 0  # 100, not 1E+2
    text = money_text(stored)
    assert "." not in text or not text.endswith("0")


def _delete(engine: Engine, model: type[models.Base], tenant_id: str) -> None:
    with engine.begin() as connection:
        t = table(model)
        connection.execute(sa.delete(t).where(t.c.tenant_id == tenant_id))


def test_a_deleted_topic_leaves_no_names_or_item_links(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    item, topic = catalogue.item(), new_id()
    catalogue.insert(models.Topic, id=topic, position=0, created_at=NOW, updated_at=NOW)
    catalogue.insert(models.TopicName, topic_id=topic, language="en", name="Red", path="/red")
    catalogue.insert(models.ItemTopic, item_id=item, topic_id=topic, position=0)
    catalogue.insert(models.TopicName, topic_id=topic, language="de", name="Rot", path="/red")
    second = new_id()
    catalogue.insert(models.Topic, id=second, position=1, created_at=NOW, updated_at=NOW)
    with pytest.raises(sa.exc.IntegrityError):  # a path names one topic per language
        catalogue.insert(models.TopicName, topic_id=second, language="en", name="R", path="/red")
    _delete(engine, models.Topic, catalogue.tenant_id)
    assert catalogue.count(models.TopicName) == 0
    assert catalogue.count(models.ItemTopic) == 0
    assert catalogue.count(models.Item) == 1


def test_a_deleted_flow_takes_its_stages_and_their_items_with_it(
    catalogue: Catalogue, engine: Engine
) -> None:
    catalogue.shape()
    item = catalogue.item()
    catalogue.insert(
        models.Flow, identifier="review", name="Review", type="item", created_at=NOW, updated_at=NOW
    )
    catalogue.insert(
        models.FlowStage, identifier="todo", flow_identifier="review", name="To do", position=0
    )
    catalogue.insert(
        models.FlowStageItem,
        stage_identifier="todo",
        item_id=item,
        language="en",
        version="draft",
        position=0,
        added_at=NOW,
    )
    with pytest.raises(sa.exc.IntegrityError):  # a stage of a flow that does not exist
        catalogue.insert(
            models.FlowStage, identifier="done", flow_identifier="nope", name="Done", position=1
        )
    _delete(engine, models.Flow, catalogue.tenant_id)
    assert catalogue.count(models.FlowStage) == 0
    assert catalogue.count(models.FlowStageItem) == 0
