"""Splits a validated task into chunks that several workers can run at once.

Two rules keep a parallel run equal to a sequential one:

- **References.** An operation runs in a later *wave* than every operation
  whose `_ref` it reads. Waves are barriers: wave w+1 starts once every chunk
  of wave w is committed, so a chunk reads its references from the logs.
- **Keys.** Operations on the same record (same customer identifier, group
  identifier, order id, ...) land in the same chunk, in run order, so they
  apply in run order; a later one never runs in an earlier wave. Each intent
  family keys its own operations (`IntentFamily.key_planner`); where a key is
  only known once a template is rendered, the family gives the whole kind one
  key: correct, if less parallel.
- **Records read and written.** Operations on different keys must commute.
  A family whose records depend on each other (the catalogue: a variant on
  its product, an item on its parent and related items) places its
  operations instead (`IntentFamily.resource_planner`): a key, the records
  the operation reads and writes, or "alone". Where one operation writes a
  record another one on another key reads or writes, the later one (in run
  order) runs in a later wave (`massops.conflicts`); an operation placed
  alone runs after everything before it and before everything after it. The
  planner may read the store once (`store`), e.g. where an existing item
  sits; planned without it, such a family runs alone throughout.

The spool is in run order (`massops.ordering`): planning walks it in that
order, so an operation depending on another one comes after it here too,
and chunks carry each operation's index in the file. Within a chunk,
operations run in run order; a chunk of a later wave starts once every
chunk of the earlier waves has committed, so a parallel run gives what
the sequential run in run order gives.

Within a wave, operations are spread over chunks by key hash. Chunks are
stored in the database (frames of msgpack entries), so a worker on any
machine can run any chunk. Memory stays small: three streaming passes over
the spool, with per-operation state in compact arrays.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import msgspec
import sqlalchemy as sa

from geode.massops import repository
from geode.massops.conflicts import Conflicts
from geode.massops.intents import IntentRegistry, KeyPlanner, Placement, ResourcePlanner
from geode.massops.spool import FRAME_HEADER, FRAME_SIZE, is_reordered
from geode.massops.templates import parse_template

_NO_KEY = 0

Store = tuple[sa.Connection, str]
"""(connection, tenant id): the store a task runs into, as planning may read it."""


class _Head(msgspec.Struct):
    """The fields of an operation every plan reads; decoding skips the rest."""

    intent: str
    ref: Any = msgspec.field(default=None, name="_ref")


class _Entry(msgspec.Struct, array_like=True):
    """A `SpoolEntry` with its operation left encoded."""

    op: msgspec.Raw
    templates: list[tuple[list[str | int], str]] | None = None
    documents: dict[str, str] | None = None
    index: int | None = None
    """The operation's index in the file, when the spool is reordered."""


_NIL = msgspec.Raw(b"\xc0")  # msgpack's nil


class _Index(msgspec.Struct, array_like=True):
    """Just the file index of a spooled entry (see `SpoolEntry.index`)."""

    op: msgspec.Raw
    templates: msgspec.Raw = _NIL  # any value, left encoded
    documents: msgspec.Raw = _NIL
    index: int | None = None


_frames_decoder = msgspec.msgpack.Decoder(list[_Entry])
_head_decoder = msgspec.msgpack.Decoder(_Head)
_raw_decoder = msgspec.msgpack.Decoder(list[msgspec.Raw])
_index_decoder = msgspec.msgpack.Decoder(_Index)


def _read_frames(spool: Path, decoder: Any) -> Iterator[list[Any]]:
    """Each frame of a spool, decoded with `decoder` (a light view of the entries)."""
    with open(spool, "rb") as file:
        while header := file.read(FRAME_HEADER.size):
            length, _count = FRAME_HEADER.unpack(header)
            yield decoder.decode(file.read(length))


def _entries(spool: Path) -> Iterator[tuple[_Head, _Entry]]:
    for frame in _read_frames(spool, _frames_decoder):
        for entry in frame:
            yield _head_decoder.decode(entry.op), entry


def _hash(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True) or 1


class _Keys:
    """Each family's planner, and the light decoders of the fields they read
    (whole operations for a `ResourcePlanner`)."""

    def __init__(self, intents: IntentRegistry) -> None:
        self.intents = intents
        self.planners: dict[str, KeyPlanner] = {}
        self.placers: dict[str, ResourcePlanner] = {}
        self.decoders: dict[str, msgspec.msgpack.Decoder[Any]] = {}
        self.consulted = False
        for family in intents.families:
            placer = family.resource_planner()
            if placer is not None:
                self.placers[family.name] = placer
                whole = Union[family.operations]  # type: ignore[name-defined]  # noqa: UP007
                self.decoders[family.name] = msgspec.msgpack.Decoder(whole)
                continue
            self.planners[family.name] = family.key_planner()
            fields = family.planning_fields or _Head
            self.decoders[family.name] = msgspec.msgpack.Decoder(fields)

    def consult(self, store: Store | None) -> None:
        if store is not None:
            for placer in self.placers.values():
                placer.consult(*store)
            self.consulted = True

    def place(self, name: str, op: Any, entry: _Entry) -> Placement:
        if not self.consulted:
            return Placement(None)  # nothing known of the store: alone, in run order
        return self.placers[name].place(op, entry.templates)

    def _light(self, head: _Head, entry: _Entry) -> tuple[str, Any, bool]:
        family = self.intents.family_of[head.intent]
        fields = self.decoders[family.name].decode(entry.op)
        key_templated = bool(entry.templates) and any(
            path[0] in family.key_fields for path, _ in entry.templates or ()
        )
        return family.name, fields, key_templated

    def survey(self, head: _Head, entry: _Entry) -> None:
        name, fields, key_templated = self._light(head, entry)
        if name in self.placers:
            self.placers[name].survey(fields, entry.templates)
        else:
            self.planners[name].survey(fields, key_templated, bool(entry.templates))

    def key(self, head: _Head, entry: _Entry, index: int, conflicts: Conflicts) -> int:
        name, fields, _ = self._light(head, entry)
        if name in self.placers:
            placement = self.place(name, fields, entry)
            conflicts.add(index, name, placement)
            return _hash(name, "\x00alone" if placement.key is None else placement.key)
        key = self.planners[name].key(fields, entry.op)
        return _NO_KEY if key is None else _hash(name, key)


