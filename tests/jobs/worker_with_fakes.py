"""`geode worker` exactly as the CLI runs it, with the gated `widgets` batch type as the
only batch type: `python -m tests.jobs.worker_with_fakes worker [--concurrency N]`."""

from __future__ import annotations

import geode.app
from geode.cli.app import main
from tests.jobs.fakes import gated_handlers

if __name__ == "__main__":
    geode.app.default_handlers = gated_handlers  # what create_app() serves by default
    main()
