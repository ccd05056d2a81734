"""Settings whose defaults depend on the database."""

from __future__ import annotations

import pytest

from geode.settings import Settings


def test_batch_size_defaults_per_database_and_an_explicit_value_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GEODE_BATCH_SIZE", raising=False)
    default = Settings()
    assert default.batch_size_for("sqlite") == 1000
    assert default.batch_size_for("postgresql") == 2000
    monkeypatch.setenv("GEODE_BATCH_SIZE", "300")
    assert Settings().batch_size_for("sqlite") == Settings().batch_size_for("postgresql") == 300


def test_media_defaults_follow_the_data_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MEDIA_DIR", "MEDIA_MAX_BYTES", "PUBLIC_URL", "DATA_DIR"):
        monkeypatch.delenv(f"GEODE_{name}", raising=False)
    monkeypatch.setenv("GEODE_DATA_DIR", "/srv/geode")
    default = Settings()
    assert str(default.resolved_media_dir) == "/srv/geode/media"
    assert default.media_max_bytes == 50 * 1024 * 1024
    assert default.public_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("GEODE_MEDIA_DIR", "/mnt/media")
    monkeypatch.setenv("GEODE_PUBLIC_URL", "https://shop.example.com/geode/")
    chosen = Settings()
    assert str(chosen.resolved_media_dir) == "/mnt/media"
    assert chosen.public_url == "https://shop.example.com/geode"
