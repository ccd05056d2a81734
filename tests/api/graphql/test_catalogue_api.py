"""The Catalogue API (`POST /{tenant}/catalogue`) on a real server, on both databases:
the documents Crystallize's JS client sends, published content only, the static
token, and a page of products costing the same statements whatever its size."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from geode.app import App
from geode.cli.app import cli
from geode.tenants.service import TenantInfo, create_token
from geode.tenants.settings import default_vat_type_id
from tests.api.graphql.test_js_client import NODE_DIR, js_client, run_script
from tests.api.rest.conftest import LiveServer
from tests.catalogue.files import definition, piece_component, run

__all__ = ["js_client"]

SHOP, P, Q, HIDDEN, ABOUT, TOPIC = "f" * 24, "e" * 24, "b" * 24, "d" * 24, "c" * 24, "a" * 24
DRAFT, RACK = "7" * 24, "9" * 24

HYDRATER = 'query { product0: catalogue (path: "/shop/p", language: "en") { name path ... on Product { vatType { name percent } variants { sku name attributes { attribute value } priceVariants { name price identifier currency } } } } }'
ROOT = '{ catalogue(path:"/") { name } }'


TEE = [
    definition("tagline", "singleLine"),
    definition("description", "richText"),
    definition("weight", "numeric"),
    definition("organic", "boolean"),
    definition("gallery", "images"),
    definition("size", "selection", options=[{"key": "m", "value": "Medium"}]),
    definition("related", "itemRelations"),
    definition("specs", "contentChunk", repeatable=True,
               components=[definition("label", "singleLine"), definition("value", "singleLine")]),
    piece_component("seo", "seo"),
    definition("badge", "componentChoice",
               choices=[definition("text", "singleLine"), definition("discount", "numeric")]),
    definition("facts", "propertiesTable"),
    definition("store", "location"),
    definition("launch", "datetime"),
    definition("story", "paragraphCollection"),
    definition("empty", "singleLine"),
]  # fmt: skip


def content(tagline: str, related: list[str], skus: list[str]) -> list[dict[str, Any]]:
    return [
        {"componentId": "tagline", "singleLine": {"text": tagline}},
        {"componentId": "description", "richText": {"html": ["<p>Soft <b>cotton</b></p>"]}},
        {"componentId": "weight", "numeric": {"number": 0.25, "unit": "kg"}},
        {"componentId": "organic", "boolean": {"value": True}},
        {"componentId": "gallery", "images": [{"key": "shop/p.jpg", "altText": "P"}]},
        {"componentId": "size", "selection": {"keys": ["m"]}},
        {"componentId": "related", "itemRelations": {"itemIds": related, "skus": skus}},
        {"componentId": "specs", "contentChunk": {"chunks": [[
            {"componentId": "label", "singleLine": {"text": "Fit"}},
            {"componentId": "value", "singleLine": {"text": "Loose"}},
        ]]}},
        {"componentId": "seo", "piece": {"identifier": "seo", "components": [
            {"componentId": "title", "singleLine": {"text": f"{tagline} | Shop"}}]}},
        {"componentId": "badge", "componentChoice": {"componentId": "discount",
                                                     "numeric": {"number": 10}}},
        {"componentId": "facts", "propertiesTable": {"sections": [
            {"title": "Care", "properties": [{"key": "wash", "value": "30"}]}]}},
        {"componentId": "store", "location": {"lat": 59.9, "long": 10.75}},
        {"componentId": "launch", "datetime": {"datetime": "2024-05-01T12:00:00.000Z"}},
        {"componentId": "story", "paragraphCollection": {"paragraphs": [
            {"title": {"text": "Made"}, "body": {"html": ["<p>Here</p>"]}}]}},
    ]  # fmt: skip


def product(
    item_id: str, name: str, sku: str, vat: str, parent: str = SHOP, **fields: Any
) -> dict[str, Any]:
    return {
        "intent": "product/upsert",
        "language": "en",
        "itemId": item_id,
        "name": name,
        "shapeIdentifier": "tee",
        "vatTypeId": vat,
        "tree": {"parentId": parent},
        "variants": [
            {
                "sku": sku,
                "name": f"{name} one",
                "isDefault": True,
                "attributes": [{"attribute": "size", "value": "M"}],
                "images": [{"key": f"shop/{sku}.jpg"}],
                "priceVariants": [{"identifier": "default", "price": 9.5}],
                "stockLocations": [{"identifier": "default", "stock": 7}],
            }
        ],
        **fields,
    }


def publish(item_id: str) -> dict[str, Any]:
    return {"intent": "item/publish", "itemId": item_id, "language": "en",
            "includeDescendants": True}  # fmt: skip


@dataclass
class Catalogue:
    """Posts GraphQL documents to `/{tenant}/catalogue`, as a storefront does: no token."""

    http: httpx.Client
    tenant: TenantInfo
    app: App

    @property
    def vat(self) -> str:
        with self.app.engine.connect() as connection:
            return default_vat_type_id(connection, self.tenant.id)

    def post(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return self.http.post(f"/{self.tenant.identifier}/catalogue", json=body, headers=headers)

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]

    def run_file(self, tmp_path: Path, operations: list[dict[str, Any]]) -> None:
        path = tmp_path / f"setup-{uuid.uuid4().hex[:8]}.json"
        path.write_text(json.dumps({"version": "0.0.1", "operations": operations}))
        task = run(self.app, self.tenant, path)
        failures = [log for log in self.app.massops.logs(task.id) if log["status"] != "success"]
        assert task.status == "complete" and not failures, failures


@pytest.fixture
def catalogue(server: LiveServer, tenant: TenantInfo) -> Iterator[Catalogue]:
    with server.client() as http:
        yield Catalogue(http, tenant, server.app)


def setup(catalogue: Catalogue, tmp_path: Path) -> None:
    """/shop (folder) with /shop/q and /shop/p published, /shop/hidden unpublished since
    and /shop/draft never published; /about (document) published."""
    vat = catalogue.vat
    catalogue.run_file(
        tmp_path,
        [
            {"intent": "piece/upsert", "identifier": "seo", "name": "SEO",
             "components": [definition("title", "singleLine")]},
            {"intent": "shape/upsert", "identifier": "tee", "name": "Tee", "type": "product",
             "components": TEE},
            {"intent": "shape/upsert", "identifier": "shelf", "name": "Shelf", "type": "folder"},
            {"intent": "shape/upsert", "identifier": "page", "name": "Page", "type": "document",
             "components": [definition("body", "richText")]},
            {"intent": "topic/upsert", "topicId": TOPIC, "language": "en", "name": "Shirts"},
            {"intent": "folder/upsert", "language": "en", "itemId": SHOP, "name": "Shop",
             "shapeIdentifier": "shelf", "tree": {"parentId": "{{ defaults.rootItemId }}"}},
            product(Q, "Q", "q-1", vat),
            product(HIDDEN, "Hidden", "hidden-1", vat),
            product(P, "P", "p-1", vat, topicIds=[TOPIC],
                    components=content("Soft tee", [Q, HIDDEN], ["q-1", "hidden-1"])),
            {"intent": "document/upsert", "language": "en", "itemId": ABOUT, "name": "About",
             "shapeIdentifier": "page", "tree": {"parentId": "{{ defaults.rootItemId }}"},
             "components": [{"componentId": "body", "richText": {"html": ["<p>Us</p>"]}}]},
            publish(SHOP),
            publish(ABOUT),
            {"intent": "item/unpublish", "itemId": HIDDEN, "language": "en"},
            product(DRAFT, "Draft", "draft-1", vat),
            # a draft after publishing: the catalogue keeps showing the published text
            {"intent": "item/updateComponent/item", "itemId": P, "language": "en",
             "component": {"componentId": "tagline", "singleLine": {"text": "Draft only"}}},
        ],
    )  # fmt: skip


def test_the_product_hydraters_document_verbatim(catalogue: Catalogue, tmp_path: Path) -> None:
    setup(catalogue, tmp_path)
    expected = {
        "product0": {
            "name": "P",
            "path": "/shop/p",
            "vatType": {"name": "Standard", "percent": 0.0},
            "variants": [
                {
                    "sku": "p-1",
                    "name": "P one",
                    "attributes": [{"attribute": "size", "value": "M"}],
                    "priceVariants": [
                        {
                            "name": "Default",
                            "price": 9.5,
                            "identifier": "default",
                            "currency": "EUR",
                        }
                    ],
                }
            ],
        }
    }
    assert catalogue.data(HYDRATER) == expected
    at = catalogue.http.post(f"/@{catalogue.tenant.identifier}/catalogue", json={"query": HYDRATER})
    assert at.status_code == 200 and at.json() == {"data": expected}


def test_the_root_and_its_published_children(catalogue: Catalogue, tmp_path: Path) -> None:
    setup(catalogue, tmp_path)
    assert catalogue.data(ROOT) == {"catalogue": {"name": catalogue.tenant.identifier}}
    tree = catalogue.data(
        """query($language: String!, $path: String!) { tree: catalogue(language: $language,
        path: $path) { id name path children { __typename id name path
        children { name path ... on Product { defaultVariant { sku price stock } } } } } }""",
        {"language": "en", "path": "/"},
    )["tree"]
    assert tree["path"] == "/"
    assert [(c["__typename"], c["path"]) for c in tree["children"]] == [
        ("Folder", "/shop"),
        ("Document", "/about"),
    ]
    shop = tree["children"][0]["children"]
    assert [c["path"] for c in shop] == ["/shop/q", "/shop/p"]  # not hidden, not draft
    assert shop[1]["defaultVariant"] == {"sku": "p-1", "price": 9.5, "stock": 7}
    paged = catalogue.data(
        '{ catalogue(path: "/shop/") { children(first: 1, after: "%s") { id } } }' % Q
    )["catalogue"]["children"]
    assert paged == [{"id": P}]


COMPONENTS = """{ catalogue(path: "/shop/p", language: "en") {
  __typename id name type language shape { identifier name } topics { id name path }
  createdAt updatedAt publishedAt
  tagline: component(id: "tagline") { content { __typename ... on SingleLineContent { text } } }
  components { id name type content {
    __typename
    ... on SingleLineContent { text }
    ... on RichTextContent { html plainText }
    ... on NumericContent { number unit }
    ... on BooleanContent { value }
    ... on ImageContent { images { key url altText } }
    ... on SelectionContent { options { key value } }
    ... on ItemRelationsContent { items { id name path } productVariants { sku product { path } } }
    ... on ContentChunkContent { chunks { id name content { ... on SingleLineContent { text } } } }
    ... on PieceContent { identifier components { id content { ... on SingleLineContent { text } } } }
    ... on ComponentChoiceContent { selectedComponent { id type content { ... on NumericContent { number } } } }
    ... on PropertiesTableContent { sections { title properties { key value } } }
    ... on LocationContent { lat long }
    ... on DatetimeContent { datetime }
    ... on ParagraphCollectionContent { paragraphs { title { text } body { plainText } } }
  } }
  ... on Product { variants { id sku isDefault images { key url } stockLocations { identifier name stock }
                              priceVariants { identifier price currency } } }
} }"""


def test_components_as_typed_content_and_only_the_published_version(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    setup(catalogue, tmp_path)
    item = catalogue.data(COMPONENTS)["catalogue"]
    assert item["__typename"] == "Product" and item["id"] == P and item["type"] == "product"
    assert item["shape"] == {"identifier": "tee", "name": "Tee"}
    assert item["topics"] == [{"id": TOPIC, "name": "Shirts", "path": "/shirts"}]
    assert item["publishedAt"] is not None
    assert item["tagline"] == {"content": {"__typename": "SingleLineContent", "text": "Soft tee"}}
    url = catalogue.app.settings.public_url.rstrip("/") + "/media/shop/p.jpg"
    contents = {c["id"]: c["content"] for c in item["components"]}
    assert [c["id"] for c in item["components"]] == [d["id"] for d in TEE]
    assert contents == {
        "tagline": {"__typename": "SingleLineContent", "text": "Soft tee"},
        "description": {"__typename": "RichTextContent", "html": ["<p>Soft <b>cotton</b></p>"],
                        "plainText": ["Soft cotton"]},
        "weight": {"__typename": "NumericContent", "number": 0.25, "unit": "kg"},
        "organic": {"__typename": "BooleanContent", "value": True},
        "gallery": {"__typename": "ImageContent",
                    "images": [{"key": "shop/p.jpg", "url": url, "altText": "P"}]},
        "size": {"__typename": "SelectionContent", "options": [{"key": "m", "value": "Medium"}]},
        "related": {"__typename": "ItemRelationsContent",  # the unpublished one left out
                    "items": [{"id": Q, "name": "Q", "path": "/shop/q"}],
                    "productVariants": [{"sku": "q-1", "product": {"path": "/shop/q"}}]},
        "specs": {"__typename": "ContentChunkContent", "chunks": [[
            {"id": "label", "name": "Label", "content": {"text": "Fit"}},
            {"id": "value", "name": "Value", "content": {"text": "Loose"}}]]},
        "seo": {"__typename": "PieceContent", "identifier": "seo",
                "components": [{"id": "title", "content": {"text": "Soft tee | Shop"}}]},
        "badge": {"__typename": "ComponentChoiceContent", "selectedComponent": {
            "id": "discount", "type": "numeric", "content": {"number": 10.0}}},
        "facts": {"__typename": "PropertiesTableContent",
                  "sections": [{"title": "Care", "properties": [{"key": "wash", "value": "30"}]}]},
        "store": {"__typename": "LocationContent", "lat": 59.9, "long": 10.75},
        "launch": {"__typename": "DatetimeContent", "datetime": "2024-05-01T12:00:00.000Z"},
        "story": {"__typename": "ParagraphCollectionContent",
                  "paragraphs": [{"title": {"text": "Made"}, "body": {"plainText": ["Here"]}}]},
        "empty": None,
    }  # fmt: skip
    assert item["variants"] == [
        {
            "id": item["variants"][0]["id"],
            "sku": "p-1",
            "isDefault": True,
            "images": [{"key": "shop/p-1.jpg", "url": url.replace("p.jpg", "p-1.jpg")}],
            "stockLocations": [{"identifier": "default", "name": "Default", "stock": 7}],
            "priceVariants": [{"identifier": "default", "price": 9.5, "currency": "EUR"}],
        }
    ]


def test_what_is_not_published_is_not_found(catalogue: Catalogue, tmp_path: Path) -> None:
    setup(catalogue, tmp_path)
    assert catalogue.data('{ catalogue(path: "/shop/draft") { id } }') == {"catalogue": None}
    assert catalogue.data('{ catalogue(path: "/shop/hidden") { id } }') == {"catalogue": None}
    assert catalogue.data('{ catalogue(path: "/nowhere") { id } }') == {"catalogue": None}
    assert catalogue.data('{ catalogue(path: "/shop/p", language: "de") { id } }') == {
        "catalogue": None
    }
    refused = catalogue.post('{ catalogue(path: "/shop/p", version: draft) { id } }').json()
    assert refused["data"] is None  # the schema has `published` only
    assert "draft" in refused["errors"][0]["message"]
    published = '{ catalogue(path: "/shop/p", version: published) { id } }'
    assert catalogue.data(published) == {"catalogue": {"id": P}}
    variants = catalogue.data(
        '{ productVariants(skus: ["hidden-1", "p-1", "draft-1", "nope", "q-1"], language: "en") '
        "{ sku name product { id name path } } }"
    )["productVariants"]
    assert variants == [
        {"sku": "p-1", "name": "P one", "product": {"id": P, "name": "P", "path": "/shop/p"}},
        {"sku": "q-1", "name": "Q one", "product": {"id": Q, "name": "Q", "path": "/shop/q"}},
    ]


def geode(catalogue: Catalogue, *args: str) -> str:
    """The real `geode` command, in-process, against the server's database."""
    settings = catalogue.app.settings
    env = {
        "GEODE_DATABASE_URL": settings.resolved_database_url,
        "GEODE_DATA_DIR": str(settings.data_dir),
    }
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_tenant_may_require_a_static_token(catalogue: Catalogue, tmp_path: Path) -> None:
    setup(catalogue, tmp_path)
    identifier = catalogue.tenant.identifier
    created = json.loads(geode(catalogue, "tenant", "static-token", "create", identifier, "--json"))
    token = created["staticToken"]
    assert created["replaced"] is False
    with catalogue.app.engine.connect() as connection:
        stored = connection.execute(
            sa.text("SELECT token_hash FROM tenant_static_tokens WHERE tenant_id = :t"),
            {"t": catalogue.tenant.id},
        ).scalar()
    assert stored is not None and token not in stored  # hashed

    refused = catalogue.post(HYDRATER)
    assert refused.status_code == 401
    assert "X-Crystallize-Static-Auth-Token" in refused.json()["message"]
    wrong = catalogue.post(HYDRATER, **{"X-Crystallize-Static-Auth-Token": token + "x"})
    assert wrong.status_code == 401 and wrong.json() == refused.json()
    unknown = catalogue.http.post("/no-such-tenant/catalogue", json={"query": HYDRATER})
    assert unknown.status_code == 401 and unknown.json() == refused.json()  # reveals nothing

    right = catalogue.post(HYDRATER, **{"X-Crystallize-Static-Auth-Token": token})
    assert right.status_code == 200 and right.json()["data"]["product0"]["path"] == "/shop/p"
    with catalogue.app.engine.begin() as connection:
        access = create_token(connection, catalogue.tenant.id)
    by_access_token = catalogue.post(
        HYDRATER,
        **{
            "X-Crystallize-Access-Token-Id": access.id,
            "X-Crystallize-Access-Token-Secret": access.secret,
        },
    )
    assert by_access_token.status_code == 200

    again = json.loads(geode(catalogue, "tenant", "static-token", "create", identifier, "--json"))
    assert again["replaced"] is True
    old = catalogue.post(HYDRATER, **{"X-Crystallize-Static-Auth-Token": token})
    assert old.status_code == 401
    assert "public" in geode(catalogue, "tenant", "static-token", "remove", identifier)
    assert catalogue.post(HYDRATER).status_code == 200


