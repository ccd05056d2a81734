"""`geode tenant configure` and `geode tenant show`, run as the real command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import EXIT_FAILED, geode, new_tenant, ok, one_json

pytestmark = pytest.mark.integration

SETTINGS: dict[str, Any] = {
    "languages": [{"code": "en", "name": "English"}, {"code": "nb-NO", "name": "Norsk"}],
    "vatTypes": [{"name": "Standard", "percent": 25}, {"name": "Reduced", "percent": 12.5}],
    "priceVariants": [{"identifier": "default", "name": "Default", "currency": "NOK"}],
    "stockLocations": [{"identifier": "oslo", "name": "Oslo"}],
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("geode-tenant-settings")


@pytest.fixture
def tenant(data_dir: Path) -> str:
    return new_tenant(data_dir)


def write(data_dir: Path, name: str, content: dict[str, Any] | bytes) -> Path:
    path = data_dir / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def test_configure_prints_what_changed_then_unchanged(data_dir: Path, tenant: str) -> None:
    path = write(data_dir, f"{tenant}.json", SETTINGS)
    first = ok(geode(data_dir, "tenant", "configure", tenant, path))
    assert first.stdout.splitlines() == [
        f"tenant {tenant}: settings changed",
        "  languages: created nb-NO",
        "  vatTypes: created Reduced; updated Standard",
        "  priceVariants: updated default",
        "  stockLocations: created oslo; removed default",
    ]
    again = one_json(ok(geode(data_dir, "tenant", "configure", tenant, path, "--json")))
    assert again["status"] == "unchanged"
    assert again["settings"]["vatTypes"] == {
        "status": "unchanged",
        "created": [],
        "updated": [],
        "removed": [],
    }

    shown = ok(geode(data_dir, "tenant", "show", tenant)).stdout
    assert "nb-NO (Norsk)" in shown
    assert "12.5%  Reduced" in shown
    assert "25%  Standard  (default)" in shown


def test_show_json_is_a_valid_configure_input(data_dir: Path, tenant: str) -> None:
    shown = one_json(ok(geode(data_dir, "tenant", "show", tenant, "--json")))
    assert list(shown) == [
        "id",
        "identifier",
        "createdAt",
        "rootItemId",
        "languages",
        "vatTypes",
        "priceVariants",
        "stockLocations",
    ]
    assert shown["vatTypes"][0] | {"id": "x"} == {
        "id": "x",
        "name": "Standard",
        "percent": 0,
        "isDefault": True,
    }
    path = write(data_dir, f"{tenant}-shown.json", shown)
    result = ok(geode(data_dir, "tenant", "configure", tenant, path))
    assert result.stdout.strip() == f"tenant {tenant}: settings unchanged"

    other = new_tenant(data_dir)
    refused = geode(data_dir, "tenant", "configure", other, path)
    assert refused.returncode == EXIT_FAILED
    assert f"does not describe tenant {other}" in refused.stderr
    assert "$.rootItemId:" in refused.stderr


def test_a_bad_file_is_refused_with_every_path_and_nothing_changes(
    data_dir: Path, tenant: str
) -> None:
    before = ok(geode(data_dir, "tenant", "show", tenant, "--json")).stdout
    bad = SETTINGS | {
        "vatTypes": [{"name": "A", "percent": 25}, {"name": "B", "percent": "101"}],
        "languages": [],
        "extra": True,
    }
    path = write(data_dir, f"{tenant}-bad.json", bad)
    refused = geode(data_dir, "tenant", "configure", tenant, path)
    assert refused.returncode == EXIT_FAILED
    assert refused.stdout == ""
    assert "was refused (3 problems); nothing was changed" in refused.stderr
    for where in ("$.extra:", "$.languages:", "$.vatTypes[1].percent: 101 is too large"):
        assert where in refused.stderr
    assert "Traceback" not in refused.stderr
    assert ok(geode(data_dir, "tenant", "show", tenant, "--json")).stdout == before

    missing = geode(data_dir, "tenant", "configure", tenant, data_dir / "nothing.json")
    assert missing.returncode == EXIT_FAILED
    assert "No such file" in missing.stderr
