"""`geode export catalogue`, run as the real command: the whole catalogue's round
trip through the commands a user types (the same steps on both databases, called
in-process: `tests/catalogue/test_export_round_trip.py`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.catalogue import shapes
from tests.catalogue.test_export_round_trip import HEADER, catalogue_file
from tests.cli.test_cli import geode, new_tenant, ok, one_json

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("geode-export")


def test_export_catalogue_into_a_tenant_configured_from_tenant_show_exports_the_same_file(
    data_dir: Path,
) -> None:
    one, two = new_tenant(data_dir), new_tenant(data_dir)
    settings = data_dir / "settings.json"
    settings.write_text(json.dumps(shapes.settings()))
    ok(geode(data_dir, "tenant", "configure", one, settings))
    source = catalogue_file(data_dir / "catalogue.json", scale=0.0002)  # 20 products
    summary = one_json(ok(geode(data_dir, "massop", "run", source, "--tenant", one, "--json")))
    assert summary["status"] == "complete", summary

    first = data_dir / "one.json"
    result = ok(geode(data_dir, "export", "catalogue", "--tenant", one, "-o", first))
    count = len(json.loads(first.read_bytes())["operations"])
    assert result.stderr.strip() == f"exported {count} catalogue"
    shown = one_json(ok(geode(data_dir, "tenant", "show", one, "--json")))
    copied = data_dir / "copied.json"
    copied.write_text(json.dumps({k: v for k, v in shown.items() if k not in HEADER}))
    ok(geode(data_dir, "tenant", "configure", two, copied))
    summary = one_json(ok(geode(data_dir, "massop", "run", first, "--tenant", two, "--json")))
    assert summary["status"] == "complete", summary

    second = data_dir / "two.json"
    ok(geode(data_dir, "export", "catalogue", "--tenant", two, "-o", second))
    assert second.read_bytes() == first.read_bytes()
    assert (
        one_json(ok(geode(data_dir, "tenant", "show", two, "--json")))["vatTypes"]
        == (shown["vatTypes"])
    )
