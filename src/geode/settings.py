"""Configuration, read from the environment once per process by the app factory.

Nothing here runs at import time: callers build a `Settings` where they start
(the CLI entry point, a test fixture), so tests can point at other databases.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GEODE_", extra="ignore")

    data_dir: Path = Field(
        default=Path(".geode"),
        description="Where the embedded SQLite database and task spools live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to SQLite in data_dir. "
        "Use postgresql+psycopg://... for PostgreSQL.",
    )
    batch_size: int = Field(
        default=2000,
        ge=1,
        le=50_000,
        description="Operations applied per transaction by the mass-operation engine.",
    )

    commit_every: int = Field(
        default=4_000,
        ge=1,
        description="Operations per transaction at most: the writer commits several batches "
        "together (or after one second), because a commit costs about as much as writing "
        "a batch.",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'geode.db').resolve()}"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"
