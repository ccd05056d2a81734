"""Media over a real HTTP server: upload with a token, read back without one."""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from geode.settings import Settings
from geode.tenants.service import TenantInfo
from tests.api.rest.conftest import LiveServer, wait_for
from tests.media import samples

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

MAX_BYTES = 3 << 20
PUBLIC = "https://cdn.example.com/shop"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        media_max_bytes=MAX_BYTES,
        public_url=PUBLIC,
    )


@pytest.fixture
def client(server: LiveServer, tenant: TenantInfo) -> Iterator[httpx.Client]:
    with server.client(tenant) as client:
        yield client


def post(
    client: httpx.Client, data: bytes, name: str = "photo.png", **fields: str
) -> httpx.Response:
    return client.post("/api/media", files={"file": (name, data, "image/png")}, data=fields)


def local(url: str) -> str:
    return url.removeprefix(PUBLIC)


def test_upload_then_serve(server: LiveServer, client: httpx.Client, tenant: TenantInfo) -> None:
    data = samples.png(7)
    sha = hashlib.sha256(data).hexdigest()
    created = post(client, data, "My photo.png", language="en", resourceIdentifier="p-1")
    assert created.status_code == 201, created.text
    key = f"{tenant.identifier}/{sha[:2]}/{sha}/My-photo.png"
    assert created.json() == {
        "key": key, "url": f"{PUBLIC}/media/{key}", "contentType": "image/png",
        "size": len(data), "created": True,
    }  # fmt: skip

    with httpx.Client(base_url=server.url) as anonymous:  # public: no token
        served = anonymous.get(local(created.json()["url"]))
        assert served.status_code == 200
        assert served.content == data
        assert served.headers["content-type"] == "image/png"
        assert served.headers["etag"] == f'"{sha}"'
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["content-disposition"].startswith("inline")
        assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"

        head = anonymous.head(f"/media/{key}")
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == str(len(data))
        assert head.headers["etag"] == f'"{sha}"'

        cached = anonymous.get(f"/media/{key}", headers={"If-None-Match": f'"other", W/"{sha}"'})
        assert (cached.status_code, cached.content) == (304, b"")
        assert cached.headers["etag"] == f'"{sha}"'
        stale = anonymous.get(f"/media/{key}", headers={"If-None-Match": '"other"'})
        assert stale.status_code == 200

        part = anonymous.get(f"/media/{key}", headers={"Range": "bytes=0-7"})
        assert (part.status_code, part.content) == (206, data[:8])


def test_the_same_bytes_again_answer_200_with_the_first_key(client: httpx.Client) -> None:
    first = post(client, samples.png(8), "a.png")
    again = post(client, samples.png(8), "b.png")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "created": False}


def test_a_big_file_streams_in_and_out(server: LiveServer, client: httpx.Client) -> None:
    data = samples.jpeg(MAX_BYTES)[:MAX_BYTES]
    created = post(client, data, "big.jpg")
    assert created.status_code == 201, created.text
    assert created.json()["contentType"] == "image/jpeg"
    with httpx.Client(base_url=server.url) as anonymous:
        assert anonymous.get(local(created.json()["url"])).content == data


def test_refusals(server: LiveServer, client: httpx.Client) -> None:
    def refused(response: httpx.Response, status: int, code: str) -> dict:  # type: ignore[type-arg]
        assert response.status_code == status, response.text
        body = response.json()
        assert body["code"] == code, body
        return body  # type: ignore[no-any-return]

    too_big = refused(post(client, samples.jpeg(MAX_BYTES + 1)), 413, "payload_too_large")
    assert too_big["detail"]["maxBytes"] == MAX_BYTES
    svg = refused(post(client, samples.SVG, "x.svg"), 415, "unsupported_file_type")
    assert svg["detail"]["path"] == "file" and "image/png" in svg["error"]
    refused(post(client, samples.HTML, "x.png"), 415, "unsupported_file_type")
    refused(post(client, b""), 422, "invalid_input")
    no_file = refused(
        client.post("/api/media", files={"language": (None, "en")}), 422, "invalid_input"
    )
    assert no_file["detail"]["path"] == "file"
    unknown = refused(post(client, samples.png(), other="x"), 422, "invalid_input")
    assert unknown["detail"]["path"] == "other"
    language = refused(post(client, samples.png(), language="xx"), 422, "invalid_input")
    assert language["detail"]["path"] == "language"
    refused(client.post("/api/media", json={"file": "x"}), 415, "unsupported_media_type")
    refused(
        client.post("/api/media", content=b"x", headers={"content-type": "multipart/form-data"}),
        422, "invalid_input",
    )  # fmt: skip
    with httpx.Client(base_url=server.url) as anonymous:
        refused(
            anonymous.post("/api/media", files={"file": ("a.png", samples.png())}),
            401,
            "unauthenticated",
        )
        refused(anonymous.get("/media/nobody/00/00/x.png"), 404, "not_found")
    media = server.app.media
    assert not any(p.is_file() for p in media.root.rglob("*"))  # nothing kept of any of them


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    server: LiveServer, client: httpx.Client
) -> None:
    """Raw HTTP: the body announced is never sent, and need not be."""
    host, port = server.url.removeprefix("http://").split(":")
    token = "".join(
        f"{name}: {client.headers[name]}\r\n"
        for name in ("X-Crystallize-Access-Token-Id", "X-Crystallize-Access-Token-Secret")
    )
    request = (
        "POST /api/media HTTP/1.1\r\nHost: test\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n"
        f"Content-Length: {MAX_BYTES * 2}\r\n{token}\r\n--b\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request.encode())
        answer = b""
        while b"payload_too_large" not in answer and (piece := connection.recv(65536)):
            answer += piece
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert b'"payload_too_large"' in answer


def test_a_registered_key_without_a_file_is_not_served(
    server: LiveServer, client: httpx.Client, tenant: TenantInfo
) -> None:
    key = f"{tenant.identifier}/external/photo.jpg"
    operations = {"version": "0.0.1", "operations": [{"intent": "image/register", "key": key}]}
    task = client.post("/api/massops/tasks", content=json.dumps(operations))
    assert task.status_code == 202, task.text
    assert wait_for(client, f"/api/massops/tasks/{task.json()['taskId']}", "complete")
    with httpx.Client(base_url=server.url) as anonymous:
        assert anonymous.get(f"/media/{key}").status_code == 404


def test_the_routes_are_in_the_openapi_document(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url) as anonymous:
        spec = anonymous.get("/openapi.json").json()
    upload = spec["paths"]["/api/media"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["file"]
    assert form["properties"]["file"] == {**form["properties"]["file"], "format": "binary"}
    assert {"200", "201", "401", "413", "415", "422"} <= set(upload["responses"])
    assert upload["security"]
    serve = spec["paths"]["/media/{key}"]["get"]
    assert "security" not in serve
    assert "image/webp" in serve["responses"]["200"]["content"]
    assert {"200", "304", "404"} <= set(serve["responses"])
