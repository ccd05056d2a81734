"""Configuration, read from the environment once per process by the app factory.

Nothing here runs at import time: callers build a `Settings` where they start
(the CLI entry point, a test fixture), so tests can point at other databases.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import url as sa_url

from geode.db import sqlite_writer
from geode.json_input import DEFAULT_MAX_DEPTH as DEFAULT_MAX_JSON_DEPTH


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
    batch_size: int | None = Field(
        default=None,
        ge=1,
        le=50_000,
        description="Operations the mass-operation engine prepares and writes together "
        "(several batches share a transaction, see commit_every); bounds memory. "
        "Default: see `batch_size_for`.",
    )

    commit_every: int = Field(
        default=4_000,
        ge=1,
        description="Operations per transaction at most: the writer commits several batches "
        "together (or after one second), because a commit costs about as much as writing "
        "a batch.",
    )

    sqlite_writer_process_min_ops: int = Field(
        default=sqlite_writer.MIN_OPERATIONS,
        ge=0,
        description="On SQLite, a mass-operation run with at least this many operations to "
        "go writes from a process of its own, so that preparing batches and writing them "
        "use two cores; smaller runs write from a thread (starting the process costs more "
        "than it saves). 0: always the process.",
    )

    worker_concurrency: int = Field(
        default=1,
        ge=1,
        le=8,
        description="Jobs one worker process runs at once on PostgreSQL (`geode worker "
        "--concurrency` overrides it; `geode serve` uses it for its in-process worker). "
        "At most 8, so the jobs do not run short of the process's database connections: "
        "start more processes for more.",
    )
    massop_chunk_size: int = Field(
        default=25_000,
        ge=100,
        description="On PostgreSQL, a mass-operation task handed to workers with more "
        "operations than this is split into chunks of about this size that several "
        "workers run at once (see massops.planning). 0 is not allowed; set a huge value "
        "to keep every task whole.",
    )
    worker_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="How much `geode worker` lowers its CPU priority, so an API server on "
        "the same machine still answers at once while workers are busy.",
    )
    worker_heartbeat_interval: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between a PostgreSQL worker's heartbeats; keep it well under "
        "worker_stalled_timeout.",
    )
    worker_stalled_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds without a heartbeat after which a worker counts as dead: the "
        "job it held is retried by another worker, from its checkpoint.",
    )
    worker_stalled_check_interval: float = Field(
        default=10.0,
        gt=0,
        description="Seconds between two looks, by every worker, for jobs held by dead workers.",
    )
    worker_poll_interval: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between a worker's polls for jobs. New jobs wake workers at once "
        "(LISTEN/NOTIFY); polling picks up retried jobs and covers lost notifications.",
    )

    max_json_depth: int = Field(
        default=DEFAULT_MAX_JSON_DEPTH,
        ge=10,
        le=128,
        description="How deeply JSON values may nest, counted from the document's root "
        "(a mass-operation file's envelope is level 1, an operation level 3; the deepest "
        "valid input needs 9). Deeper input is refused while it is read, naming the path.",
    )
    max_request_bytes: int = Field(
        default=16 << 20,
        ge=1024,
        description="Largest request body the HTTP API reads (batch POSTs and the like); "
        "a bigger one is answered 413. Mass-operation uploads have their own limit.",
    )
    max_upload_bytes: int = Field(
        default=4 << 30,
        ge=1024,
        description="Largest mass-operation file `POST /api/massops/tasks` accepts; a bigger "
        "one is answered 413 and nothing of it is kept. `geode massop run` has no limit.",
    )

    media_dir: Path | None = Field(
        default=None,
        description="Where files uploaded to Geode (`POST /api/media`, `geode media upload`) "
        "are stored, addressed by their sha256. Default: <data_dir>/media.",
    )
    media_max_bytes: int = Field(
        default=50 << 20,
        ge=1,
        description="Largest media file accepted (50 MiB by default); a bigger one is "
        "answered 413 and nothing of it is kept.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address clients reach this server at, without a trailing slash: "
        "the base of the `url` given for an uploaded file (`<public_url>/media/<key>`).",
    )

    remote_fetch_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated host names (`media.internal`, non-ASCII ones in their "
        "xn-- form), IP addresses or CIDR ranges (`10.1.0.0/16`, `fd00::/8`) that "
        "`fileUpload.uploadFromUrl` may fetch from even though they are private, loopback or "
        "link-local. Empty by default: only public addresses are fetched, so that the "
        "mutation cannot reach services inside the server's network.",
    )
    remote_fetch_public_hosts: bool = Field(
        default=True,
        description="Whether `fileUpload.uploadFromUrl` may fetch from any public host; "
        "false: only from GEODE_REMOTE_FETCH_ALLOWED_HOSTS (none, when that is empty).",
    )
    remote_fetch_timeout: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Seconds `fileUpload.uploadFromUrl` gives one download, redirects "
        "included; its size is capped by media_max_bytes.",
    )

    @property
    def resolved_media_dir(self) -> Path:
        return self.media_dir if self.media_dir is not None else self.data_dir / "media"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'geode.db').resolve()}"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    def batch_size_for(self, dialect: str) -> int:
        """`batch_size`, else the database's default. SQLite: 1,000, because its
        writer process holds a batch too (a 1M-operation run peaked at 245 MB with
        2,000, 225 MB with 1,000, at the same speed). PostgreSQL: 2,000, because
        each batch costs round trips to the server (1M first run: 148.9 s with
        2,000, 166.7 s with 1,000; one run each, on a noisy machine)."""
        if self.batch_size is not None:
            return self.batch_size
        return 2000 if dialect == "postgresql" else 1000

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str | None) -> str | None:
        """Refused here, in words, rather than as an import error of some driver later."""
        if not url:
            return url
        try:
            driver = sa_url.make_url(url).drivername
        except Exception:
            raise ValueError(
                "not a database URL; use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
            ) from None
        if driver not in SUPPORTED_DATABASE_DRIVERS:
            raise ValueError(
                f"Geode stores data in SQLite or PostgreSQL, not {driver!r}; use "
                "sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
            )
        return url

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        """Checked at start, so a typo does not end up in every stored file's URL."""
        parsed = urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(
                "must be an http:// or https:// address such as https://media.example.com"
            )
        if parsed.query or parsed.fragment:
            raise ValueError("must not have a query (?...) or fragment (#...)")
        return url.rstrip("/")

    @field_validator("remote_fetch_allowed_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: object) -> object:
        """`a.example,10.0.0.0/8` from the environment; a list from Python."""
        if isinstance(value, str):
            return [entry for entry in value.split(",") if entry.strip()]
        return value

    @field_validator("remote_fetch_allowed_hosts")
    @classmethod
    def _allowed_hosts(cls, entries: list[str]) -> list[str]:
        """Each entry a host name, an address or a range, written the one way."""
        found = []
        for entry in entries:
            cleaned = entry.strip().lower().rstrip(".")
            try:
                found.append(str(ipaddress.ip_network(cleaned, strict=False)))
                continue
            except ValueError:
                pass
            if not _HOST_NAME.fullmatch(cleaned):
                raise ValueError(
                    f"{entry.strip()!r} is not a host name (media.internal), an IP address "
                    "(10.0.0.5) or a CIDR range (10.0.0.0/8); separate entries with commas "
                    "(no wildcards, no ports, no schemes)"
                )
            found.append(cleaned)
        return found

    @model_validator(mode="after")
    def _heartbeats_within_the_timeout(self) -> Settings:
        """A worker beating less often than the timeout would be taken for dead while
        it works, and its job handed to another worker."""
        if self.worker_heartbeat_interval >= self.worker_stalled_timeout:
            raise ValueError(
                f"GEODE_WORKER_HEARTBEAT_INTERVAL={self.worker_heartbeat_interval:g} must be "
                f"less than GEODE_WORKER_STALLED_TIMEOUT={self.worker_stalled_timeout:g} "
                "(a few heartbeats per timeout)"
            )
        return self


_HOST_NAME = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)(\.(?!-)[a-z0-9_-]{1,63}(?<!-))*")

SUPPORTED_DATABASE_DRIVERS = frozenset(
    {"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"}
)
