"""Splits a validated task into chunks that several workers can run at once.

Two rules keep a parallel run equal to a sequential one:

- **References.** An operation runs in a later *wave* than every operation
  whose `_ref` it reads. Waves are barriers: wave w+1 starts once every chunk
  of wave w is committed, so a chunk reads its references from the logs.
- **Keys.** Operations on the same record (same customer identifier, group
  identifier, order id, ...) land in the same chunk, in file order, so they
  apply in file order; a later one never runs in an earlier wave. Where a
  key is only known once a template is rendered, or two keys could name the
  same order, the whole kind shares one key: correct, if less parallel.

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
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.massops import repository
from geode.massops.schemas import Operation
from geode.massops.spool import FRAME_HEADER, FRAME_SIZE
from geode.massops.templates import parse_template
from geode.orders.schemas import OrderInput
from geode.orders.writer import fingerprint

_KEYED_FIELDS = {"identifier", "id", "resourceIdentifier"}
_NO_KEY = 0


class _Keys(msgspec.Struct):
    """The few fields of an operation planning reads; decoding skips the rest."""

    intent: str
    identifier: Any = None
    id: Any = None
    resourceIdentifier: Any = None
    ref: Any = msgspec.field(default=None, name="_ref")


class _Entry(msgspec.Struct, array_like=True):
    """A `SpoolEntry` with its operation left encoded."""

    op: msgspec.Raw
    templates: list[tuple[list[str | int], str]] | None = None
    documents: dict[str, str] | None = None


_frames_decoder = msgspec.msgpack.Decoder(list[_Entry])
_keys_decoder = msgspec.msgpack.Decoder(_Keys)
_raw_decoder = msgspec.msgpack.Decoder(list[msgspec.Raw])
_op_decoder = msgspec.msgpack.Decoder(Operation)


def _read_frames(spool: Path, decoder: Any) -> Iterator[list[Any]]:
    """Each frame of a spool, decoded with `decoder` (a light view of the entries)."""
    with open(spool, "rb") as file:
        while header := file.read(FRAME_HEADER.size):
            length, _count = FRAME_HEADER.unpack(header)
            yield decoder.decode(file.read(length))


def _entries(spool: Path) -> Iterator[tuple[_Keys, _Entry]]:
    for frame in _read_frames(spool, _frames_decoder):
        for entry in frame:
            yield _keys_decoder.decode(entry.op), entry


def _hash(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True) or 1


@dataclass
class _Kinds:
    """Which kinds of record must share one key (see the module docstring)."""

    customer: bool = False
    group: bool = False
    order_fingerprint: bool = False
    order_by_id: bool = False
    order_by_ri: bool = False
    order_both: bool = False
    order_templated: bool = False

    @property
    def orders_collapsed(self) -> bool:
        return self.order_templated or self.order_both or (self.order_by_id and self.order_by_ri)


def _templated_key(entry: _Entry) -> bool:
    return bool(entry.templates) and any(
        path[0] in _KEYED_FIELDS for path, _ in entry.templates or ()
    )


def _kind(intent: str) -> str:
    if intent.startswith("customer/group/"):
        return "group"
    return "customer" if intent.startswith("customer/") else "order"


def _survey(keys: _Keys, entry: _Entry, kinds: _Kinds) -> None:
    templated = _templated_key(entry)
    kind = _kind(keys.intent)
    if kind == "customer":
        kinds.customer |= templated
    elif kind == "group":
        kinds.group |= templated
    else:
        has_id = keys.id is not None
        has_ri = keys.resourceIdentifier is not None
        if templated:
            kinds.order_templated = True
        elif keys.intent == "order/upsert" and not has_id and not has_ri:
            kinds.order_fingerprint |= bool(entry.templates)
        elif has_id and has_ri:
            kinds.order_both = True
        elif has_id:
            kinds.order_by_id = True
        elif has_ri:
            kinds.order_by_ri = True


def _key(keys: _Keys, entry: _Entry, kinds: _Kinds) -> int:
    kind = _kind(keys.intent)
    if kind == "customer":
        return _hash("customer") if kinds.customer else _hash("customer", str(keys.identifier))
    if kind == "group":
        return _hash("group") if kinds.group else _hash("group", str(keys.identifier))
    has_id = keys.id is not None
    has_ri = keys.resourceIdentifier is not None
    if keys.intent == "order/upsert" and not has_id and not has_ri:
        if kinds.order_fingerprint:
            return _hash("order-fingerprint")
        op = _op_decoder.decode(entry.op)
        assert isinstance(op, OrderInput)
        return _hash("order-fingerprint", fingerprint(op))
    if keys.intent == "order/register" and not has_ri:
        return _NO_KEY  # always a new order: nothing else can touch it in this file
    if kinds.orders_collapsed:
        return _hash("order")
    if has_id:
        return _hash("order-id", str(keys.id))
    return _hash("order-ri", str(keys.resourceIdentifier))


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


def plan(spool: Path, chunk_size: int) -> Plan:
    """Waves and chunk counts for every operation of a spool (three light passes)."""
    kinds = _Kinds()
    for op_keys, entry in _entries(spool):
        _survey(op_keys, entry, kinds)
    result = Plan()
    keys = result.keys
    for op_keys, entry in _entries(spool):
        keys.append(_key(op_keys, entry, kinds))
    repeated = _repeated(keys)
    last_wave: dict[int, int] = {}
    ref_wave: dict[str, int] = {}
    read: set[str] = set()
    sizes: list[int] = []
    for index, (op_keys, entry) in enumerate(_entries(spool)):
        wave = 0
        if entry.templates:
            for _, text in entry.templates:
                for reference in parse_template(text):
                    wave = max(wave, ref_wave[reference.ref] + 1)
                    read.add(reference.ref)
        key = keys[index]
        if key in repeated:
            wave = max(wave, last_wave.get(key, 0))
            last_wave[key] = wave
        elif key == _NO_KEY:
            keys[index] = _hash("op", str(index))
        if op_keys.ref is not None:
            ref_wave[str(op_keys.ref)] = wave
        result.waves.append(wave)
        while len(sizes) <= wave:
            sizes.append(0)
        sizes[wave] += 1
    result.chunks_per_wave = [max(1, -(-n // chunk_size)) for n in sizes]
    if read:
        for index, (op_keys, _) in enumerate(_entries(spool)):
            if op_keys.ref is not None and op_keys.ref in read:
                result.ref_index[str(op_keys.ref)] = index
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
    index = 0
    for frame in _read_frames(spool, _raw_decoder):
        for entry in frame:  # copied as encoded: the runner decodes it
            seq = chunk(index)
            buffers[seq].append((index, entry))
            index += 1
            if len(buffers[seq]) >= FRAME_SIZE:
                flush(seq)
                yield index
    for seq in range(layout.chunk_count):
        if buffers[seq]:
            flush(seq)
