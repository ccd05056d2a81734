"""Apply one operation now, on the caller's connection: the APIs' way in.

A GraphQL mutation is one operation of a mass-operation file: the front door
turns its input into the intent's fields, and this module checks them with the
file's own checks (the same messages, a path per field) and applies them
through the intent's family (the same writer). So a file and an API call that
ask for the same thing behave the same; nothing here is intent-specific.

Nothing is committed here: the caller's transaction holds the write. Templates
(`{{ ref.field }}`) mean nothing outside a file, so a value holding `{{` is
taken as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
import sqlalchemy as sa

from geode.db import bulk
from geode.errors import InvalidInputError
from geode.massops.checks import check_operation
from geode.massops.intents import BatchContext, IntentRegistry
from geode.massops.problems import Problem, operation_path
from geode.outcomes import Applied
from geode.timestamps import utcnow

_FILE_PREFIX = operation_path(0)


def decode_operation(
    fields: Mapping[str, Any], intents: IntentRegistry, *, where: str = "input"
) -> Any:
    """The typed operation of `fields` (a file's operation as parsed JSON, `intent`
    included), or `InvalidInputError` naming every problem; each problem's path
    starts at `where` instead of a file's `$.operations[0]`."""
    checked = check_operation(0, dict(fields), intents)
    if checked.op is None or checked.problems:
        problems = [_located(problem, where) for problem in checked.problems]
        raise InvalidInputError(_summary(problems), detail=[p.as_dict() for p in problems])
    return checked.op


def convert_operation(
    op_type: type[Any], fields: Mapping[str, Any], *, where: str = "input"
) -> Any:
    """`fields` as `op_type`, one of an intent's structs or a variant of one that a
    front door accepts (a product created without variants); problems as above."""
    try:
        return msgspec.convert(dict(fields), op_type)
    except msgspec.ValidationError as exc:
        text = str(exc)
        path = where
        marker = " - at `$"
        if marker in text:
            text, _, at = text.partition(marker)
            path = where + at.rstrip("`")
        problem = Problem(None, None, path, text, "invalid_value")
        raise InvalidInputError(_summary([problem]), detail=[problem.as_dict()]) from None


def apply_operation(
    connection: sa.Connection, tenant_id: str, intents: IntentRegistry, op: Any
) -> Applied:
    """Apply `op` (decoded by `decode_operation`) and write its effect on `connection`.

    Raises `OperationFailed` as a file's run would log it (code and message)."""
    family = intents.family(op)
    batch = family.open_batch(BatchContext(connection, tenant_id, utcnow()), family.new_pending())
    batch.prefetch([op])
    entry = intents.entry(op, None)
    applied = batch.apply(op, entry.documents)
    bulk.execute(connection, batch.plan())
    return applied


def run_operation(
    connection: sa.Connection,
    tenant_id: str,
    intents: IntentRegistry,
    fields: Mapping[str, Any],
    *,
    where: str = "input",
) -> Applied:
    """`decode_operation`, then `apply_operation`: one operation given as a file's JSON."""
    op = decode_operation(fields, intents, where=where)
    return apply_operation(connection, tenant_id, intents, op)


def _located(problem: Problem, where: str) -> Problem:
    path = problem.path
    if path.startswith(_FILE_PREFIX):
        path = where + path[len(_FILE_PREFIX) :]
    return Problem(None, problem.intent, path, problem.message, problem.code)


def _summary(problems: list[Problem]) -> str:
    if not problems:
        return "the input is not valid"
    first = problems[0]
    more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
    return f"{first.path}: {first.message}{more}"
