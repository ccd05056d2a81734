"""Length-prefixed messages over a child process's pipes.

Geode's helper processes (validation workers, the SQLite writer) are plain
`python -m ...` subprocesses rather than multiprocessing: they import only
what their job needs and work whatever the calling program's `__main__` is.
"""

from __future__ import annotations

from typing import IO


def write_message(stream: IO[bytes], payload: bytes) -> None:
    stream.write(len(payload).to_bytes(4, "big"))
    stream.write(payload)
    stream.flush()


def read_message(stream: IO[bytes]) -> bytes | None:
    """The next message, or None at the end of the stream (or a cut-off message)."""
    header = stream.read(4)
    if len(header) < 4:
        return None
    size = int.from_bytes(header, "big")
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return payload
