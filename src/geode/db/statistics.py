"""Keep PostgreSQL's planner statistics up to date while a bulk run grows tables.

The planner picks indexes from statistics that only `ANALYZE` refreshes. With
autovacuum off (as on some hosts), or simply slower than a bulk import, a table
that grew from nothing to a million rows still looks empty: lookups of a
batch's keys then scan every row of the tenant instead of probing the primary
key, so each batch gets slower as the table grows (measured: 1.1 s a lookup
at 800,000 orders, against 0.1 s once analyzed). PostgreSQL's own advice for
bulk loads is to analyze afterwards; a run that reads what it wrote must do so
along the way. Tables are analyzed each time the rows written to them since
the last analyze reach what the run had written by then (at least
`min_rows`): 1k, 2k, 4k... rows, about log2(rows) cheap, sampled analyzes.

A table is also analyzed after the first commit that writes to it, however few
its rows. Foreign-key checks are lookups too, planned once per connection and
kept until the next analyze: on a table never analyzed, `SELECT ... WHERE
tenant_id = $1 AND id = $2` takes the first index that starts with `tenant_id`
(the children index of items or topics, say) and filters every row of the
tenant. Measured on a 40k-operation catalogue file: the items' versions, paths,
topics and variants spent 30 of the run's 50 s in those checks, growing with
every batch; the topics table (200 rows) never reached a threshold at all.
Counting the run's own rows, not the table's, matters: a tenant new to a big
table has no share in its statistics, the planner then takes any index that
starts with `tenant_id` as good as the primary key, and picks wrong.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)


class TableStatistics:
    def __init__(self, engine: Engine, tables: Iterable[str], *, min_rows: int = 1_000) -> None:
        self.engine = engine
        self.enabled = engine.dialect.name == "postgresql"
        self.tables = frozenset(tables)
        self.min_rows = min_rows
        self._written: Counter[str] = Counter()  # by this run, since the last analyze
        self._analyzed: Counter[str] = Counter()  # by this run, up to the last analyze

    def wrote(self, table: str, rows: int) -> None:
        if self.enabled and table in self.tables:
            self._written[table] += rows

    def refresh(self) -> list[str]:
        """Analyze the tables that grew enough; call after a commit, outside a
        transaction. Returns the tables analyzed."""
        if not self.enabled:
            return []
        due = [
            table
            for table, rows in self._written.items()
            if table not in self._analyzed or rows >= max(self.min_rows, self._analyzed[table])
        ]
        return self._analyze(due)

    def refresh_stale(self) -> list[str]:
        """Before a run reads the tables: analyze those whose live rows (the
        server's running count) passed twice what their statistics say."""
        if not self.enabled:
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT c.relname, c.reltuples, s.n_live_tup FROM pg_class c "
                    "JOIN pg_stat_user_tables s ON s.relid = c.oid "
                    "WHERE c.oid = ANY(CAST(:names AS regclass[]))"
                ),
                {"names": sorted(self.tables)},
            ).all()
        stale = [
            name
            for name, tuples, live in rows
            if live >= self.min_rows and live > 2 * max(float(tuples), 0.0)
        ]
        return self._analyze(stale)

    def _analyze(self, tables: Iterable[str]) -> list[str]:
        done = []
        for table in tables:
            try:
                with self.engine.begin() as connection:
                    # Another worker analyzing the same table holds its lock:
                    # its statistics will do, so do not queue behind it.
                    connection.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
                    connection.execute(sa.text(f"ANALYZE {table}"))
            except sa.exc.OperationalError as exc:
                log.info("skipped ANALYZE %s: %s", table, str(exc).splitlines()[0])
                continue
            self._analyzed[table] += self._written.pop(table, 0)
            done.append(table)
        return done
