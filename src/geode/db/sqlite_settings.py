"""How every SQLite connection of Geode is set up, in the engine's pool and in
the writer process alike (standard library only, for the latter)."""

from __future__ import annotations

import sqlite3

BUSY_TIMEOUT_SECONDS = 60
PRAGMAS = (
    # WAL + NORMAL: a killed process never loses a committed transaction.
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}",
    "PRAGMA cache_size=-8192",
)


def configure(connection: sqlite3.Connection) -> None:
    # Let the caller, not the driver, decide when transactions begin.
    connection.isolation_level = None
    cursor = connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()
