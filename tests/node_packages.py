"""npm packages the suite runs against (the reference schema, Crystallize's JS client).

Each lives in a small Node project of the suite with a lockfile; `npm ci
--ignore-scripts` installs its exact packages into that folder's gitignored
node_modules once, and later sessions reuse them. Without Node.js or npm the
tests that need them are skipped, with the reason, unless GEODE_REQUIRE_NODE=1
(CI sets it): then that is a failure.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

INSTALL_TIMEOUT = 300


def unavailable(what: str, reason: str) -> None:
    if os.environ.get("GEODE_REQUIRE_NODE") == "1":
        pytest.fail(f"{what} is required (GEODE_REQUIRE_NODE=1): {reason}")
    pytest.skip(f"{what} unavailable: {reason}")


def _installed_version(node_dir: Path, package: str) -> str | None:
    manifest = node_dir / "node_modules" / package / "package.json"
    try:
        return str(json.loads(manifest.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def _wanted_version(node_dir: Path, package: str) -> str:
    lock = json.loads((node_dir / "package-lock.json").read_text())
    return str(lock["packages"][f"node_modules/{package}"]["version"])


def install(node_dir: Path, package: str, what: str) -> None:
    """`package` as `node_dir`'s lockfile pins it, installed if it is not yet; under a
    lock, since pytest-xdist workers start this at the same moment."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            unavailable(what, f"`{tool}` is not on PATH (Node.js 20 and npm are needed)")
    wanted = _wanted_version(node_dir, package)
    with open(node_dir / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed_version(node_dir, package) == wanted:
            return
        try:
            subprocess.run(
                ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                cwd=node_dir,
                check=True,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
            )
        except subprocess.CalledProcessError as exc:
            unavailable(what, f"`npm ci` in {node_dir} failed: {exc.stderr.strip()[-2000:]}")
        except subprocess.TimeoutExpired:
            unavailable(what, f"`npm ci` in {node_dir} took over {INSTALL_TIMEOUT} s")
        if _installed_version(node_dir, package) != wanted:
            unavailable(what, f"`npm ci` did not install {package} {wanted}")
