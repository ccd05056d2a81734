"""The app factory: settings, engine and services, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from geode.db.engine import create_engine
from geode.db.migrate import ensure_schema
from geode.massops.service import MassOperationService
from geode.settings import Settings


@dataclass
class App:
    settings: Settings
    engine: Engine
    massops: MassOperationService

    def close(self) -> None:
        self.engine.dispose()


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> App:
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.resolved_database_url)
    if migrate:
        ensure_schema(engine)
    return App(
        settings=settings,
        engine=engine,
        massops=MassOperationService(
            engine, settings.spool_dir, settings.batch_size, settings.commit_every
        ),
    )
