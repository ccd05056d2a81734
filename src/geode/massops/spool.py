"""The spool: validated operations, written once by the validation pass.

The run reads typed operations back from here instead of parsing and
validating the JSON file a second time, and `resume` needs nothing but the
spool. Layout: a sequence of frames, each a header (payload length, number of
entries: two 4-byte big-endian integers) and a msgpack array of `SpoolEntry`.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import msgspec

from geode.massops.intents import IntentRegistry, SpoolEntry

FRAME_HEADER = struct.Struct(">II")
FRAME_SIZE = 1000


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

    def add_frame(self, payload: bytes, count: int) -> None:
        """A frame encoded elsewhere (by a validation process)."""
        if self._pending:
            self._write_frame()
        self._file.write(FRAME_HEADER.pack(len(payload), count))
        self._file.write(payload)

    def _write_frame(self) -> None:
        entries, self._pending = self._pending, []
        self.add_frame(self._encoder.encode(entries), len(entries))

    def reset(self) -> None:
        """Start over: the validation pass is switching to its sequential path."""
        self._pending = []
        self._file.seek(0)
        self._file.truncate()

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


def encode_frame(entries: list[SpoolEntry]) -> bytes:
    return msgspec.msgpack.encode(entries)


def read_spool(
    path: Path, intents: IntentRegistry, start: int = 0
) -> Iterator[tuple[int, SpoolEntry]]:
    """Entries with their operation index, from `start` on."""
    decoder = intents.frame_decoder
    index = 0
    with open(path, "rb") as spool:
        while header := spool.read(FRAME_HEADER.size):
            length, count = FRAME_HEADER.unpack(header)
            if index + count <= start:
                spool.seek(length, os.SEEK_CUR)
                index += count
                continue
            for entry in decoder.decode(spool.read(length)):
                if index >= start:
                    yield index, entry
                index += 1
