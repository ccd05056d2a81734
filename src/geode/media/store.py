"""Files on disk, addressed by the sha256 of their bytes.

`<media dir>/<tenant id>/<first 2 hex>/<sha256 hex>`: the same bytes uploaded
twice are stored once (per tenant, so one tenant's uploads reveal nothing of
another's, and a tenant's files can be removed with it). A file is written to
`<media dir>/.incoming/` first, streamed piece by piece while its sha256 is
computed, then renamed into place once complete and flushed to disk: a crash
leaves no half file in the store, only an incoming file, which `clean_incoming`
removes (a live upload holds a lock on its file, so a second server sharing the
directory keeps its uploads in flight).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import anyio.to_thread

from geode.errors import InvalidInputError, PayloadTooLargeError, UnsupportedFileTypeError
from geode.leftovers import remove_unlocked
from geode.media.sniff import ALLOWED_NAMES, SNIFF_BYTES, FileType, sniff

WRITE_BYTES: Final = 1 << 20
"""Bytes gathered before each write to disk (bounds memory per upload)."""

INCOMING: Final = ".incoming"


@dataclass
class Received:
    """A complete file in the incoming directory, not yet in the store. It holds the
    file's lock (`lock`, a descriptor) until `MediaStore.keep` or `discard`."""

    path: Path
    sha256: str
    size: int
    type: FileType
    lock: int | None = field(default=None, repr=False, compare=False)
    kept: bool = field(default=False, repr=False, compare=False)

    def release(self) -> None:
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None

    @property
    def stored_path(self) -> str:
        """Its place in the store, relative to the media directory (without the tenant)."""
        return f"{self.sha256[:2]}/{self.sha256}"


class MediaStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    @property
    def incoming_dir(self) -> Path:
        return self.root / INCOMING

    def path_of(self, stored_path: str) -> Path:
        """The file of an `images.stored_path` (`<tenant id>/<2 hex>/<sha256>`)."""
        return self.root / stored_path

    async def receive(
        self, chunks: AsyncIterable[bytes], declared_type: str | None = None
    ) -> Received:
        """Stream `chunks` to an incoming file. Refused, leaving nothing behind: more
        than `max_bytes` (413), an empty file, or bytes that are not an allowed image
        or video (415; `declared_type`, what the client said, is only quoted)."""
        incoming = Incoming(self.incoming_dir, self.max_bytes, declared_type)
        try:
            pending = bytearray()
            async for chunk in chunks:
                incoming.check(chunk)
                pending += chunk
                if len(pending) >= WRITE_BYTES:
                    await anyio.to_thread.run_sync(incoming.write, bytes(pending))
                    pending.clear()
            if pending:
                await anyio.to_thread.run_sync(incoming.write, bytes(pending))
            return await anyio.to_thread.run_sync(incoming.finish)
        except BaseException:
            incoming.discard()
            raise

    def keep(self, received: Received, tenant_id: str) -> str:
        """Move a received file into the store; returns its `stored_path`. Bytes the
        store already holds are not written twice."""
        stored_path = f"{tenant_id}/{received.stored_path}"
        target = self.path_of(stored_path)
        try:
            if target.exists():
                received.path.unlink(missing_ok=True)
                received.kept = True
                return stored_path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(received.path, target)
            received.kept = True
            _sync_directory(target.parent)
        finally:
            received.release()
        return stored_path

    def discard(self, received: Received) -> None:
        """Drop a received file that will not be kept (once kept, this does nothing)."""
        if not received.kept:
            received.path.unlink(missing_ok=True)
        received.release()

    def clean_incoming(self) -> list[Path]:
        """Remove incoming files no live upload holds (left by a crash); returns them."""
        return remove_unlocked(self.incoming_dir, "incoming-*")


class Incoming:
    """One file being received: bytes counted and checked as they arrive (`check`,
    on the event loop, so a refusal comes before anything more is read), written and
    hashed in a worker thread (`write`)."""

    def __init__(self, directory: Path, max_bytes: int, declared_type: str | None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=directory, prefix="incoming-")
        fcntl.flock(handle, fcntl.LOCK_EX)  # held until the file is closed: see clean_incoming
        self.path = Path(name)
        self.file = os.fdopen(handle, "wb")
        self.max_bytes = max_bytes
        self.declared_type = declared_type
        self.size = 0
        self.head = b""
        self.type: FileType | None = None
        self.hash = hashlib.sha256()

    def check(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise PayloadTooLargeError(
                f"file: the file is larger than {self.max_bytes} bytes, the most this server "
                "accepts (GEODE_MEDIA_MAX_BYTES)",
                detail={"path": "file", "maxBytes": self.max_bytes},
            )
        if self.type is None and len(self.head) < SNIFF_BYTES:
            self.head += chunk[: SNIFF_BYTES - len(self.head)]
            if len(self.head) >= SNIFF_BYTES:
                self.type = self._decide()

    def write(self, data: bytes) -> None:
        self.hash.update(data)
        self.file.write(data)

    def finish(self) -> Received:
        if self.size == 0:
            raise InvalidInputError(
                "file: the file is empty; send the image or video itself",
                detail={"path": "file", "size": 0},
            )
        kind = self.type or self._decide()
        self.file.flush()
        os.fsync(self.file.fileno())
        lock = os.dup(self.file.fileno())  # the lock outlives the file object
        self.file.close()
        return Received(self.path, self.hash.hexdigest(), self.size, kind, lock)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        self.path.unlink(missing_ok=True)

    def _decide(self) -> FileType:
        found = sniff(self.head)
        if found is None:
            said = f" (sent as {self.declared_type})" if self.declared_type else ""
            raise UnsupportedFileTypeError(
                f"file: the file{said} is not a {ALLOWED_NAMES} file, judging by its first "
                "bytes; only those images and videos are stored (SVG is refused: it can "
                "carry scripts)",
                detail={"path": "file", "declaredType": self.declared_type},
            )
        return found


def _sync_directory(directory: Path) -> None:
    """Make a rename durable (the directory entry, not only the file's bytes)."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