# -- a fixed number of statements, whatever the page size -------------------------------

PAGE = """{ catalogue(path: "/rack") { ... on Folder { children(first: %d) {
  id name path topics { name } shape { name }
  components { id type content { __typename
    ... on SingleLineContent { text }
    ... on ItemRelationsContent { items { name path } productVariants { sku } }
    ... on ContentChunkContent { chunks { id content { ... on SingleLineContent { text } } } }
    ... on PieceContent { components { id content { ... on SingleLineContent { text } } } }
  } }
  ... on Product { vatType { name percent } defaultVariant { sku }
    variants { sku name attributes { attribute value } images { url }
               priceVariants { identifier name price currency } stockLocations { identifier stock } } }
} } } }"""


def hydrate(paths: list[str]) -> str:
    """What `createProductHydrater().byPaths(paths, "en")` sends."""
    fields = " ".join(
        f'product{i}: catalogue (path: "{path}", language: "en") {{ name path ... on Product '
        "{ vatType { name percent } variants { sku name attributes { attribute value } "
        "priceVariants { name price identifier currency } } } }"
        for i, path in enumerate(paths)
    )
    return f"query {{ {fields} }}"


class StatementCounter:
    """Statements the server runs for requests (in its request threads), while counting."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.statements: list[str] = []

    def __enter__(self) -> StatementCounter:
        sa.event.listen(self.app.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.app.engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.current_thread().name.startswith("AnyIO worker thread"):
            self.statements.append(statement)


def test_a_page_of_50_products_costs_what_a_page_of_5_does(
    catalogue: Catalogue, tmp_path: Path
) -> None:
    setup(catalogue, tmp_path)
    vat = catalogue.vat
    ids = [f"{n:024x}" for n in range(1, 51)]
    rack = {
        "intent": "folder/upsert",
        "language": "en",
        "itemId": RACK,
        "name": "Rack",
        "shapeIdentifier": "shelf",
        "tree": {"parentId": "{{ defaults.rootItemId }}"},
    }
    catalogue.run_file(
        tmp_path,
        [rack] + [
            product(item_id, f"Tee {n}", f"tee-{n}", vat, parent=RACK, topicIds=[TOPIC],
                    components=content(f"Tee {n}", [Q, *ids[max(n - 2, 0) : n - 1]], ["q-1"]))
            for n, item_id in enumerate(ids, start=1)
        ] + [publish(RACK)],
    )  # fmt: skip

    def cost(query: str) -> tuple[dict[str, Any], list[str]]:
        with StatementCounter(catalogue.app) as counter:
            data = catalogue.data(query)
        return data, counter.statements

    small, few = cost(PAGE % 5)
    large, many = cost(PAGE % 50)
    assert len(small["catalogue"]["children"]) == 5
    assert len(large["catalogue"]["children"]) == 50
    assert large["catalogue"]["children"][49]["components"][6]["content"]["items"] == [
        {"name": "Q", "path": "/shop/q"},
        {"name": "Tee 49", "path": "/rack/tee-49"},
    ]
    assert len(few) == len(many), "\n".join(many)
    assert 0 < len(many) <= 40, "\n".join(many)

    paths = [f"/rack/tee-{n}" for n in range(1, 51)]
    small, few = cost(hydrate(paths[:5]))
    large, many = cost(hydrate(paths))
    assert [large[f"product{i}"]["path"] for i in range(50)] == paths
    assert len(few) == len(many), "\n".join(many)


# -- Crystallize's own JS client ----------------------------------------------------------

CLIENT_SCRIPT = """
import {
  createClient, createProductHydrater, createCatalogueFetcher, createNavigationFetcher,
  catalogueFetcherGraphqlBuilder as b,
} from '%(module)s';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const config = JSON.parse(input);
const send = globalThis.fetch;  // the client builds https://api.crystallize.com/... URLs
globalThis.fetch = (url, init) => send(config.server + new URL(url).pathname, init);
const client = createClient({
  tenantIdentifier: config.tenant, staticAuthToken: config.staticAuthToken,
});
const out = {};
const attempt = async (name, call) => {
  try { out[name] = await call(); } catch (error) { out[name] = { error: String(error) }; }
};
const hydrater = createProductHydrater(client);
await attempt('byPaths', () => hydrater.byPaths(['/shop/p', '/shop/q', '/nowhere'], 'en'));
await attempt('bySkus', () => hydrater.bySkus(['q-1', 'p-1'], 'en'));
await attempt('fetcher', () => createCatalogueFetcher(client)({
  catalogue: {
    __args: { path: '/shop/p', language: 'en' },
    __on: [
      b.onItem({ ...b.onComponent('tagline', 'SingleLineContent', { text: true }) }),
      b.onProduct({}, { onVariant: { isDefault: true }, onDefaultVariant: { sku: true } }),
    ],
  },
}));
await attempt('navigation', () => createNavigationFetcher(client).byFolders('/', 'en', 3));
process.stdout.write(JSON.stringify(out));
"""


def test_crystallize_s_js_client_hydrates_fetches_and_navigates(
    catalogue: Catalogue, js_client: Path, tmp_path: Path
) -> None:
    setup(catalogue, tmp_path)
    module = NODE_DIR / "node_modules" / "@crystallize" / "js-api-client" / "dist" / "index.js"
    script = tmp_path / "catalogue.mjs"
    script.write_text(CLIENT_SCRIPT % {"module": module.as_uri()})
    identifier = catalogue.tenant.identifier
    token = json.loads(geode(catalogue, "tenant", "static-token", "create", identifier, "--json"))
    seen = run_script(
        script,
        {
            "server": str(catalogue.http.base_url).rstrip("/"),
            "tenant": identifier,
            "staticAuthToken": token["staticToken"],
        },
    )
    variant = {"sku": "p-1", "name": "P one", "attributes": [{"attribute": "size", "value": "M"}],
               "priceVariants": [{"name": "Default", "price": 9.5, "identifier": "default",
                                  "currency": "EUR"}]}  # fmt: skip
    vat = {"name": "Standard", "percent": 0}
    p = {"name": "P", "path": "/shop/p", "vatType": vat, "variants": [variant]}
    q_variant = {**variant, "sku": "q-1", "name": "Q one"}
    q = {"name": "Q", "path": "/shop/q", "vatType": vat, "variants": [q_variant]}
    assert seen["byPaths"] == {"product0": p, "product1": q, "product2": None}
    assert seen["bySkus"] == {"product0": q, "product1": p}
    assert seen["fetcher"] == {
        "catalogue": {
            "__typename": "Product",
            "name": "P",
            "path": "/shop/p",
            "tagline": {"content": {"__typename": "SingleLineContent", "text": "Soft tee"}},
            "topics": [{"name": "Shirts", "path": "/shirts"}],
            "vatType": vat,
            "defaultVariant": {"sku": "p-1"},
            "variants": [{"name": "P one", "sku": "p-1", "price": 9.5, "isDefault": True}],
        }
    }
    tree = seen["navigation"]["tree"]
    assert [child["path"] for child in tree["children"]] == ["/shop", "/about"]
    assert [child["path"] for child in tree["children"][0]["children"]] == ["/shop/q", "/shop/p"]

    refused = run_script(
        script,
        {"server": str(catalogue.http.base_url).rstrip("/"), "tenant": identifier},
    )
    assert "X-Crystallize-Static-Auth-Token" in refused["byPaths"]["error"]
