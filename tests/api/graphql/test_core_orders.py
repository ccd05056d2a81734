"""Orders in the Core API: seed 001's `order { update }` and the documents
Crystallize's own client sends (../shared/research/crystallize-documents.txt),
verbatim but for the ids, against a running server on both databases."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from geode.massops.single import apply_operation, decode_operation
from geode.tenants.service import create_tenant
from tests.api.graphql.conftest import CoreClient

REGISTER = 'mutation { registerOrder (input: {cart: [{name: "P", sku: "S1", quantity: 1, price: {gross: 10, net: 8, currency: "EUR"}}], customer: {identifier: "jane@x.com"}, total: {gross: 10, net: 8, currency: "EUR"}}) { ... on OrderConfirmation { id createdAt } ... on BasicError { errorName message } } }'
UPDATE_ORDER = 'mutation { updateOrder (id: "aaaaaaaaaaaaaaaaaaaaaaaa", input: {meta: [{key: "a", value: "b"}]}) { ... on Order { id reference } ... on BasicError { errorName message } } }'
SET_STAGE = 'mutation { updateOrderPipelineStage (orderId: "o1", pipelineId: "p1", stageId: "s1") { ... on Order { id customer { identifier } } ... on BasicError { errorName message } } }'
DELETE_PIPELINE = 'mutation { deleteOrderPipeline (orderId: "o1", pipelineId: "p1") { ... on Order { id customer { identifier } } ... on BasicError { errorName message } } }'
ORDER = 'query { order (id: "o1") { ... on Order { id reference createdAt updatedAt customer { identifier } cart { name sku imageUrl quantity price { gross net currency discounts { percent } tax { name percent } } } total { gross net currency discounts { percent } tax { name percent } } } ... on BasicError { errorName message } } }'
# The file holds this document cut off after "percen" (its line was cut at a width):
# closed here with the braces it needs and the BasicError fragment every other one has.
ORDERS_AS_STORED = 'query { orders (filter: {customer: {identifier: "jane@x.com"}}) { ... on OrderConnection { pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { node { id reference createdAt updatedAt customer { identifier } cart { name sku imageUrl quantity price { gross net currency discounts { percent } tax { name percent } } } total { gross net currency discounts { percent } tax { name percen'
ORDERS = ORDERS_AS_STORED + "t } } } } } ... on BasicError { errorName message } } }"

UPDATE_ORDER_SEED = """mutation UpdateOrder {
order {
update(id: "%s", input: { meta: [{ key: "tracking_number", value: "1Z999AA10123456784" }] }) {
... on Order {
id
updatedAt
}
}
}
}"""

PIPELINES = "query($id: ID!) { order(id: $id) { ... on Order { meta { key value } pipelines { pipelineId stageId } } } }"
PRICE = {"gross": 10.0, "net": 8.0, "currency": "EUR", "discounts": None, "tax": None}


def register(core: CoreClient) -> dict[str, Any]:
    return core.data(REGISTER)["registerOrder"]  # type: ignore[no-any-return]


def with_id(document: str, order_id: str) -> str:
    return document.replace('"o1"', f'"{order_id}"').replace('"%s"' % ("a" * 24), f'"{order_id}"')


def foreign_order(core: CoreClient) -> str:
    """An order of another tenant of the same server, registered the file's way."""
    intents = core.app.massops.intents
    with core.app.engine.begin() as connection:
        other = create_tenant(connection, f"other-{uuid.uuid4().hex[:8]}")
        op = decode_operation(
            {"intent": "order/register", "customer": {"identifier": "x"}, "cart": []}, intents
        )
        return apply_operation(connection, other.id, intents, op).resource_id


def test_register_and_read_an_order(core: CoreClient) -> None:
    registered = register(core)
    assert len(registered["id"]) == 24
    assert registered["createdAt"].endswith("Z")
    order = core.data(with_id(ORDER, registered["id"]))["order"]
    assert order == {
        "id": registered["id"], "reference": None, "createdAt": registered["createdAt"],
        "updatedAt": registered["createdAt"], "customer": {"identifier": "jane@x.com"},
        "cart": [{"name": "P", "sku": "S1", "imageUrl": None, "quantity": 1, "price": PRICE}],
        "total": PRICE,
    }  # fmt: skip


