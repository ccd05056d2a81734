"""Record ids: 24 lowercase hex characters, like the platform we import from."""

from __future__ import annotations

import itertools
import os
import re
import time

ID_PATTERN = r"^[0-9a-f]{24}$"
_ID_RE = re.compile(ID_PATTERN)


_PROCESS = os.urandom(5)
_COUNTER = itertools.count(int.from_bytes(os.urandom(3)))


def new_id() -> str:
    """ObjectId layout: 4-byte seconds, 5 random bytes per process, 3-byte counter.

    Ids made close in time sort close together, so bulk inserts append to the
    primary-key index instead of landing on random pages of it.
    """
    count = next(_COUNTER) & 0xFFFFFF
    return (int(time.time()).to_bytes(4, "big") + _PROCESS + count.to_bytes(3, "big")).hex()


def is_id(value: str) -> bool:
    return _ID_RE.match(value) is not None
