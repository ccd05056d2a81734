"""The app factory: settings, engine and services, built once per process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from geode.assembly.batch_types import default_handlers
from geode.assembly.dispatch import Dispatcher, NoWorkers
from geode.assembly.intents import intent_registry
from geode.batches.handler import BatchHandler
from geode.batches.service import BatchJobService
from geode.catalogue.usage import catalogue_usage
from geode.db.engine import create_engine
from geode.db.migrate import ensure_schema
from geode.massops.service import MassOperationService
from geode.media.store import MediaStore
from geode.settings import Settings
from geode.tenants.settings import SettingUsage


@dataclass
class App:
    settings: Settings
    engine: Engine
    massops: MassOperationService
    batches: BatchJobService = field(init=False)
    media: MediaStore = field(init=False)
    dispatcher: Dispatcher = field(default_factory=NoWorkers)
    # Who uses a language, VAT type, price variant or stock location: asked before
    # `tenant configure` removes one (the catalogue's are wired where the app is built).
    setting_usages: list[SettingUsage] = field(default_factory=list)

    def close(self) -> None:
        self.engine.dispose()


def create_app(
    settings: Settings | None = None,
    *,
    migrate: bool = True,
    handlers: Mapping[str, BatchHandler] | None = None,
) -> App:
    """`handlers` replaces the seven batch types (tests plug a fake in here)."""
    settings = settings or Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.resolved_database_url)
    if migrate:
        ensure_schema(engine)

    # Late-bound: a server or `massop submit` attaches its dispatcher after the app is built.
    def enqueue_task(task_id: str) -> None:
        app.dispatcher.enqueue_massop_task(task_id)

    def enqueue_job(job_id: int) -> None:
        app.dispatcher.enqueue_batch_job(job_id)

    app = App(
        settings=settings,
        engine=engine,
        massops=MassOperationService(
            engine,
            intent_registry,
            settings.spool_dir,
            settings.batch_size_for(engine.dialect.name),
            settings.commit_every,
            enqueue_task,
        ),
    )
    app.massops.writer_process_min_ops = settings.sqlite_writer_process_min_ops
    app.massops.max_json_depth = settings.max_json_depth
    if engine.dialect.name == "postgresql":
        # Only there can several workers write at once; SQLite runs tasks whole.
        app.massops.chunk_size = settings.massop_chunk_size
    app.batches = BatchJobService(engine, handlers or default_handlers, enqueue_job)
    app.setting_usages.append(catalogue_usage)
    app.media = MediaStore(settings.resolved_media_dir, settings.media_max_bytes)
    return app
