"""The Core API's door: tokens, limits, masked failures, and one validation path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry

from geode.api.graphql.execution import MAX_ALIASES, MAX_DEPTH, GeodeSchema, execute, limits
from geode.app import App
from geode.errors import InvalidFileError
from geode.tenants.service import TenantInfo, create_tenant, create_token
from geode.tenants.settings import root_item_id
from tests.api.graphql.conftest import CoreClient
from tests.api.rest.conftest import LiveServer
from tests.catalogue.files import run

QUERY = {"query": "{ shapes { ... on ShapeConnection { edges { node { identifier } } } } }"}


def _token_headers(app: App, tenant: TenantInfo) -> dict[str, str]:
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    return {
        "X-Crystallize-Access-Token-Id": token.id,
        "X-Crystallize-Access-Token-Secret": token.secret,
    }


def test_a_missing_wrong_or_foreign_token_is_401_and_says_the_same(
    server: LiveServer, tenant: TenantInfo
) -> None:
    with server.app.engine.begin() as connection:
        other = create_tenant(connection, "other-shop")
    path = f"/@{tenant.identifier}"
    own = _token_headers(server.app, tenant)
    wrong = {**own, "X-Crystallize-Access-Token-Secret": "not-the-secret"}
    foreign = _token_headers(server.app, other)
    answers = []
    for headers in ({}, wrong, foreign):
        with httpx.Client(base_url=server.url, headers=headers) as client:
            response = client.post(path, json=QUERY)
        assert response.status_code == 401, response.text
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        answers.append(body)
    assert answers[0] == answers[1] == answers[2]
    assert "geode token create" in answers[0]["message"]
    with httpx.Client(base_url=server.url, headers=own) as client:
        assert client.post(path, json=QUERY).status_code == 200
        # The tenant in the path must be the token's, even one that does not exist.
        assert client.post("/@no-such-tenant", json=QUERY).status_code == 401


def test_a_body_that_is_not_a_graphql_request_is_400(core: CoreClient) -> None:
    response = core.http.post(f"/@{core.tenant.identifier}", json={"variables": {}})
    assert response.status_code == 400
    assert "`query`" in response.json()["message"]


def test_deep_and_aliased_queries_are_refused(core: CoreClient) -> None:
    inner = "id"
    for _ in range(6):  # 3 levels each
        inner = f"children {{ ... on ItemConnection {{ edges {{ node {{ {inner} }} }} }} }}"
    deep = f"{{ items {{ ... on ItemConnection {{ edges {{ node {{ {inner} }} }} }} }} }}"
    answer = core.post(deep).json()
    assert answer["data"] is None
    assert f"exceeds maximum operation depth of {MAX_DEPTH}" in answer["errors"][0]["message"]
    aliased = (
        "{ "
        + " ".join(f'a{n}: shape(identifier: "x") {{ name }}' for n in range(MAX_ALIASES + 1))
        + " }"
    )
    answer = core.post(aliased).json()
    assert answer["data"] is None
    assert "aliases" in answer["errors"][0]["message"]


def test_an_unexpected_failure_is_masked_with_an_error_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @strawberry.type
    class Query:
        @strawberry.field
        def broken(self) -> str:
            raise RuntimeError("SELECT secret FROM customers WHERE email = 'jane@example.com'")

    schema = GeodeSchema(query=Query, extensions=limits())
    body = execute(schema, "{ broken }", None, None, None)
    error = body["errors"][0]
    assert "jane@example.com" not in json.dumps(body)
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["errorId"] in error["message"]
    assert error["extensions"]["errorId"] in caplog.text


def test_a_mutation_and_a_file_give_the_same_validation_message(
    core: CoreClient, tmp_path: Path
) -> None:
    """One code path: the API's input becomes the file's operation."""
    long_name = "x" * 10_000
    with core.app.engine.connect() as connection:
        root = root_item_id(connection, core.tenant.id)
    operation: dict[str, Any] = {
        "intent": "document/create", "language": "en", "name": long_name,
        "shapeIdentifier": "page", "tree": {"parentId": root},
    }  # fmt: skip
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"version": "0.0.1", "operations": [operation]}))
    with pytest.raises(InvalidFileError) as refused:
        run(core.app, core.tenant, path)
    file_problems = refused.value.detail
    api = core.data(
        """mutation($name: String!, $root: ID!) { document { create(input: {
             shapeIdentifier: "page", name: $name, tree: { parentId: $root } }) {
             ... on BasicError { errorName message code detail } } } }""",
        {"name": long_name, "root": root},
    )["document"]["create"]
    assert api["errorName"] == "BasicError"
    file_problem = next(p for p in file_problems if p["path"].endswith(".name"))
    api_problem = next(p for p in api["detail"] if p["path"].endswith(".name"))
    assert api_problem["message"] == file_problem["message"]
    assert api_problem["path"] == "input.name"
    assert file_problem["path"] == "$.operations[0].name"
