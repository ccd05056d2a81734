"""One write of a mutation: its own transaction, its errors as the API's error types.

The resolver is the edge of the request, so it owns the transaction: every
operation a mutation applies commits together or not at all. Two requests
writing the same records at once (two items created under one folder, on
PostgreSQL) may collide on a unique index: the loser is run again, from a
fresh read, a few times before it is answered as a conflict.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

import sqlalchemy as sa
import strawberry

from geode.api.graphql.context import RequestContext, context_of
from geode.api.graphql.errors import BasicError, ItemNotFoundError, basic_error, failure
from geode.api.graphql.pagination import Connection, Key, paged
from geode.api.graphql.pagination import connection as connection_of
from geode.db.engine import reading
from geode.errors import ConflictError, GeodeError, InvalidInputError
from geode.tenants.settings import languages

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 3


def write(
    info: strawberry.Info,
    action: Callable[[sa.Connection, RequestContext], T],
    *,
    item_id: str | None = None,
) -> T | BasicError | ItemNotFoundError:
    """`action` in one transaction; a `GeodeError` it raises becomes the error type
    (`ItemNotFoundError` for a missing `item_id`), and nothing of it is kept."""
    context = context_of(info)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with context.app.engine.begin() as connection:
                return action(connection, context)
        except GeodeError as exc:
            return failure(exc, item_id)
        except sa.exc.IntegrityError:
            if attempt == ATTEMPTS:
                log.warning("a write collided %d times with concurrent writes", ATTEMPTS)
                break
    return basic_error(
        ConflictError(
            "other requests changed the same records at the same time; send this one again"
        )
    )


def read(info: strawberry.Info, action: Callable[[sa.Connection, RequestContext], T]) -> T:
    context = context_of(info)
    with reading(context.app.engine) as connection:
        return action(connection, context)


def check_tenant(context: RequestContext, tenant_id: str | None, where: str) -> None:
    """An input's `tenantId`, when given, must be the tenant of the path and token."""
    if tenant_id is None or tenant_id is strawberry.UNSET or tenant_id == context.tenant_id:
        return
    raise InvalidInputError(
        f"`{where}` is {tenant_id!r}, which is not the id of tenant "
        f"{context.tenant_identifier!r} ({context.tenant_id}): send its id, as "
        f"`geode tenant show {context.tenant_identifier} --json` prints it, or leave it out"
    )


def language_or_default(
    connection: sa.Connection, context: RequestContext, language: str | None
) -> str:
    """The language asked for, else the tenant's first (`en` for a new tenant)."""
    if isinstance(language, str):
        return language
    known = languages(connection, context.tenant_id)
    return known[0] if known else "en"


Nodes = Callable[[sa.Connection, RequestContext, list[Key]], list[T | None]]


def read_page(
    info: strawberry.Info,
    first: int | None,
    after: str | None,
    width: int,
    keys: Callable[[sa.Connection, RequestContext, Key | None, int], Sequence[Key]],
    nodes: Nodes[T],
) -> Connection[T] | BasicError:
    """A connection's page: `keys(connection, context, start, limit)` gives the sort
    keys (`width` columns) after `start`, `nodes` the page's records for its keys. A
    bad `first` or `after` is a `BasicError` (`pagination.paged`)."""

    def run(size: int, start: Key | None) -> Connection[T]:
        def action(connection: sa.Connection, context: RequestContext) -> Connection[T]:
            found = keys(connection, context, start, size + 1)
            return connection_of(found, size, start, lambda page: nodes(connection, context, page))

        return read(info, action)

    return paged(first, after, width, run)
