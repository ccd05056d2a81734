"""Record ids: 24 lowercase hex characters, like the platform we import from."""

from __future__ import annotations

import os
import re

ID_PATTERN = r"^[0-9a-f]{24}$"
_ID_RE = re.compile(ID_PATTERN)


def new_id() -> str:
    return os.urandom(12).hex()


def is_id(value: str) -> bool:
    return _ID_RE.match(value) is not None
