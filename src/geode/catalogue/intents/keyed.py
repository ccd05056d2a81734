"""Catalogue records kept one row per identifier (pieces, shapes, flows, flow
stages, price lists): the batch's writer for such a table, what `{{ ref.field }}`
reads from their operations, and create/update/upsert mapped onto the writer, so
each kind states only its values and checks.
"""

from __future__ import annotations

from typing import Any

from geode.catalogue.intents.kinds import NAMED_OUTPUT
from geode.db.base import Base, table_of
from geode.db.keyed_writer import IdentifierKeyedWriter, Row
from geode.massops.intents import BatchContext
from geode.outcomes import Applied
from geode.pending import Pending

__all__ = ["NAMED_OUTPUT", "keyed_writer", "named_output", "write_keyed"]


def named_output(row: Row) -> dict[str, Any]:
    return {"identifier": row["identifier"], "name": row["name"]}


def keyed_writer(
    context: BatchContext, model: type[Base], noun: str, pending: Pending[Row], **defaults: Any
) -> IdentifierKeyedWriter:
    """The batch's writer for `model`'s table; `defaults` fill the columns an
    operation leaves out when it creates a row."""
    return IdentifierKeyedWriter(
        context.connection,
        table_of(model),
        context.tenant_id,
        context.now,
        noun=noun,
        defaults=defaults,
        output=named_output,
        pending=pending,
    )


def write_keyed(writer: IdentifierKeyedWriter, op: Any, identifier: str, values: Row) -> Applied:
    """`create`, `update` or `upsert` the row, as the operation's intent says."""
    action = op.__struct_config__.tag.rpartition("/")[2]
    if action == "create":
        return writer.create(identifier, values)
    if action == "update":
        return writer.update(identifier, values)
    assert action == "upsert", action
    return writer.upsert(identifier, values)
