"""Files an interrupted request left behind (a server killed mid-upload).

A request holds its file's lock (flock) from creation to removal, so a server
sharing the directory keeps its files in flight; any file nobody holds is a
leftover."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def remove_unlocked(directory: Path, pattern: str) -> list[Path]:
    """Remove the files matching `pattern` in `directory` that no live request holds;
    returns them."""
    removed: list[Path] = []
    for path in directory.glob(pattern) if directory.is_dir() else ():
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # in use
        else:
            path.unlink(missing_ok=True)
            removed.append(path)
        finally:
            os.close(descriptor)
    return removed
