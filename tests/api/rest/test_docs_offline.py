"""/docs and /redoc render the API in a real browser with no internet.

Headless Chromium loads each page with every host name but the server's
unresolvable, so a script, style or font fetched from a CDN would leave the
page blank and the operations unlisted. CI installs Debian's `chromium` and
sets GEODE_REQUIRE_CHROMIUM=1, where a missing browser fails the test; a
developer without it sees the test skipped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.api.rest.conftest import LiveServer

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("GEODE_REQUIRE_CHROMIUM") == "1":
            pytest.fail(
                "GEODE_REQUIRE_CHROMIUM=1 but no chromium on PATH (apt-get install chromium)"
            )
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def render(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, as an offline browser sees it."""
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        f"--user-data-dir={profile}",
        # Offline: any host but the server's fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--virtual-time-budget=20000",
        "--dump-dom",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_swagger_ui_lists_every_operation_offline(server: LiveServer, tmp_path: Path) -> None:
    with server.client() as client:
        spec = client.get("/openapi.json").json()
    dom = render(f"{server.url}/docs", tmp_path / "profile")
    rendered_paths = set(re.findall(r'data-path="([^"]+)"', dom))
    assert rendered_paths == set(spec["paths"]), dom[-3000:]
    for operation in ("Queue a Customer Creation Batch Job", "Upload a mass-operation file"):
        assert operation in dom
    assert "Authorize" in dom  # the token headers are a security scheme the page can fill in


def test_redoc_lists_the_operations_offline(server: LiveServer, tmp_path: Path) -> None:
    dom = render(f"{server.url}/redoc", tmp_path / "profile")
    for operation in ("Queue a Customer Creation Batch Job", "Upload a mass-operation file"):
        assert operation in dom, dom[-3000:]


def test_the_pages_name_no_other_host(server: LiveServer) -> None:
    with server.client() as client:
        for page in ("/docs", "/redoc"):
            html = client.get(page).text
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), html
            for asset in re.findall(r"""(?:src|href)=["']([^"']+)["']""", html):
                assert client.get(asset).status_code == 200, asset
