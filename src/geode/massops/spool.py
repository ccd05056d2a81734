"""The spool: validated operations, written once by the validation pass.

The run reads typed operations back from here instead of parsing and
validating the JSON file a second time, and `resume` needs nothing but the
spool. Layout: a sequence of frames, each a 4-byte big-endian length and a
msgpack array of `SpoolEntry`.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import msgspec

from geode.massops.schemas import Operation
from geode.massops.templates import PathPart

_FRAME = struct.Struct(">I")
FRAME_SIZE = 1000


class SpoolEntry(msgspec.Struct, array_like=True):
    op: Operation
    templates: list[tuple[list[PathPart], str]] | None = None


class SpoolWriter:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: IO[bytes] = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._encoder = msgspec.msgpack.Encoder()
        self._pending: list[SpoolEntry] = []

    def add(self, entry: SpoolEntry) -> None:
        self._pending.append(entry)
        if len(self._pending) >= FRAME_SIZE:
            self._write_frame()

    def _write_frame(self) -> None:
        payload = self._encoder.encode(self._pending)
        self._file.write(_FRAME.pack(len(payload)))
        self._file.write(payload)
        self._pending = []

    def close(self) -> None:
        """Flush and fsync: a task is only created over a spool that is on disk."""
        if self._pending:
            self._write_frame()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def read_spool(path: Path, start: int = 0) -> Iterator[tuple[int, SpoolEntry]]:
    """Entries with their operation index, from `start` on."""
    decoder = msgspec.msgpack.Decoder(list[SpoolEntry])
    index = 0
    with open(path, "rb") as spool:
        while header := spool.read(_FRAME.size):
            (length,) = _FRAME.unpack(header)
            if index + FRAME_SIZE <= start:
                spool.seek(length, os.SEEK_CUR)
                index += FRAME_SIZE
                continue
            for entry in decoder.decode(spool.read(length)):
                if index >= start:
                    yield index, entry
                index += 1
