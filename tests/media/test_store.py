"""The store on disk: streamed, content-addressed, all or nothing."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import anyio
import pytest

from geode.errors import InvalidInputError, PayloadTooLargeError, UnsupportedFileTypeError
from geode.media.store import MediaStore, Received
from tests.media import samples


async def _chunks(pieces: Iterable[bytes], read: list[int]) -> AsyncIterator[bytes]:
    for piece in pieces:
        read.append(len(piece))
        yield piece


def receive(store: MediaStore, *pieces: bytes, read: list[int] | None = None) -> Received:
    async def go() -> Received:
        return await store.receive(_chunks(pieces, read if read is not None else []))

    return anyio.run(go)


def files(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


def test_a_file_is_streamed_hashed_and_moved_into_place(tmp_path: Path) -> None:
    store = MediaStore(tmp_path / "media", 10 << 20)
    data = samples.jpeg(3 << 20)  # over the 1 MiB write buffer: written in pieces
    received = receive(store, *(data[i : i + 65536] for i in range(0, len(data), 65536)))
    assert (received.size, received.type.content_type) == (len(data), "image/jpeg")
    assert received.path.parent == store.incoming_dir
    sha = hashlib.sha256(data).hexdigest()
    assert received.sha256 == sha
    stored_path = store.keep(received, "tenant1")
    assert stored_path == f"tenant1/{sha[:2]}/{sha}"
    assert store.path_of(stored_path).read_bytes() == data
    assert files(store.incoming_dir) == []


def test_the_same_bytes_are_stored_once(tmp_path: Path) -> None:
    store = MediaStore(tmp_path, 1 << 20)
    first = store.keep(receive(store, samples.png()), "t")
    again = receive(store, samples.png())
    assert store.keep(again, "t") == first
    assert not again.path.exists()
    assert files(tmp_path) == [first]


def test_too_big_is_refused_while_it_comes_and_nothing_is_left(tmp_path: Path) -> None:
    store = MediaStore(tmp_path, 1000)
    read: list[int] = []
    with pytest.raises(PayloadTooLargeError) as refused:
        receive(store, samples.jpeg(600)[:600], bytes(600), bytes(600), bytes(600), read=read)
    assert refused.value.detail == {"path": "file", "maxBytes": 1000}
    assert len(read) == 2  # the stream was not read to its end
    assert files(tmp_path) == []


def test_a_file_exactly_at_the_limit_is_taken(tmp_path: Path) -> None:
    data = samples.jpeg(1000)[:1000]
    assert receive(MediaStore(tmp_path, 1000), data).size == 1000


@pytest.mark.parametrize("data", [samples.SVG, samples.HTML, samples.ZIP + bytes(1000)])
def test_not_an_allowed_kind_is_refused_from_its_first_bytes(tmp_path: Path, data: bytes) -> None:
    store = MediaStore(tmp_path, 1 << 20)
    read: list[int] = []
    with pytest.raises(UnsupportedFileTypeError) as refused:
        receive(store, data, bytes(5000), bytes(5000), read=read)
    assert refused.value.code == "unsupported_file_type"
    assert read == [len(data)]
    assert files(tmp_path) == []


def test_a_short_file_is_judged_by_what_there_is(tmp_path: Path) -> None:
    store = MediaStore(tmp_path, 1 << 20)
    assert receive(store, samples.GIF[:10], samples.GIF[10:]).type.content_type == "image/gif"
    with pytest.raises(UnsupportedFileTypeError):
        receive(store, b"GIF")


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        receive(MediaStore(tmp_path, 1 << 20))
    assert files(tmp_path) == []


def test_clean_incoming_removes_leftovers_but_not_uploads_in_flight(tmp_path: Path) -> None:
    store = MediaStore(tmp_path, 1 << 20)
    store.incoming_dir.mkdir(parents=True)
    left = store.incoming_dir / "incoming-crashed"
    left.write_bytes(b"half")
    live = store.incoming_dir / "incoming-live"
    live.write_bytes(b"coming")
    descriptor = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        assert store.clean_incoming() == [left]
        assert live.exists()
    finally:
        os.close(descriptor)
