"""`geode media upload`, the real command against an embedded SQLite store."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.cli.test_cli import EXIT_FAILED, geode, new_tenant, ok, one_json
from tests.media import samples

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("geode-media-cli")


def stored_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "media").rglob("*") if p.is_file())


def test_upload_prints_the_key_and_url(data_dir: Path, tmp_path: Path) -> None:
    tenant = new_tenant(data_dir)
    photo = tmp_path / "Summer photo.png"
    photo.write_bytes(samples.png(9))
    sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    key = f"{tenant}/{sha[:2]}/{sha}/Summer-photo.png"

    first = one_json(ok(geode(data_dir, "media", "upload", photo, "--tenant", tenant, "--json")))
    assert first == {
        "key": key, "url": f"http://127.0.0.1:8000/media/{key}", "contentType": "image/png",
        "size": photo.stat().st_size, "created": True,
    }  # fmt: skip
    stored = list((data_dir / "media").rglob(sha))
    assert [p.read_bytes() for p in stored] == [photo.read_bytes()]

    again = ok(
        geode(
            data_dir, "media", "upload", photo, "--tenant", tenant,
            env_vars={"GEODE_PUBLIC_URL": "https://cdn.example.com/"},
        )
    )  # fmt: skip
    assert again.stdout.splitlines() == [
        f"already stored: {key} (image/png, {photo.stat().st_size} bytes)",
        f"https://cdn.example.com/media/{key}",
    ]


def test_refusals_are_one_line(data_dir: Path, tmp_path: Path) -> None:
    tenant = new_tenant(data_dir)
    page = tmp_path / "page.png"
    page.write_bytes(samples.HTML)
    before = stored_files(data_dir)
    for args, words in [
        ((page, "--tenant", tenant), "is not a JPEG, PNG, GIF, WebP, AVIF, MP4 or WebM file"),
        ((tmp_path / "missing.png", "--tenant", tenant), "missing.png"),
        ((page, "--tenant", "no-such-tenant"), "no tenant 'no-such-tenant'"),
    ]:
        result = geode(data_dir, "media", "upload", *args)
        assert result.returncode == EXIT_FAILED, result
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert words in result.stderr
    big = geode(
        data_dir, "media", "upload", page, "--tenant", tenant,
        env_vars={"GEODE_MEDIA_MAX_BYTES": "10"},
    )  # fmt: skip
    assert big.returncode == EXIT_FAILED
    assert "GEODE_MEDIA_MAX_BYTES" in big.stderr
    assert stored_files(data_dir) == before
