"""The documented error types of the Core API, answered inside a field's union.

A failure a user can act on is data, not a GraphQL error: the mutation answers
`... on BasicError { errorName message }` (or a more specific type), so a
client written for Crystallize reads it where it expects it. `errorName` is the
type's name, `code` the stable code of Geode's error hierarchy, `detail` the
structured part (every problem of an input, with its path) as JSON.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from geode.errors import GeodeError, NotFoundError
from geode.outcomes import OperationFailed


@strawberry.interface(description="What every error type of the API has.")
class Error:
    errorName: str
    message: str


@strawberry.type(description="The input or the stored state does not allow the operation.")
class BasicError(Error):
    code: str = strawberry.field(description="Stable code: what kind of problem, for programs.")
    detail: JSON | None = strawberry.field(
        default=None, description="Every problem found, each with its `path` in the input."
    )


@strawberry.type(description="The access token may not do this.")
class UnauthorizedError(Error):
    pass


@strawberry.type(description="No item with that id in this tenant.")
class ItemNotFoundError(Error):
    itemId: strawberry.ID | None = None


@strawberry.type(description="The order id names an order of another tenant.")
class OrderDoesNotBelongToTenantError(Error):
    orderId: strawberry.ID | None = None


def basic_error(exc: GeodeError) -> BasicError:
    code = exc.code if isinstance(exc, OperationFailed) else type(exc).code
    return BasicError(
        errorName="BasicError", message=exc.message, code=code, detail=_detail(exc.detail)
    )


def item_not_found(item_id: str, message: str | None = None) -> ItemNotFoundError:
    return ItemNotFoundError(
        errorName="ItemNotFoundError",
        message=message or f"no item with id {item_id} in this tenant",
        itemId=strawberry.ID(item_id),
    )


def failure(exc: GeodeError, item_id: str | None = None) -> BasicError | ItemNotFoundError:
    """The error type for `exc`: `ItemNotFoundError` when the request named an item
    (`item_id`) and something was not found, `BasicError` otherwise."""
    if isinstance(exc, NotFoundError) and item_id is not None:
        return item_not_found(item_id, exc.message)
    return basic_error(exc)


def _detail(detail: Any) -> Any:
    return detail if detail is None or isinstance(detail, list | dict | str | int) else str(detail)
