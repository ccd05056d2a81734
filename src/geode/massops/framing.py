"""Cut a mass-operation file into chunks of whole operations, without parsing it.

This is what lets several processes validate one file. It only handles the
common layout, `{"version": "...", "operations": [ {...}, {...} ]}`, and it
never has to be right by luck: a cut is only a candidate until a worker parses
`[chunk]`. A cut inside a string leaves that string unterminated, and a cut
inside a nested object leaves brackets unbalanced, so a chunk that parses was
cut between top-level operations. Anything else raises `NotFramed`, and the
caller validates the file the slow, general way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

import msgspec

_HEAD = re.compile(rb'\A\s*\{\s*"version"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"operations"\s*:\s*\[\s*')
_WHITESPACE = b" \t\r\n"
HEAD_LIMIT = 4096
MAX_TRIES = 64
_raws = msgspec.json.Decoder(list[msgspec.Raw])


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class NotFramed(Exception):
    """The file's layout is not the simple one; validate it sequentially."""


class Framer:
    def __init__(self, stream: Readable, chunk_size: int = 4 << 20) -> None:
        self.stream = stream
        self.chunk_size = chunk_size
        head = stream.read(max(chunk_size, HEAD_LIMIT))
        match = _HEAD.match(head)
        if match is None:
            raise NotFramed("the file does not start with version then operations")
        self.version_literal: bytes = match.group(1)
        self._buffer = head[match.end() :]
        self.total = 0

    def chunks(self) -> Iterator[tuple[bytes, int]]:
        """(chunk, index of its first operation); a chunk is `{op},{op},...,{op}`.
        `total` counts the operations yielded so far."""
        for chunk, count in self._counted():
            yield chunk, self.total
            self.total += count

    def _counted(self) -> Iterator[tuple[bytes, int]]:
        buffer = self._buffer
        while True:
            more = self.stream.read(self.chunk_size)
            if not more:
                break
            buffer += more
            cut = _last_boundary(buffer)
            if cut is None:
                continue  # one operation larger than a chunk: read on
            end, start, count = cut
            yield buffer[:end], count
            buffer = buffer[start:]
        for chunk in _tail(buffer):
            yield chunk, _count(chunk)


def _count(chunk: bytes) -> int:
    try:
        return len(_raws.decode(b"[" + chunk + b"]"))
    except (msgspec.DecodeError, RecursionError) as exc:
        raise NotFramed(str(exc)) from None


def _last_boundary(buffer: bytes) -> tuple[int, int, int] | None:
    """(end of an operation, start of the next, operations before) for the last
    `}` `,` `{` in buffer that proves to lie between top-level operations
    (candidates inside an operation, between cart lines say, do not parse)."""
    position = len(buffer)
    tries = 0
    while (close := buffer.rfind(b"}", 0, position)) >= 0:
        position = close
        after = _skip_whitespace(buffer, close + 1)
        if after < len(buffer) and buffer[after] == ord(","):
            start = _skip_whitespace(buffer, after + 1)
            if start < len(buffer) and buffer[start] == ord("{"):
                try:
                    return close + 1, start, len(_raws.decode(b"[" + buffer[: close + 1] + b"]"))
                except (msgspec.DecodeError, RecursionError):
                    tries += 1
                    if tries >= MAX_TRIES:
                        raise NotFramed("no provable boundary between operations") from None
    return None


def _skip_whitespace(buffer: bytes, position: int) -> int:
    while position < len(buffer) and buffer[position] in _WHITESPACE:
        position += 1
    return position


def _tail(buffer: bytes) -> Iterator[bytes]:
    """The last operations, then the envelope must close: `]` then `}`."""
    body = buffer.rstrip(_WHITESPACE)
    if not body.endswith(b"}"):
        raise NotFramed("the file does not end with the envelope's closing brace")
    body = body[:-1].rstrip(_WHITESPACE)
    if not body.endswith(b"]"):
        raise NotFramed("other keys follow the operations")
    body = body[:-1].rstrip(_WHITESPACE)
    if body:
        yield body
