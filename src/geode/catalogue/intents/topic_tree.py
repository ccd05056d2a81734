"""The tenant's topic tree as one batch sees it: stored rows, overlaid with the
rows of batches not committed yet, then with this batch's own changes.

Topic trees are small (hundreds to a few thousand nodes) and a topic's paths
depend on every ancestor's name, while moving or renaming a topic changes
every descendant's paths: so the first topic operation of a batch reads the
whole tree (two queries), and paths are rebuilt in memory. Items only ask
whether topics exist (`exists`, `prefetch_ids`), which reads just those ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from geode.catalogue import models
from geode.catalogue.queries import existing_topic_ids
from geode.db import bulk
from geode.db.base import table_of

Row = dict[str, Any]


@dataclass
class TopicState:
    """A topic's row (columns of `topics`) and its names: language -> (name, path)."""

    row: Row
    names: dict[str, tuple[str, str]] = field(default_factory=dict)

    def copy(self) -> TopicState:
        return TopicState(dict(self.row), dict(self.names))


class TopicPending:
    """Topic states written by batches not committed yet (None: deleted); see
    geode.pending, which this mirrors with iteration, since a batch loading the
    tree overlays every pending topic, not only the ones it names."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, TopicState | None]] = {}
        self._keys: dict[int, list[str]] = {}

    def get(self, topic_id: str) -> tuple[bool, TopicState | None]:
        """(whether a pending batch wrote it, its state then)."""
        entry = self._entries.get(topic_id)
        return (False, None) if entry is None else (True, entry[1])

    def entries(self) -> Iterator[tuple[str, TopicState | None]]:
        for topic_id, (_, state) in self._entries.items():
            yield topic_id, state

    def put(self, batch: int, topic_id: str, state: TopicState | None) -> None:
        self._entries[topic_id] = (batch, state)
        self._keys.setdefault(batch, []).append(topic_id)

    def committed(self, batch: int) -> None:
        for done in [b for b in self._keys if b <= batch]:
            for key in self._keys.pop(done):
                entry = self._entries.get(key)
                if entry is not None and entry[0] <= batch:
                    del self._entries[key]


TOPICS = table_of(models.Topic)
TOPIC_NAMES = table_of(models.TopicName)
ITEM_TOPICS = table_of(models.ItemTopic)


class TopicIds:
    """Which topic ids exist, for a batch that does not load the tree (items)."""

    def __init__(self, connection: sa.Connection, tenant_id: str, pending: TopicPending) -> None:
        self.connection = connection
        self.tenant_id = tenant_id
        self.pending = pending
        self.known: dict[str, bool] = {}

    def prefetch(self, topic_ids: Iterable[str]) -> None:
        wanted = []
        for topic_id in set(topic_ids):
            if topic_id in self.known:
                continue
            written, state = self.pending.get(topic_id)
            if written:
                self.known[topic_id] = state is not None
            else:
                wanted.append(topic_id)
        for chunk in bulk.chunked(wanted):
            found = existing_topic_ids(self.connection, self.tenant_id, chunk)
            for topic_id in chunk:
                self.known[topic_id] = topic_id in found

    def exists(self, topic_id: str) -> bool:
        if topic_id not in self.known:
            self.prefetch([topic_id])
        return self.known[topic_id]


def load_tree(
    connection: sa.Connection, tenant_id: str, pending: TopicPending
) -> dict[str, TopicState]:
    """Every topic of the tenant as the batch sees it (stored, then pending)."""
    tree: dict[str, TopicState] = {}
    for row in connection.execute(sa.select(TOPICS).where(TOPICS.c.tenant_id == tenant_id)):
        tree[row.id] = TopicState(dict(row._mapping))
    names = sa.select(TOPIC_NAMES).where(TOPIC_NAMES.c.tenant_id == tenant_id)
    for row in connection.execute(names):
        state = tree.get(row.topic_id)
        if state is not None:
            state.names[row.language] = (row.name, row.path)
    for topic_id, pending_state in pending.entries():
        if pending_state is None:
            tree.pop(topic_id, None)
        else:
            tree[topic_id] = pending_state.copy()
    return tree
