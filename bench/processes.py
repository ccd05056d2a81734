"""Stopping the geode processes a benchmark started."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence


def stop_all(processes: Sequence[subprocess.Popen[bytes]], sig: int, timeout: float = 30) -> None:
    """Signal every process, then wait for each; kill one that outlives `timeout`."""
    for process in processes:
        process.send_signal(sig)
    for process in processes:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
