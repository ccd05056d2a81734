"""How a tenant's tokens (access-token secrets, static tokens) are stored: hashed."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    """Tokens are 256-bit random: a fast hash is enough (no dictionary to guard against)."""
    return hashlib.sha256(token.encode()).hexdigest()
