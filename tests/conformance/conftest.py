"""The reference schema, installed once from npm for the conformance tests.

`npm ci --ignore-scripts` installs the lockfile's exact packages into
tests/conformance/node/node_modules (gitignored) when they are missing; later
sessions reuse them. Without Node.js or npm the tests are skipped, with the
reason, unless GEODE_REQUIRE_NODE=1 (CI sets it): then that is a failure.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).parent / "node"
SCRIPT = NODE_DIR / "reference.mjs"
PACKAGE = "@crystallize/schema"
INSTALL_TIMEOUT = 300

Reference = Callable[..., dict[str, Any]]


def _unavailable(reason: str) -> None:
    if os.environ.get("GEODE_REQUIRE_NODE") == "1":
        pytest.fail(f"the reference schema is required (GEODE_REQUIRE_NODE=1): {reason}")
    pytest.skip(f"reference schema unavailable: {reason}")


def _installed_version() -> str | None:
    manifest = NODE_DIR / "node_modules" / PACKAGE / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def _wanted_version() -> str:
    lock = json.loads((NODE_DIR / "package-lock.json").read_text())
    return str(lock["packages"][f"node_modules/{PACKAGE}"]["version"])


def _install() -> None:
    """Under a lock: pytest-xdist workers start this at the same moment."""
    with open(NODE_DIR / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed_version() == _wanted_version():
            return
        try:
            subprocess.run(
                ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                cwd=NODE_DIR,
                check=True,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
            )
        except subprocess.CalledProcessError as exc:
            _unavailable(f"`npm ci` in {NODE_DIR} failed: {exc.stderr.strip()[-2000:]}")
        except subprocess.TimeoutExpired:
            _unavailable(f"`npm ci` in {NODE_DIR} took over {INSTALL_TIMEOUT} s")
        if _installed_version() != _wanted_version():
            _unavailable(f"`npm ci` did not install {PACKAGE} {_wanted_version()}")


@pytest.fixture(scope="session")
def reference() -> Reference:
    """`reference(*paths)` or `reference("--intents")`: the script's JSON answer."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            _unavailable(f"`{tool}` is not on PATH (Node.js 20 and npm are needed)")
    _install()

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
