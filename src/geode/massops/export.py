"""Write operations as a mass-operation file (a family's `export` streams them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from geode.jsontext import encode_for_file


def write_file(out: IO[bytes], operations: Iterator[Any]) -> int:
    out.write(b'{"version": "0.0.1", "operations": [\n')
    count = 0
    for op in operations:
        if count:
            out.write(b",\n")
        out.write(encode_for_file(op))
        count += 1
    out.write(b"\n]}\n")
    return count
