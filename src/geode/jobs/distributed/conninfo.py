"""The libpq connection string Procrastinate needs, from our SQLAlchemy URL."""

from __future__ import annotations

import sqlalchemy as sa
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import Engine


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def libpq_conninfo(database_url: str) -> str:
    """`postgresql+psycopg://u:p@h:5432/db?sslmode=require` → `host=h port=5432 ...`.

    Key/value form, so passwords need no URL escaping; query parameters are
    libpq's own (`sslmode`, `application_name`, a repeated `host`, ...).
    """
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {url.render_as_string()}")
    params: dict[str, str | int | None] = {
        "host": url.host,
        "port": url.port,
        "dbname": url.database,
        "user": url.username,
        "password": url.password,
    }
    for key, value in url.query.items():
        params[key] = ",".join(value) if isinstance(value, tuple) else value
    return make_conninfo("", **{k: v for k, v in params.items() if v is not None})
