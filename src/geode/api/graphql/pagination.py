"""Cursor connections (`first`, `after`, `pageInfo`, `edges { cursor node }`).

A cursor is the record's sort key (`catalogue.listings`), as base64url JSON:
opaque to clients, and a page after it starts exactly there whatever was
written meanwhile. A page holds at most `MAX_PAGE` records.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from geode.api.graphql.errors import BasicError, basic_error
from geode.errors import InvalidInputError

MAX_PAGE = 100
T = TypeVar("T")
Key = tuple[Any, ...]


@strawberry.type
class PageInfo:
    hasNextPage: bool
    hasPreviousPage: bool
    startCursor: str | None
    endCursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    pageInfo: PageInfo
    nodes: list[T] = strawberry.field(description="The page's nodes, without their cursors.")


def encode_cursor(key: Key) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, width: int) -> Key | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != width:
        raise InvalidInputError(
            f"`after` is {cursor!r}, which is not a cursor of this list: pass the "
            "`endCursor` (or an edge's `cursor`) of the page before"
        )
    return tuple(key)


def paged(
    first: int | None, after: str | None, width: int, run: Callable[[int, Key | None], T]
) -> T | BasicError:
    """`run(size, start)` for a valid page request; a `BasicError` (in the field's
    union, as every user error of the API) for a bad `first` or `after`."""
    try:
        size, start = page_size(first), decode_cursor(after, width)
    except InvalidInputError as exc:
        return basic_error(exc)
    return run(size, start)


def page_size(first: int | None) -> int:
    if first is None:
        return MAX_PAGE
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInputError(f"`first` is {first}; ask for 1 to {MAX_PAGE} records a page")
    return first


def connection(
    keys: Sequence[Key], size: int, after: Key | None, load: Callable[[list[Key]], list[T | None]]
) -> Connection[T]:
    """A page from `keys` (fetched with `size + 1`, to know whether more follow);
    `load` turns the page's keys into nodes (None: left out)."""
    shown = list(keys[:size])
    nodes = load(shown)
    edges = [
        Edge(cursor=encode_cursor(key), node=node)
        for key, node in zip(shown, nodes, strict=True)
        if node is not None
    ]
    return Connection(
        edges=edges,
        nodes=[edge.node for edge in edges],
        pageInfo=PageInfo(
            hasNextPage=len(keys) > size,
            hasPreviousPage=after is not None,
            startCursor=encode_cursor(shown[0]) if shown else None,
            endCursor=encode_cursor(shown[-1]) if shown else None,
        ),
    )
