"""Recording uploads as image keys, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import anyio
import pytest

from geode.app import App
from geode.errors import InvalidInputError, NotFoundError
from geode.media.service import StoredFile, find, media_key, record, safe_filename
from geode.media.sniff import JPEG, PNG
from geode.tenants.service import TenantInfo, create_tenant
from tests.catalogue.files import logs, run
from tests.media import samples

URL = "https://media.example.com"


async def _one(data: bytes) -> Any:
    yield data


def upload(
    app: App, tenant: TenantInfo, data: bytes, filename: str = "photo.png", **fields: Any
) -> StoredFile:
    received = anyio.run(app.media.receive, _one(data))
    with app.engine.begin() as connection:
        return record(connection, app.media, tenant, filename, received, public_url=URL, **fields)


def image_rows(app: App, tenant_id: str) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.exec_driver_sql(
                "SELECT key, language, resource_identifier, stored_path, content_type, size "
                f"FROM images WHERE tenant_id = '{tenant_id}' ORDER BY key"
            )
        ]


def stored_files(app: App) -> list[Path]:
    return sorted(p for p in app.media.root.rglob("*") if p.is_file())


def test_an_upload_is_a_key_with_its_file(app: App, tenant: TenantInfo) -> None:
    data = samples.png()
    sha = hashlib.sha256(data).hexdigest()
    stored = upload(app, tenant, data, "Été 2024 (1).PNG", language="en", resource_identifier="r1")
    key = f"{tenant.identifier}/{sha[:2]}/{sha}/Ete-2024-1.png"
    assert stored == StoredFile(key, f"{URL}/media/{key}", "image/png", len(data), sha, True)
    assert image_rows(app, tenant.id) == [
        (key, "en", "r1", f"{tenant.id}/{sha[:2]}/{sha}", "image/png", len(data))
    ]
    with app.engine.connect() as connection:
        served = find(connection, key)
    assert app.media.path_of(served.stored_path).read_bytes() == data
    assert (served.content_type, served.size, served.sha256) == ("image/png", len(data), sha)


def test_the_same_bytes_again_answer_the_first_key(app: App, tenant: TenantInfo) -> None:
    first = upload(app, tenant, samples.png(1), "a.png")
    again = upload(app, tenant, samples.png(1), "other-name.png", resource_identifier="x")
    assert (again.key, again.created) == (first.key, False)
    assert [row[2] for row in image_rows(app, tenant.id)] == ["x"]  # given: replaced
    assert len(stored_files(app)) == 1
    assert list(app.media.incoming_dir.iterdir()) == []


def test_tenants_do_not_share_keys_or_files(app: App, tenant: TenantInfo) -> None:
    with app.engine.begin() as connection:
        other = create_tenant(connection, f"t-{uuid.uuid4().hex[:12]}")
    mine = upload(app, tenant, samples.png(2))
    theirs = upload(app, other, samples.png(2))
    assert theirs.created
    assert mine.key.split("/", 1)[1] == theirs.key.split("/", 1)[1]
    assert mine.key != theirs.key
    assert len(stored_files(app)) == 2
    forged = f"{other.identifier}/{mine.key.split('/', 1)[1]}"
    with app.engine.connect() as connection:
        assert find(connection, forged).stored_path.startswith(other.id)
        with pytest.raises(NotFoundError):
            find(connection, f"nobody/{mine.key.split('/', 1)[1]}")


def test_a_refused_field_leaves_nothing(app: App, tenant: TenantInfo) -> None:
    with pytest.raises(InvalidInputError) as refused:
        upload(app, tenant, samples.png(3), language="xx")
    assert refused.value.detail["path"] == "language"
    with pytest.raises(InvalidInputError) as refused:
        upload(app, tenant, samples.png(3), resource_identifier="a\u200bb")
    assert refused.value.detail["path"] == "resourceIdentifier"
    assert image_rows(app, tenant.id) == []
    assert stored_files(app) == []


def test_a_key_registered_before_takes_the_file(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    data = samples.png(4)
    sha = hashlib.sha256(data).hexdigest()
    key = media_key(tenant.identifier, sha, "p.png")
    ops = [{"intent": "image/register", "key": key, "language": "en"}]
    assert run(app, tenant, ops_file(ops)).status == "complete"
    with app.engine.connect() as connection, pytest.raises(NotFoundError):
        find(connection, key)  # registered, no file: not served
    stored = upload(app, tenant, data, "p.png")
    assert (stored.key, stored.created) == (key, False)
    assert image_rows(app, tenant.id) == [
        (key, "en", None, f"{tenant.id}/{sha[:2]}/{sha}", "image/png", len(data))
    ]


def test_image_register_of_an_uploaded_key_keeps_its_file(
    app: App, tenant: TenantInfo, ops_file: Any
) -> None:
    stored = upload(app, tenant, samples.png(5))
    before = image_rows(app, tenant.id)
    ops = [{"intent": "image/register", "key": stored.key, "resourceIdentifier": "later"}]
    task = run(app, tenant, ops_file(ops))
    assert task.counts == {"image/register": {"updated": 1}}, logs(app, task.id)
    (row,) = image_rows(app, tenant.id)
    assert row == (*before[0][:2], "later", *before[0][3:])
    with app.engine.connect() as connection:
        assert find(connection, stored.key).stored_path == before[0][3]


@pytest.mark.parametrize(
    ("filename", "kind", "expected"),
    [
        ("photo.jpeg", JPEG, "photo.jpg"),
        ("C:\\Users\\me\\My Photo.JPG", JPEG, "My-Photo.jpg"),
        ("../../etc/passwd", PNG, "passwd.png"),
        ("image.svg", PNG, "image.png"),  # the bytes decide the extension
        (".hidden", PNG, "hidden.png"),
        ("日本語.png", PNG, "file.png"),
        (None, PNG, "file.png"),
        ("a" * 300 + ".png", PNG, "a" * 96 + ".png"),
        ("x\x00y\n.png", PNG, "x-y.png"),
    ],
)
def test_safe_filenames(filename: str | None, kind: Any, expected: str) -> None:
    assert safe_filename(filename, kind) == expected
