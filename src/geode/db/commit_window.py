"""When a writer that groups consecutive batches into one transaction commits.

A commit costs about as much as writing 2,000 operations (WAL sync and
checkpoint), so writers keep one transaction open across batches, up to a
number of operations or an age, whichever comes first. Every batch moves its
checkpoint inside that transaction, so whatever commits, commits whole.
"""

from __future__ import annotations

import time


class CommitWindow:
    def __init__(self, max_operations: int, max_seconds: float) -> None:
        self.max_operations = max_operations
        self.max_seconds = max_seconds
        self.began = time.monotonic()
        self.operations = 0

    def add(self, operations: int) -> float | None:
        """Count a written batch; return how long to wait for the next one
        before committing, or None if it is time to commit now."""
        self.operations += operations
        remaining = self.max_seconds - (time.monotonic() - self.began)
        if self.operations >= self.max_operations or remaining <= 0:
            return None
        return remaining
