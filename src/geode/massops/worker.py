"""Validation worker processes: `python -m geode.massops.worker`.

Plain subprocesses speaking length-prefixed msgpack over their pipes, rather
than multiprocessing: they import only what checking a chunk needs, and work
whatever the calling program's `__main__` looks like. What they need of the
intent families is their schemas (`massops.intents.IntentSchemas`, at the
registry's `locator`), not the families themselves, whose modules import
SQLAlchemy, the driver and every writer: a worker holds about 24 MB once loaded
(27 MB after checking chunks), against 65-76 MB with the full registry and 80 MB
for a re-import of the CLI (`tests/massops/test_worker.py`).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

import msgspec

from geode.json_input import DEFAULT_MAX_DEPTH
from geode.massops.chunks import ChunkReport, validate_chunk
from geode.massops.intents import load_registry
from geode.pipes import read_message, write_message

_request = msgspec.msgpack.Decoder(tuple[bytes, int])
_report = msgspec.msgpack.Decoder(ChunkReport)
_encoder = msgspec.msgpack.Encoder()


class WorkerFailed(Exception):
    """A worker died or answered nonsense; the caller validates sequentially."""


class WorkerPool:
    """N workers, one request outstanding each, answers read in request order."""

    def __init__(self, count: int, locator: str, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        """`locator`: where each worker imports the intent registry from."""
        self._workers = [
            subprocess.Popen(
                [sys.executable, "-m", "geode.massops.worker", locator, str(max_depth)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            for _ in range(count)
        ]

    def map(self, chunks: Iterator[tuple[bytes, int]]) -> Iterator[ChunkReport]:
        """Reports for (chunk, start) pairs, in order."""
        busy: list[bool] = [False] * len(self._workers)
        turn = 0
        for chunk, start in chunks:
            worker = self._workers[turn]
            if busy[turn]:
                yield self._answer(worker)
            assert worker.stdin is not None
            try:
                write_message(worker.stdin, _encoder.encode((chunk, start)))
            except OSError as exc:
                raise WorkerFailed(str(exc)) from None
            busy[turn] = True
            turn = (turn + 1) % len(self._workers)
        for _ in range(len(self._workers)):
            if busy[turn]:
                yield self._answer(self._workers[turn])
                busy[turn] = False
            turn = (turn + 1) % len(self._workers)

    def _answer(self, worker: subprocess.Popen[bytes]) -> ChunkReport:
        assert worker.stdout is not None
        payload = read_message(worker.stdout)
        if payload is None:
            raise WorkerFailed(f"validation worker exited with {worker.poll()}")
        return _report.decode(payload)

    def close(self, *, abandon: bool = False) -> None:
        """`abandon`: the pass stopped early; the answers still coming are not wanted."""
        if abandon:
            for worker in self._workers:
                worker.kill()
        for worker in self._workers:
            if worker.stdin is not None:
                with contextlib.suppress(OSError):  # killed with bytes still buffered
                    worker.stdin.close()
        for worker in self._workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    intents = load_registry(sys.argv[1])
    max_depth = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_MAX_DEPTH
    while (payload := read_message(stdin)) is not None:
        chunk, start = _request.decode(payload)
        write_message(stdout, _encoder.encode(validate_chunk(chunk, start, intents, max_depth)))


if __name__ == "__main__":
    main()
