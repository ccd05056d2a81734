"""GET /@{tenant} opens GraphiQL in a real browser with no internet.

Headless Chromium loads the page with every host name but the server's
unresolvable (see tests/api/rest/test_docs_offline.py), so a script or style
fetched from a CDN would leave "Loading GraphiQL…" on a blank page. The `server`
fixture comes from this folder's conftest.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from geode.api.graphql import graphiql
from geode.api.graphql.endpoint import UNAUTHORIZED
from geode.api.graphql.graphiql import ASSETS_URL
from geode.app import App
from geode.tenants.service import TenantInfo, create_token
from tests.api.rest.conftest import LiveServer, serve
from tests.api.rest.test_docs_offline import render

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def test_graphiql_renders_offline_and_asks_the_endpoint(
    server: LiveServer, tenant: TenantInfo, tmp_path: Path
) -> None:
    dom = render(f"{server.url}/@{tenant.identifier}", tmp_path / "profile")
    assert "Loading GraphiQL" not in dom, dom[-3000:]
    for part in ("graphiql-container", "graphiql-query-editor", "graphiql-toolbar", "CodeMirror"):
        assert part in dom, (part, dom[-3000:])
    # The Headers pane is open and shows which headers to send.
    assert "X-Crystallize-Access-Token-Id" in dom
    assert "X-Crystallize-Access-Token-Secret" in dom
    # GraphiQL fetched the schema from the page's own address, with the placeholder
    # headers, and shows the endpoint's answer.
    assert UNAUTHORIZED in dom, dom[-3000:]


def test_a_token_in_the_headers_pane_is_sent(
    app: App, tenant: TenantInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As after a user pasted a token: the schema's introspection is answered."""
    with app.engine.begin() as connection:
        token = create_token(connection, tenant.id)
    monkeypatch.setattr(
        graphiql,
        "PLACEHOLDER_HEADERS",
        {
            "X-Crystallize-Access-Token-Id": token.id,
            "X-Crystallize-Access-Token-Secret": token.secret,
        },
    )
    with contextmanager(serve)(app, lambda _app: None) as live:
        dom = render(f"{live.url}/@{tenant.identifier}", tmp_path / "profile")
    assert "graphiql-container" in dom, dom[-3000:]
    assert token.secret in dom  # in the Headers pane
    assert UNAUTHORIZED not in dom, dom[-3000:]
    assert "errors" not in dom, dom[-3000:]


def test_the_page_names_no_other_host_and_needs_no_token(server: LiveServer) -> None:
    with server.client() as client:
        for tenant in ("acme", "no-such-tenant"):
            response = client.get(f"/@{tenant}")
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/html")
            html = response.text
            assert not re.search(r"https?:|//", html), html
            assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
            assert len([a for a in assets if a.startswith(ASSETS_URL)]) == 4, assets
            for asset in assets:
                if asset.startswith("data:"):
                    continue
                assert client.get(asset).status_code == 200, asset
        assert client.get(f"{ASSETS_URL}/README.md").status_code == 404
        # POST at the same address is still the API.
        refused = client.post("/@acme", json={"query": "{ __typename }"})
        assert refused.status_code == 401, refused.text


def test_the_catalogue_api_has_its_page_with_the_static_token_header(server: LiveServer) -> None:
    with server.client() as client:
        for path in ("/acme/catalogue", "/@acme/catalogue"):
            response = client.get(path)
            assert response.status_code == 200, response.text
            assert "X-Crystallize-Static-Auth-Token" in response.text
            assert "X-Crystallize-Access-Token-Secret" not in response.text
            assert not re.search(r"https?:|//", response.text)
