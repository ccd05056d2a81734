"""Request bodies streamed to an open file, capped, off the event loop.

Both mass-operation uploads (the REST body, the presigned form's file) arrive in
small chunks: they are gathered into blocks of `WRITE_BYTES` written by a worker
thread, so a slow disk never stalls the server, and refused the moment more than
the limit has arrived, so an oversized upload never fills the disk.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable
from typing import BinaryIO

import anyio.to_thread

WRITE_BYTES = 1 << 20
"""An upload is written to disk in pieces of at most this much."""


async def write_capped(
    out: BinaryIO,
    chunks: AsyncIterable[bytes],
    limit: int,
    too_large: Callable[[int], Exception],
) -> int:
    """Write `chunks` to `out`; raise `too_large(limit)` once more than `limit` bytes
    arrived. Returns the bytes written."""
    pending = bytearray()
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        pending += chunk
        if len(pending) >= WRITE_BYTES:
            await anyio.to_thread.run_sync(out.write, pending)
            pending.clear()
    if pending:
        await anyio.to_thread.run_sync(out.write, pending)
    return size
