"""Reads of the Core API: item lists and children in pages, shapes, topics, flows, skus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geode.tenants.settings import default_vat_type_id
from tests.api.graphql.conftest import CoreClient

ROOT = "{{ defaults.rootItemId }}"


def catalogue(core: CoreClient) -> list[dict[str, Any]]:
    with core.app.engine.connect() as connection:
        vat = default_vat_type_id(connection, core.tenant.id)
    return [
    {"intent": "shape/upsert", "identifier": "shoe", "name": "Shoe", "type": "product"},
    {"intent": "shape/upsert", "identifier": "aisle", "name": "Aisle", "type": "folder"},
    {"intent": "topic/create", "language": "en", "name": "Colour", "_ref": "colour",
     "children": [{"name": "Red"}, {"name": "Blue"}]},
    {"intent": "flow/upsert", "identifier": "editorial", "name": "Editorial", "type": "item",
     "stages": [{"identifier": "draft-stage", "name": "Draft"},
                {"identifier": "ready", "name": "Ready"}]},
    {"intent": "folder/create", "language": "en", "name": "Shoes", "shapeIdentifier": "aisle",
     "tree": {"parentId": ROOT}, "_ref": "shoes"},
    *[
        {"intent": "product/create", "language": "en", "name": f"Shoe {n}", "shapeIdentifier": "shoe",
         "vatTypeId": vat, "tree": {"parentId": "{{ shoes.id }}", "position": n},
         "variants": [{"sku": f"shoe-{n}", "name": f"Shoe {n}", "isDefault": True,
                       "priceVariants": [{"identifier": "default", "price": 10 + n}],
                       "stockLocations": [{"identifier": "default", "stock": n}]}]}
        for n in range(5)
    ],
    ]  # fmt: skip


def test_children_page_in_tree_order(core: CoreClient, tmp_path: Path) -> None:
    core.run_file(tmp_path, catalogue(core))
    folder = core.data(
        "{ items(first: 100) { ... on ItemConnection { edges { node { id name type } } } } }"
    )["items"]
    shoes = next(e["node"] for e in folder["edges"] if e["node"]["name"] == "Shoes")
    query = """query($id: ID!, $after: String) { item(id: $id) { ... on Folder {
        children(first: 2, after: $after) { ... on ItemConnection { edges { node { name } }
        pageInfo { hasNextPage hasPreviousPage endCursor } } } } } }"""
    names: list[str] = []
    after = None
    pages = 0
    while True:
        page = core.data(query, {"id": shoes["id"], "after": after})["item"]["children"]
        names += [edge["node"]["name"] for edge in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert names == [f"Shoe {n}" for n in range(5)]
    assert pages == 3


def test_a_page_is_at_most_100_and_a_bad_cursor_is_refused(core: CoreClient) -> None:
    too_many = core.data(
        "{ items(first: 101) { ... on ItemConnection { edges { cursor } } "
        "... on BasicError { errorName message } } }"
    )["items"]
    assert too_many["errorName"] == "BasicError"
    assert "1 to 100" in too_many["message"]
    bad = core.data('{ shapes(after: "not-a-cursor") { ... on BasicError { message code } } }')[
        "shapes"
    ]
    assert "not a cursor of this list" in bad["message"]
    assert bad["code"] == "invalid_input"


def test_shapes_topics_flows_and_variants_by_sku(core: CoreClient, tmp_path: Path) -> None:
    core.run_file(tmp_path, catalogue(core))
    data = core.data(
        """{ shapes { ... on ShapeConnection { edges { node { identifier type } } } }
             shape(identifier: "shoe") { name }
             topics(language: "en") { ... on TopicConnection { edges { node { id name path } } } }
             flow(identifier: "editorial") { stages { identifier name position } }
             productVariants(skus: ["shoe-3", "nope", "shoe-1"]) { sku price stock } }"""
    )
    assert [e["node"] for e in data["shapes"]["edges"]] == [
        {"identifier": "aisle", "type": "folder"},
        {"identifier": "shoe", "type": "product"},
    ]
    assert data["shape"] == {"name": "Shoe"}
    colour = data["topics"]["edges"][0]["node"]
    assert (colour["name"], colour["path"]) == ("Colour", "/colour")
    children = core.data(
        "query($id: ID!) { topics(parentId: $id) { ... on TopicConnection "
        "{ edges { node { name } } } } }",
        {"id": colour["id"]},
    )["topics"]["edges"]
    assert [e["node"]["name"] for e in children] == ["Red", "Blue"]
    assert data["flow"]["stages"] == [
        {"identifier": "draft-stage", "name": "Draft", "position": 0},
        {"identifier": "ready", "name": "Ready", "position": 1},
    ]
    assert data["productVariants"] == [
        {"sku": "shoe-3", "price": 13.0, "stock": 3},
        {"sku": "shoe-1", "price": 11.0, "stock": 1},
    ]
