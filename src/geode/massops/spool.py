"""The spool: validated operations, written once by the validation pass.

The run reads typed operations back from here instead of parsing and
validating the JSON file a second time, and `resume` needs nothing but the
spool. Layout: a sequence of frames, each a header (payload length, number of
entries: two 4-byte big-endian integers) and a msgpack array of `SpoolEntry`.

The spool is in run order: the file's order, unless operations depend on
later ones (`massops.ordering`); then it is rewritten in run order once
validated (`reorder_spool`), each entry keeping its index in the file, which
logs, outputs and retries speak of. A task's checkpoint is a position in the
spool.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import msgspec

from geode.massops.intents import IntentSchemas, SpoolEntry

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
    path: Path, intents: IntentSchemas, start: int = 0
) -> Iterator[tuple[int, SpoolEntry]]:
    """Entries with their operation index (in the file), from position `start` on."""
    decoder = intents.frame_decoder
    position = 0
    with open(path, "rb") as spool:
        while header := spool.read(FRAME_HEADER.size):
            length, count = FRAME_HEADER.unpack(header)
            if position + count <= start:
                spool.seek(length, os.SEEK_CUR)
                position += count
                continue
            for entry in decoder.decode(spool.read(length)):
                if position >= start:
                    yield (position if entry.index is None else entry.index), entry
                position += 1


_NIL = msgspec.Raw(b"\xc0")  # msgpack's nil


class _Placed(msgspec.Struct, array_like=True):
    """A spooled entry left encoded but for its index."""

    op: msgspec.Raw
    templates: msgspec.Raw = _NIL  # any value, left encoded
    documents: msgspec.Raw = _NIL
    index: int | None = None


def is_reordered(path: Path) -> bool:
    """Whether the spool at `path` is in another order than its file's."""
    with open(path, "rb") as spool:
        header = spool.read(FRAME_HEADER.size)
        if not header:
            return False
        length, _ = FRAME_HEADER.unpack(header)
        first = msgspec.msgpack.decode(spool.read(length), type=list[_Placed])
    return bool(first) and first[0].index is not None


def reorder_spool(path: Path, order: list[int]) -> None:
    """Rewrite the spool in `order` (file indexes), each entry keeping its index.

    The entries are held encoded, so this takes about the spool's size in
    memory; only files whose operations depend on later ones come here. The
    new spool replaces the old one at once: a kill leaves one or the other."""
    entries: list[_Placed] = []
    decoder = msgspec.msgpack.Decoder(list[_Placed])
    with open(path, "rb") as spool:
        while header := spool.read(FRAME_HEADER.size):
            length, _ = FRAME_HEADER.unpack(header)
            entries.extend(decoder.decode(spool.read(length)))
    if len(order) != len(entries):
        raise ValueError(f"an order of {len(order)} operations for a spool of {len(entries)}")
    encoder = msgspec.msgpack.Encoder()
    temporary = path.with_name(path.name + ".ordering")
    with open(temporary, "wb") as out:
        for start in range(0, len(order), FRAME_SIZE):
            frame = []
            for index in order[start : start + FRAME_SIZE]:
                entry = entries[index]
                entry.index = index
                frame.append(entry)
            payload = encoder.encode(frame)
            out.write(FRAME_HEADER.pack(len(payload), len(frame)))
            out.write(payload)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
