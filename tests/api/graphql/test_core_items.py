"""Seed 001's item mutations, verbatim but for the ids, against a running server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geode.tenants.settings import root_item_id
from tests.api.graphql.conftest import CoreClient
from tests.catalogue.files import definition

SNEAKER_COMPONENTS = [
    definition("description", "richText"),
    definition("tagline", "singleLine"),
    definition("weight", "numeric"),
    definition("featured", "boolean"),
    definition("gallery", "images"),
    definition("color", "selection", options=[{"key": "red", "value": "Red"}]),
    definition("related-products", "itemRelations"),
    {
        "id": "specifications",
        "name": "Specifications",
        "type": "contentChunk",
        "config": {
            "contentChunk": {
                "repeatable": True,
                "components": [
                    definition("label", "singleLine"),
                    definition("value", "singleLine"),
                ],
            }
        },
    },
]

SETUP = [
    {"intent": "shape/upsert", "identifier": "sneaker", "name": "Sneaker", "type": "product",
     "components": SNEAKER_COMPONENTS},
    {"intent": "shape/upsert", "identifier": "blog-post", "name": "Blog post", "type": "document"},
    {"intent": "shape/upsert", "identifier": "category", "name": "Category", "type": "folder"},
    {"intent": "flow/upsert", "identifier": "review", "name": "Review", "type": "item",
     "stages": [{"identifier": "in-review", "name": "In review"}]},
]  # fmt: skip


@pytest.fixture
def shop(core: CoreClient, tmp_path: Path) -> dict[str, str]:
    """Shapes, a flow and a `shop` folder made with the API itself; its ids."""
    core.run_file(tmp_path, SETUP)
    with core.app.engine.connect() as connection:
        root = root_item_id(connection, core.tenant.id)
    folder = core.data(
        """mutation($tenant: ID!, $root: ID!) { folder { create(input: {
             tenantId: $tenant, shapeIdentifier: "category", name: "Shop",
             tree: { parentId: $root } }) { ... on Folder { id name } } } }""",
        {"tenant": core.tenant.id, "root": root},
    )["folder"]["create"]
    assert folder["name"] == "Shop"
    return {"root": root, "shop": folder["id"]}


CREATE_PRODUCT = """
mutation CreateProduct {
product {
create(
input: {
tenantId: "%(tenant)s"
shapeIdentifier: "sneaker"
name: "Air Max 2024"
tree: { parentId: "%(folder)s" }
}
) {
... on Product {
id
name
path
}
... on BasicError {
errorName
message
}
}
}
}
"""


def create_product(core: CoreClient, folder: str, name: str = "Air Max 2024") -> dict[str, Any]:
    query = CREATE_PRODUCT % {"tenant": core.tenant.id, "folder": folder}
    return core.data(query.replace("Air Max 2024", name))["product"]["create"]  # type: ignore[no-any-return]


def test_create_product_as_the_seed_writes_it(core: CoreClient, shop: dict[str, str]) -> None:
    product = create_product(core, shop["shop"])
    assert product["name"] == "Air Max 2024"
    assert product["path"] == "/shop/air-max-2024"
    assert len(product["id"]) == 24
    read = core.data(
        "query($id: ID!) { item(id: $id) { ... on Product { id vatTypeId variants { sku } "
        "tree { parentId } } } }",
        {"id": product["id"]},
    )["item"]
    settings = core.app
    with settings.engine.connect() as connection:
        from geode.tenants.settings import default_vat_type_id

        vat = default_vat_type_id(connection, core.tenant.id)
    assert read == {"id": product["id"], "vatTypeId": vat, "variants": [],
                    "tree": {"parentId": shop["shop"]}}  # fmt: skip


def test_a_tenant_id_of_another_tenant_is_a_basic_error(
    core: CoreClient, shop: dict[str, str]
) -> None:
    query = CREATE_PRODUCT % {"tenant": "0" * 24, "folder": shop["shop"]}
    answer = core.data(query)["product"]["create"]
    assert answer["errorName"] == "BasicError"
    assert "not the id of tenant" in answer["message"]
    assert core.tenant.id in answer["message"]


def test_a_bad_input_names_the_field(core: CoreClient, shop: dict[str, str]) -> None:
    query = """mutation($folder: ID!) { product { create(input: {
        shapeIdentifier: "no-such-shape", name: "X", tree: { parentId: $folder } }) {
        ... on BasicError { errorName message code } } } }"""
    answer = core.data(query, {"folder": shop["shop"]})["product"]["create"]
    assert answer["errorName"] == "BasicError"
    assert "no-such-shape" in answer["message"]


def test_create_document_and_folder(core: CoreClient, shop: dict[str, str]) -> None:
    document = core.data(
        """mutation CreateDocument {
document {
create(
input: {
tenantId: "%s"
shapeIdentifier: "blog-post"
name: "Welcome to Our Store"
tree: { parentId: "%s" }
}
) {
... on Document {
id
name
}
}
}
}"""
        % (core.tenant.id, shop["shop"])
    )["document"]["create"]
    assert document["name"] == "Welcome to Our Store"
    folder = core.data(
        """mutation CreateFolder {
folder {
create(
input: {
tenantId: "%s"
shapeIdentifier: "category"
name: "Summer Collection"
tree: { parentId: "%s" }
}
) {
... on Folder {
id
name
}
}
}
}"""
        % (core.tenant.id, shop["shop"])
    )["folder"]["create"]
    assert folder["name"] == "Summer Collection"


def test_publish_then_unpublish(core: CoreClient, shop: dict[str, str]) -> None:
    product = create_product(core, shop["shop"])
    published = core.data(
        """mutation PublishItem {
item {
publish(id: "%s", language: "en", includeDescendants: false) {
... on Item {
id
publishedAt
}
}
}
}"""
        % product["id"]
    )["item"]["publish"]
    assert published["id"] == product["id"]
    assert published["publishedAt"] is not None
    query = 'query($id: ID!) { item(id: $id, version: published) { ... on Item { name } ' \
        "... on ItemNotFoundError { errorName } } }"  # fmt: skip
    assert core.data(query, {"id": product["id"]})["item"] == {"name": "Air Max 2024"}
    unpublished = core.data(
        """mutation UnpublishItem {
item {
unpublish(id: "%s", language: "en", includeDescendants: false) {
... on Item {
id
}
}
}
}"""
        % product["id"]
    )["item"]["unpublish"]
    assert unpublished == {"id": product["id"]}
    assert core.data(query, {"id": product["id"]})["item"] == {"errorName": "ItemNotFoundError"}


DELETE = """mutation DeleteItem {
item {
delete(id: "%s") {
... on Item {
id
}
... on BasicError {
errorName
message
}
}
}
}"""


def test_delete_an_item_and_refuse_a_folder_with_children(
    core: CoreClient, shop: dict[str, str]
) -> None:
    product = create_product(core, shop["shop"])
    refused = core.data(DELETE % shop["shop"])["item"]["delete"]
    assert refused["errorName"] == "BasicError"
    assert "has 1 children" in refused["message"]
    assert core.data(DELETE % product["id"])["item"]["delete"] == {"id": product["id"]}
    gone = core.data(
        "query($id: ID!) { item(id: $id) { ... on ItemNotFoundError { errorName message } } }",
        {"id": product["id"]},
    )["item"]
    assert gone["errorName"] == "ItemNotFoundError"
    assert core.data(DELETE % shop["shop"])["item"]["delete"] == {"id": shop["shop"]}


def test_an_unknown_item_is_item_not_found(core: CoreClient, shop: dict[str, str]) -> None:
    answer = core.data(
        """mutation { item { updateComponent(itemId: "%s", language: "en",
             component: { componentId: "tagline", singleLine: { text: "x" } }) {
             ... on Item { id } ... on ItemNotFoundError { errorName message }
             ... on UnauthorizedError { errorName message } ... on BasicError { errorName message }
        } } }"""
        % ("f" * 24)
    )["item"]["updateComponent"]
    assert answer["errorName"] == "ItemNotFoundError"
    assert "f" * 24 in answer["message"]


def test_move_item_in_tree(core: CoreClient, shop: dict[str, str]) -> None:
    product = create_product(core, shop["shop"])
    moved = core.data(
        """mutation MoveItem {
item {
moveToTree(itemId: "%s", input: { parentId: "%s", position: 0 }) {
... on Item {
id
tree {
parentId
path
}
}
}
}
}"""
        % (product["id"], shop["root"])
    )["item"]["moveToTree"]
    assert moved == {
        "id": product["id"],
        "tree": {"parentId": shop["root"], "path": "/air-max-2024"},
    }


COMPONENT_UPDATES = [
    ('{ componentId: "description" richText: { html: "<p>New <strong>rich</strong></p>" } }',
     "description", "richText", {"html": ["<p>New <strong>rich</strong></p>"]}),
    ('{ componentId: "tagline", singleLine: { text: "Premium quality materials" } }',
     "tagline", "singleLine", {"text": "Premium quality materials"}),
    ('{ componentId: "weight", numeric: { number: 1.5, unit: "kg" } }',
     "weight", "numeric", {"number": 1.5, "unit": "kg"}),
    ('{ componentId: "featured", boolean: { value: true } }',
     "featured", "boolean", {"value": True}),
    ('{ componentId: "gallery"\nimages: [{ key: "image-key-from-upload", altText: "Front" }] }',
     "gallery", "images", [{"key": "image-key-from-upload", "altText": "Front"}]),
    ('{ componentId: "color", selection: { keys: ["red"] } }',
     "color", "selection", {"keys": ["red"]}),
    ("""{ componentId: "specifications" contentChunk: { chunks: [
[ { componentId: "label", singleLine: { text: "Weight" } }
  { componentId: "value", singleLine: { text: "1.5 kg" } } ]
[ { componentId: "label", singleLine: { text: "Dimensions" } }
  { componentId: "value", singleLine: { text: "30x20x10 cm" } } ] ] } }""",
     "specifications", "contentChunk", {"chunks": [
         [{"componentId": "label", "singleLine": {"text": "Weight"}},
          {"componentId": "value", "singleLine": {"text": "1.5 kg"}}],
         [{"componentId": "label", "singleLine": {"text": "Dimensions"}},
          {"componentId": "value", "singleLine": {"text": "30x20x10 cm"}}]]}),
]  # fmt: skip


def test_update_each_component_type_of_the_seed(core: CoreClient, shop: dict[str, str]) -> None:
    product = create_product(core, shop["shop"])
    related = create_product(core, shop["shop"], "Related")
    updates = [
        *COMPONENT_UPDATES,
        (
            '{ componentId: "related-products", itemRelations: { itemIds: ["%s"] } }'
            % related["id"],
            "related-products",
            "itemRelations",
            {"itemIds": [related["id"]]},
        ),
    ]
    for component, component_id, type_, content in updates:
        answer = core.data(
            """mutation { item { updateComponent(itemId: "%s" language: "en" component: %s) {
                 ... on Item { id updatedAt } ... on BasicError { message } } } }"""
            % (product["id"], component)
        )["item"]["updateComponent"]
        assert answer.get("id") == product["id"], answer
        stored = core.data(
            "query($id: ID!) { item(id: $id) { ... on Item { components { componentId type "
            "content } } } }",
            {"id": product["id"]},
        )["item"]["components"]
        assert {"componentId": component_id, "type": type_, "content": content} in stored


def test_content_that_breaks_the_shape_names_its_path(
    core: CoreClient, shop: dict[str, str]
) -> None:
    product = create_product(core, shop["shop"])
    answer = core.data(
        """mutation { item { updateComponent(itemId: "%s", language: "en",
             component: { componentId: "color", selection: { keys: ["blue"] } }) {
             ... on Item { id } ... on BasicError { errorName message } } } }"""
        % product["id"]
    )["item"]["updateComponent"]
    assert answer["errorName"] == "BasicError"
    assert "blue" in answer["message"]


SET_VARIANTS = """mutation SetVariants {
product {
setVariants(
productId: "%s"
language: "en"
variants: [
{
sku: "sneaker-red-42"
name: "Red - Size 42"
isDefault: true
price: 129.99
stock: 50
attributes: [{ attribute: "color", value: "Red" }, { attribute: "size", value: "42" }]
images: [{ key: "uploaded-image-key", altText: "Red sneaker size 42" }]
}
{
sku: "sneaker-blue-42"
name: "Blue - Size 42"
isDefault: false
price: 129.99
stock: 30
attributes: [{ attribute: "color", value: "Blue" }, { attribute: "size", value: "42" }]
}
]
) {
... on Product {
id
variants {
sku
name
price
stock
}
}
... on BasicError {
errorName
message
}
}
}
}"""


def test_set_variants_replaces_all_variants(core: CoreClient, shop: dict[str, str]) -> None:
    product = create_product(core, shop["shop"])
    answer = core.data(SET_VARIANTS % product["id"])["product"]["setVariants"]
    assert answer == {
        "id": product["id"],
        "variants": [
            {"sku": "sneaker-red-42", "name": "Red - Size 42", "price": 129.99, "stock": 50},
            {"sku": "sneaker-blue-42", "name": "Blue - Size 42", "price": 129.99, "stock": 30},
        ],
    }
    only_blue = core.data(
        """mutation { product { setVariants(productId: "%s", language: "en", variants: [
             { sku: "sneaker-blue-42", name: "Blue", isDefault: true, price: 99.5, stock: 3 }]) {
             ... on Product { variants { sku name price stock isDefault } } } } }"""
        % product["id"]
    )["product"]["setVariants"]
    assert only_blue == {"variants": [
        {"sku": "sneaker-blue-42", "name": "Blue", "price": 99.5, "stock": 3, "isDefault": True}
    ]}  # fmt: skip


def test_set_flow_stage(core: CoreClient, shop: dict[str, str]) -> None:
    product = create_product(core, shop["shop"])
    answer = core.data(
        """mutation SetFlowStage {
item {
setFlowStage(itemId: "%s", stageId: "in-review") {
... on Item {
id
}
... on BasicError {
errorName
message
}
}
}
}"""
        % product["id"]
    )["item"]["setFlowStage"]
    assert answer == {"id": product["id"]}
    unknown = core.data(
        """mutation { item { setFlowStage(itemId: "%s", stageId: "nowhere") {
             ... on BasicError { errorName message } } } }"""
        % product["id"]
    )["item"]["setFlowStage"]
    assert unknown["errorName"] == "BasicError"
    assert "nowhere" in unknown["message"]