@dataclass
class Plan:
    waves: array[int] = field(default_factory=lambda: array("H"))
    keys: array[int] = field(default_factory=lambda: array("q"))
    chunks_per_wave: list[int] = field(default_factory=list)
    ref_index: dict[str, int] = field(default_factory=dict)
    """Operation index of each `_ref` that a later operation reads: chunks read
    those outputs from the logs by primary key."""

    @property
    def chunk_count(self) -> int:
        return sum(self.chunks_per_wave)

    @property
    def wave_count(self) -> int:
        return len(self.chunks_per_wave)

    def first_chunks(self) -> list[int]:
        firsts, total = [], 0
        for count in self.chunks_per_wave:
            firsts.append(total)
            total += count
        return firsts


def plan(spool: Path, chunk_size: int, intents: IntentRegistry, store: Store | None = None) -> Plan:
    """Waves and chunk counts for every operation of a spool (three light passes).
    `store` (connection, tenant id) is what resource planners may read."""
    planners = _Keys(intents)
    for head, entry in _entries(spool):
        planners.survey(head, entry)
    planners.consult(store)
    result = Plan()
    keys = result.keys
    conflicts = Conflicts()
    for index, (head, entry) in enumerate(_entries(spool)):
        keys.append(planners.key(head, entry, index, conflicts))
    repeated = _repeated(keys)
    last_wave: dict[int, int] = {}
    ref_wave: dict[str, int] = {}
    read: set[str] = set()
    sizes: list[int] = []
    for index, (head, entry) in enumerate(_entries(spool)):
        wave = 0
        if entry.templates:
            for _, text in entry.templates:
                for reference in parse_template(text):
                    if reference.ref in ref_wave:  # else a builtin, known from the start
                        wave = max(wave, ref_wave[reference.ref] + 1)
                        read.add(reference.ref)
        key = keys[index]
        wave = max(wave, conflicts.earliest(index, key))
        if key in repeated:
            wave = max(wave, last_wave.get(key, 0))
            last_wave[key] = wave
        elif key == _NO_KEY:
            keys[index] = _hash("op", str(index))
        conflicts.ran(index, key, wave)
        if head.ref is not None:
            ref_wave[str(head.ref)] = wave
        result.waves.append(wave)
        while len(sizes) <= wave:
            sizes.append(0)
        sizes[wave] += 1
    result.chunks_per_wave = [max(1, -(-n // chunk_size)) for n in sizes]
    if read:
        for position, (head, entry) in enumerate(_entries(spool)):
            if head.ref is not None and head.ref in read:
                index = position if entry.index is None else entry.index
                result.ref_index[str(head.ref)] = index
    return result


def _repeated(keys: array[int]) -> set[int]:
    """Keys used by more than one operation: only those need ordering state."""
    repeated: set[int] = set()
    previous = None
    for key in sorted(keys):
        if key == previous and key != _NO_KEY:
            repeated.add(key)
        previous = key
    return repeated


def store_chunks(
    connection: sa.Connection, task_id: str, spool: Path, layout: Plan
) -> Iterator[int]:
    """Write every chunk's entries as frames; yields after each frame (for progress)."""
    chunk_waves = [w for w, n in enumerate(layout.chunks_per_wave) for _ in range(n)]
    firsts = layout.first_chunks()
    per_wave = layout.chunks_per_wave
    sizes = [0] * layout.chunk_count
    buffers: list[list[tuple[int, msgspec.Raw]]] = [[] for _ in range(layout.chunk_count)]
    frames = [0] * layout.chunk_count
    encoder = msgspec.msgpack.Encoder()

    def flush(seq: int) -> None:
        entries = buffers[seq]
        repository.insert_chunk_frame(
            connection, task_id, seq, frames[seq], len(entries), encoder.encode(entries)
        )
        frames[seq] += 1
        buffers[seq] = []

    def chunk(index: int) -> int:
        wave = layout.waves[index]
        return firsts[wave] + layout.keys[index] % per_wave[wave]

    for index in range(len(layout.waves)):
        sizes[chunk(index)] += 1
    repository.insert_chunks(connection, task_id, list(zip(chunk_waves, sizes, strict=True)))
    reordered = is_reordered(spool)
    index = 0
    for frame in _read_frames(spool, _raw_decoder):
        for entry in frame:  # copied as encoded: the runner decodes it
            seq = chunk(index)
            placed = _index_decoder.decode(entry).index if reordered else None
            buffers[seq].append((index if placed is None else placed, entry))
            index += 1
            if len(buffers[seq]) >= FRAME_SIZE:
                flush(seq)
                yield index
    for seq in range(layout.chunk_count):
        if buffers[seq]:
            flush(seq)