def test_the_client_documents_with_unknown_ids(core: CoreClient) -> None:
    for document, field in ((SET_STAGE, "updateOrderPipelineStage"),
                            (DELETE_PIPELINE, "deleteOrderPipeline"), (ORDER, "order")):  # fmt: skip
        answer = core.data(document)[field]
        assert answer["errorName"] == "BasicError", answer
        assert answer["message"].startswith("'o1' is not an order id"), answer
    missing = core.data(UPDATE_ORDER)["updateOrder"]
    assert missing["errorName"] == "BasicError"
    assert missing["message"].startswith("no order with id aaaaaaaaaaaaaaaaaaaaaaaa in tenant")


def test_update_order_as_the_client_sends_it(core: CoreClient) -> None:
    order_id = register(core)["id"]
    answer = core.data(with_id(UPDATE_ORDER, order_id))["updateOrder"]
    assert answer == {"id": order_id, "reference": None}
    assert core.data(PIPELINES, {"id": order_id})["order"]["meta"] == [{"key": "a", "value": "b"}]


def test_update_order_as_the_seed_writes_it(core: CoreClient) -> None:
    registered = register(core)
    answer = core.data(UPDATE_ORDER_SEED % registered["id"])["order"]["update"]
    assert answer["id"] == registered["id"]
    assert answer["updatedAt"] >= registered["createdAt"]
    meta = core.data(PIPELINES, {"id": registered["id"]})["order"]["meta"]
    assert meta == [{"key": "tracking_number", "value": "1Z999AA10123456784"}]


def test_an_update_is_checked_by_the_file_checks(core: CoreClient) -> None:
    order_id = register(core)["id"]
    answer = core.data(
        'mutation($id: ID!) { updateOrder(id: $id, input: {total: {gross: -1, currency: "EUR"}}) '
        "{ ... on BasicError { errorName message detail } } }",
        {"id": order_id},
    )["updateOrder"]
    assert answer["errorName"] == "BasicError"
    assert answer["message"].startswith("input.total")
    assert answer["detail"][0]["path"].startswith("input.total")


def test_pipeline_stages(core: CoreClient) -> None:
    order_id = register(core)["id"]
    moved = core.data(with_id(SET_STAGE, order_id))["updateOrderPipelineStage"]
    assert moved == {"id": order_id, "customer": {"identifier": "jane@x.com"}}

    def pipelines() -> list[dict[str, str]]:
        return core.data(PIPELINES, {"id": order_id})["order"]["pipelines"]  # type: ignore[no-any-return]

    assert pipelines() == [{"pipelineId": "p1", "stageId": "s1"}]
    core.data(with_id(SET_STAGE, order_id).replace('"s1"', '"s2"'))
    core.data(with_id(SET_STAGE, order_id).replace('"p1"', '"p2"'))
    assert pipelines() == [
        {"pipelineId": "p1", "stageId": "s2"},
        {"pipelineId": "p2", "stageId": "s1"},
    ]
    core.data(with_id(UPDATE_ORDER, order_id))  # an update keeps the pipelines
    assert len(pipelines()) == 2
    removed = core.data(with_id(DELETE_PIPELINE, order_id))["deleteOrderPipeline"]
    assert removed == {"id": order_id, "customer": {"identifier": "jane@x.com"}}
    assert pipelines() == [{"pipelineId": "p2", "stageId": "s1"}]
    again = core.data(with_id(DELETE_PIPELINE, order_id))["deleteOrderPipeline"]
    assert again["errorName"] == "BasicError"
    assert again["message"] == f"order {order_id} is not in pipeline 'p1' (its pipelines: 'p2')"


