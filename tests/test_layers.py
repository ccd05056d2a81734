"""Imports point one way: front doors and the assembly above domains, domains
above the engines and shared building blocks. A change that makes the engine
name a domain, or a domain reach for a front door, fails here with the import
that did it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "geode"

DOMAINS = ("customers", "orders", "loyalty", "events", "tenants", "catalogue", "media")
ABOVE_DOMAINS = ("app", "assembly", "api", "cli", "jobs")
ENGINES = ("massops", "batches")
FOUNDATION = ("db", "schemas", "limits", "errors", "json_input", "money", "outcomes")

# What each layer must not import: (package or module under geode, forbidden prefixes).
RULES: dict[str, tuple[str, ...]] = {
    **{engine: DOMAINS + ABOVE_DOMAINS for engine in ENGINES},
    **{domain: ABOVE_DOMAINS for domain in DOMAINS},
    **{base: DOMAINS + ENGINES + ABOVE_DOMAINS for base in FOUNDATION},
}


def _modules(name: str) -> list[Path]:
    package = SRC / name
    if package.is_dir():
        return sorted(package.rglob("*.py"))
    module = SRC / f"{name}.py"
    return [module] if module.exists() else []


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_point_one_way(layer: str) -> None:
    forbidden = tuple(f"geode.{name}" for name in RULES[layer])
    offences = [
        f"{path.relative_to(SRC.parent)}:{line} imports {module}"
        for path in _modules(layer)
        for line, module in _imports(path)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    ]
    assert offences == []


def test_every_layer_named_exists() -> None:
    """A renamed package must not silently drop out of the rules above."""
    missing = [name for name in RULES if not _modules(name) and name != "catalogue"]
    assert missing == []
