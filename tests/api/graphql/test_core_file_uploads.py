"""Seed 001's `fileUpload.uploadFromUrl`, verbatim but for the ids and the URL, against
a running server that downloads from a real HTTP server on 127.0.0.1 (allowed, as
GEODE_REMOTE_FETCH_ALLOWED_HOSTS=127.0.0.1 does); nothing reaches past this machine."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from geode.settings import Settings
from tests.api.graphql.conftest import CoreClient
from tests.media import samples
from tests.media.image_server import ImageServer, grey_jpeg, image, redirect, running

UPLOAD_IMAGE_FROM_URL = """mutation UploadImageFromURL { fileUpload { uploadFromUrl(tenantId: "%(tenant)s" url: "%(url)s" fileName: "product-photo.jpg") { ... on FileContent { key url } ... on BasicError { errorName message } } } }"""

UPLOAD = """mutation($url: String!, $name: String) { fileUpload { uploadFromUrl(url: $url, fileName: $name) {
  __typename ... on FileContent { key url } ... on BasicError { errorName message code detail } } } }"""


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        batch_size=50,
        remote_fetch_allowed_hosts=["127.0.0.1"],
        remote_fetch_timeout=10,
    )


@pytest.fixture
def web() -> Iterator[ImageServer]:
    with running() as server:
        yield server


def upload(core: CoreClient, url: str, name: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = core.data(UPLOAD, {"url": url, "name": name})["fileUpload"][
        "uploadFromUrl"
    ]
    return answer


def served(core: CoreClient, url: str) -> bytes:
    """GET the answered `url` from Geode (at its path: the test server's port is not
    GEODE_PUBLIC_URL's)."""
    public = core.app.settings.public_url
    assert url.startswith(f"{public}/media/")
    response = core.http.get(url.removeprefix(public))
    assert response.status_code == 200, response.text
    return response.content


def test_upload_from_url_as_the_seed_writes_it(core: CoreClient, web: ImageServer) -> None:
    photo = grey_jpeg()
    url = web.serve("/product-photo.jpg", image(photo, "image/jpeg"))
    query = UPLOAD_IMAGE_FROM_URL % {"tenant": core.tenant.id, "url": url}
    answer = core.data(query)["fileUpload"]["uploadFromUrl"]
    sha = hashlib.sha256(photo).hexdigest()
    key = f"{core.tenant.identifier}/{sha[:2]}/{sha}/product-photo.jpg"
    assert answer == {"key": key, "url": f"{core.app.settings.public_url}/media/{quote(key)}"}
    response = core.http.get(f"/media/{key}")
    assert response.content == photo
    assert response.headers["Content-Type"] == "image/jpeg"
    assert served(core, answer["url"]) == photo
    assert [seen.path for seen in web.seen] == ["/product-photo.jpg"]


def test_the_name_comes_from_the_url_and_the_same_bytes_keep_their_key(
    core: CoreClient, web: ImageServer
) -> None:
    data = samples.png(11)
    web.serve("/shots/%C3%89t%C3%A9%202024.PNG", image(data, "image/png"))
    web.serve("/go", redirect("/shots/%C3%89t%C3%A9%202024.PNG"))
    first = upload(core, web.url("/shots/%C3%89t%C3%A9%202024.PNG"))
    assert first["__typename"] == "FileContent"
    assert first["key"].endswith("/Ete-2024.png")
    assert served(core, first["url"]) == data
    again = upload(core, web.url("/go"), "other-name.png")
    assert again == first


def test_refusals_are_basic_errors_and_nothing_is_kept(core: CoreClient, web: ImageServer) -> None:
    web.serve("/page.png", image(samples.HTML, "image/png"))
    web.serve("/to-metadata", redirect("http://169.254.169.254/latest/meta-data/"))
    for url, code, words in [
        ("http://[::1]:1/x.png", "remote_fetch_refused", "::1 is a loopback address"),
        ("http://10.1.2.3/x.png", "remote_fetch_refused", "private address"),
        ("file:///etc/passwd", "remote_fetch_refused", "only http:// and https://"),
        (web.url("/to-metadata"), "remote_fetch_refused", "169.254.169.254 is a link-local"),
        (web.url("/page.png"), "unsupported_file_type", "not a JPEG, PNG, GIF, WebP or AVIF"),
        (web.url("/missing.png"), "remote_fetch_failed", "answered HTTP 404"),
    ]:
        answer = upload(core, url)
        assert answer["__typename"] == "BasicError", (url, answer)
        assert answer["errorName"] == "BasicError"
        assert answer["code"] == code, (url, answer)
        assert words in answer["message"], (url, answer)
        assert answer["detail"]["path"] == "url"
    media = core.app.media
    assert not media.incoming_dir.exists() or list(media.incoming_dir.iterdir()) == []
    assert not (media.root / core.tenant.id).exists()


def test_a_tenant_id_of_another_tenant_is_a_basic_error(core: CoreClient, web: ImageServer) -> None:
    url = web.serve("/product-photo.jpg", image(grey_jpeg(), "image/jpeg"))
    query = UPLOAD_IMAGE_FROM_URL % {"tenant": "0" * 24, "url": url}
    answer = core.data(query)["fileUpload"]["uploadFromUrl"]
    assert answer["errorName"] == "BasicError"
    assert "not the id of tenant" in answer["message"]
    assert web.seen == []  # refused before anything is fetched
