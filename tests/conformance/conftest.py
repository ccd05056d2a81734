"""The reference schema, installed once from npm for the conformance tests.

`npm ci --ignore-scripts` installs the lockfile's exact packages into
tests/conformance/node/node_modules (gitignored) when they are missing; later
sessions reuse them. Without Node.js or npm the tests are skipped, with the
reason, unless GEODE_REQUIRE_NODE=1 (CI sets it): then that is a failure.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.node_packages import install

NODE_DIR = Path(__file__).parent / "node"
SCRIPT = NODE_DIR / "reference.mjs"
PACKAGE = "@crystallize/schema"

Reference = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def reference() -> Reference:
    """`reference(*paths)` or `reference("--intents")`: the script's JSON answer."""
    install(NODE_DIR, PACKAGE, "the reference schema")

    def run(*args: str | Path) -> dict[str, Any]:
        done = subprocess.run(
            ["node", str(SCRIPT), *map(str, args)],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise AssertionError(f"node {SCRIPT.name} failed: {done.stderr.strip()}")
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    return run
