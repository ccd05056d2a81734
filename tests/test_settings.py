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