def test_orders_of_a_customer_page_by_page(core: CoreClient) -> None:
    ids = [register(core)["id"] for _ in range(3)]
    core.data(REGISTER.replace("jane@x.com", "someone@else.com"))
    page = core.data(ORDERS)["orders"]
    assert [edge["node"]["id"] for edge in page["edges"]] == ids[::-1]  # newest first
    assert page["edges"][0]["node"]["total"] == PRICE
    assert page["pageInfo"]["hasNextPage"] is False
    assert page["pageInfo"]["hasPreviousPage"] is False
    paged = ORDERS.replace("(filter:", "(first: 2, filter:")
    first = core.data(paged)["orders"]
    assert [edge["node"]["id"] for edge in first["edges"]] == ids[:0:-1]
    assert first["pageInfo"]["hasNextPage"] is True
    after = paged.replace("(first: 2,", '(first: 2, after: "%s",' % first["pageInfo"]["endCursor"])
    second = core.data(after)["orders"]
    assert [edge["node"]["id"] for edge in second["edges"]] == ids[:1]
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True
    everyone = core.data("{ orders { ... on OrderConnection { edges { node { id } } } } }")
    assert len(everyone["orders"]["edges"]) == 4


def test_orders_refuse_a_big_page_and_a_foreign_cursor(core: CoreClient) -> None:
    big = core.data(ORDERS.replace("(filter:", "(first: 101, filter:"))["orders"]
    assert big["errorName"] == "BasicError"
    assert "1 to 100" in big["message"]
    bad = core.data(ORDERS.replace("(filter:", '(after: "nonsense", filter:'))["orders"]
    assert bad["errorName"] == "BasicError"
    assert "not a cursor" in bad["message"]


def test_an_order_of_another_tenant(core: CoreClient) -> None:
    order_id = foreign_order(core)
    fragment = "... on OrderDoesNotBelongToTenantError { errorName message orderId }"
    for document, field in ((ORDER, "order"), (SET_STAGE, "updateOrderPipelineStage"),
                            (DELETE_PIPELINE, "deleteOrderPipeline"),
                            (UPDATE_ORDER, "updateOrder")):  # fmt: skip
        query = with_id(document, order_id).replace(
            "... on BasicError", fragment + " ... on BasicError"
        )
        answer = core.data(query)[field]
        assert answer["errorName"] == "OrderDoesNotBelongToTenantError", answer
        assert answer["orderId"] == order_id
    with core.app.engine.connect() as connection:
        meta = connection.execute(
            sa.text("SELECT meta, pipelines FROM orders WHERE id = :id"), {"id": order_id}
        ).one()
    assert tuple(meta) == (None, None)  # untouched


def test_money_is_exact(core: CoreClient) -> None:
    answer = core.data(
        'mutation { registerOrder(input: {customer: {identifier: "m"}, cart: [{name: "A", '
        'quantity: 3, price: {gross: 129.99, net: 103.992, currency: "NOK", discounts: '
        '[{percent: 12.5}], tax: {name: "VAT", percent: 25}}}], total: {gross: 389.97, '
        'net: 311.976, currency: "NOK"}}) { ... on OrderConfirmation { id } } }'
    )["registerOrder"]
    order = core.data(
        "query($id: ID!) { order(id: $id) { ... on Order { cart { quantity price { gross net "
        "discounts { percent } tax { name percent } } } total { gross net } } } }",
        {"id": answer["id"]},
    )["order"]
    assert order == {
        "cart": [{"quantity": 3, "price": {"gross": 129.99, "net": 103.992,
                  "discounts": [{"percent": 12.5}], "tax": {"name": "VAT", "percent": 25.0}}}],
        "total": {"gross": 389.97, "net": 311.976},
    }  # fmt: skip
    with core.app.engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT total_gross FROM orders WHERE id = :id"), {"id": answer["id"]}
        ).scalar_one()
    assert Decimal(str(stored)) == Decimal("389.97")


def test_an_order_of_a_file_reads_the_same(core: CoreClient, tmp_path: Path) -> None:
    core.run_file(tmp_path, [
        {"intent": "order/register", "resourceIdentifier": "ext-1",
         "customer": {"identifier": "jane@x.com"},
         "cart": [{"name": "P", "sku": "S1", "quantity": 1,
                   "price": {"gross": 10, "net": 8, "currency": "EUR"}}],
         "total": {"gross": 10, "net": 8, "currency": "EUR"}},
    ])  # fmt: skip
    node = core.data(ORDERS)["orders"]["edges"][0]["node"]
    assert node["reference"] == "ext-1"
    assert node["cart"] == [
        {"name": "P", "sku": "S1", "imageUrl": None, "quantity": 1, "price": PRICE}
    ]
    assert node["total"] == PRICE
