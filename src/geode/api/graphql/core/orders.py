"""Order mutations and queries of the Core API.

`registerOrder` is `order/register` of a file; `updateOrder` and seed 001's
`order { update }` are `order/update` (the fields given replace the stored
ones; `meta` is replaced as a whole, as the intent does), applied through
`massops.single`. An order's pipeline stage has no intent:
`updateOrderPipelineStage` and `deleteOrderPipeline` are
`orders.service.set_pipeline_stage` / `remove_pipeline`.

An id that is not an order id, or names no order, answers a BasicError that
says so; the id of another tenant's order answers
`OrderDoesNotBelongToTenantError`, as Crystallize's API does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import sqlalchemy as sa
import strawberry

from geode.api.graphql.context import RequestContext
from geode.api.graphql.core.customers import apply_fields, written
from geode.api.graphql.core.item_inputs import as_operation
from geode.api.graphql.core.order_types import (
    Order,
    OrderConfirmation,
    OrderFilter,
    RegisterOrderInput,
    UpdateOrderInput,
    order_type,
)
from geode.api.graphql.core.writes import check_tenant, read
from geode.api.graphql.errors import BasicError, OrderDoesNotBelongToTenantError, basic_error
from geode.api.graphql.pagination import MAX_PAGE, Connection, Key, paged
from geode.api.graphql.pagination import connection as connection_of
from geode.errors import GeodeError, InvalidInputError, NotFoundError
from geode.ids import is_id
from geode.massops.single import convert_operation
from geode.orders.schemas import PipelineAssociation
from geode.orders.service import (
    load_order,
    order_page,
    order_place,
    remove_pipeline,
    set_pipeline_stage,
)
from geode.timestamps import utcnow

OrderResult = Annotated[
    Order | OrderDoesNotBelongToTenantError | BasicError, strawberry.union("OrderResult")
]
RegisterOrderResult = Annotated[
    OrderConfirmation | BasicError, strawberry.union("RegisterOrderResult")
]
OrdersResult = Annotated[Connection[Order] | BasicError, strawberry.union("OrdersResult")]

Change = Callable[[sa.Connection, RequestContext], None]


def _foreign(context: RequestContext, order_id: str) -> OrderDoesNotBelongToTenantError:
    return OrderDoesNotBelongToTenantError(
        errorName="OrderDoesNotBelongToTenantError",
        message=f"order {order_id} belongs to another tenant than {context.tenant_identifier!r}; "
        "use that tenant's path and access token",
        orderId=strawberry.ID(order_id),
    )


def _locate(
    connection: sa.Connection, context: RequestContext, order_id: str
) -> OrderDoesNotBelongToTenantError | None:
    """None for an order of this tenant; the error type for another tenant's;
    GeodeError (a BasicError) for anything else."""
    if not is_id(order_id):
        raise InvalidInputError(
            f"{order_id!r} is not an order id: an order id is 24 lowercase hex characters, "
            "as registerOrder answers it"
        )
    place = order_place(connection, context.tenant_id, order_id)
    if place == "other-tenant":
        return _foreign(context, order_id)
    if place == "nowhere":
        raise NotFoundError(
            f"no order with id {order_id} in tenant {context.tenant_identifier!r}; an order's "
            "id is what registerOrder answers, and orders(filter: ...) lists them"
        )
    return None


def _order_write(
    info: strawberry.Info, order_id: str, change: Change, tenant_id: Any = None
) -> Any:
    """`change` to an order of this tenant in one transaction, then the order as it is."""

    def action(
        connection: sa.Connection, context: RequestContext
    ) -> Order | OrderDoesNotBelongToTenantError:
        check_tenant(context, tenant_id, "input.tenantId")
        foreign = _locate(connection, context, order_id)
        if foreign is not None:
            return foreign
        change(connection, context)
        row = load_order(connection, context.tenant_id, order_id)
        assert row is not None  # located above, in this transaction
        return order_type(row)

    return written(info, action)


def _update(info: strawberry.Info, order_id: str, input: UpdateOrderInput) -> Any:
    def change(connection: sa.Connection, context: RequestContext) -> None:
        fields = as_operation("order/update", input, id=order_id)
        apply_fields(connection, context, fields, "order")

    return _order_write(info, order_id, change, input.tenantId)


@strawberry.type(description="Seed 001's order mutations.")
class OrderMutations:
    @strawberry.field(description="Replace the fields given (`order/update` of a file).")
    def update(
        self, info: strawberry.Info, id: strawberry.ID, input: UpdateOrderInput
    ) -> OrderResult:
        return _update(info, str(id), input)  # type: ignore[no-any-return]


@strawberry.type
class OrderMutation:
    @strawberry.field(description="Seed 001's order mutations.")
    def order(self) -> OrderMutations:
        return OrderMutations()

    @strawberry.field(description="A new order (`order/register` of a file).")
    def registerOrder(
        self, info: strawberry.Info, input: RegisterOrderInput
    ) -> RegisterOrderResult:
        def action(connection: sa.Connection, context: RequestContext) -> OrderConfirmation:
            check_tenant(context, input.tenantId, "input.tenantId")
            fields = as_operation("order/register", input)
            applied = apply_fields(connection, context, fields, "order")
            return OrderConfirmation(
                id=strawberry.ID(applied.resource_id), createdAt=applied.output["createdAt"]
            )

        return written(info, action)

    @strawberry.field(description="Replace the fields given (`order/update` of a file).")
    def updateOrder(
        self, info: strawberry.Info, id: strawberry.ID, input: UpdateOrderInput
    ) -> OrderResult:
        return _update(info, str(id), input)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Put the order in stage `stageId` of pipeline `pipelineId`, joining that "
        "pipeline if it is not in it; its other pipelines stay."
    )
    def updateOrderPipelineStage(
        self,
        info: strawberry.Info,
        orderId: strawberry.ID,
        pipelineId: strawberry.ID,
        stageId: strawberry.ID,
    ) -> OrderResult:
        def change(connection: sa.Connection, context: RequestContext) -> None:
            stage = convert_operation(
                PipelineAssociation,
                {"pipelineId": str(pipelineId), "stageId": str(stageId)},
                where="arguments",
            )
            set_pipeline_stage(connection, context.tenant_id, str(orderId), stage, utcnow())

        return _order_write(info, str(orderId), change)  # type: ignore[no-any-return]

    @strawberry.field(description="Take the order out of pipeline `pipelineId`.")
    def deleteOrderPipeline(
        self, info: strawberry.Info, orderId: strawberry.ID, pipelineId: strawberry.ID
    ) -> OrderResult:
        def change(connection: sa.Connection, context: RequestContext) -> None:
            remove_pipeline(connection, context.tenant_id, str(orderId), str(pipelineId), utcnow())

        return _order_write(info, str(orderId), change)  # type: ignore[no-any-return]


@strawberry.type
class OrderQuery:
    @strawberry.field(description="An order of this tenant by id.")
    def order(self, info: strawberry.Info, id: strawberry.ID) -> OrderResult:
        order_id = str(id)

        def action(connection: sa.Connection, context: RequestContext) -> Any:
            row = load_order(connection, context.tenant_id, order_id) if is_id(order_id) else None
            if row is not None:
                return order_type(row)
            try:
                return _locate(connection, context, order_id)
            except GeodeError as exc:
                return basic_error(exc)

        return read(info, action)  # type: ignore[no-any-return]

    @strawberry.field(
        description=f"Orders, newest first, at most {MAX_PAGE} a page (`first`, that many if "
        "left out); the next page is `after` this page's `pageInfo.endCursor`."
    )
    def orders(
        self,
        info: strawberry.Info,
        filter: OrderFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> OrdersResult:
        customer = None if filter is None else filter.customer
        identifier = None if customer is None else customer.identifier

        def run(size: int, start: Key | None) -> Connection[Order]:
            def action(connection: sa.Connection, context: RequestContext) -> Connection[Order]:
                rows = order_page(
                    connection,
                    context.tenant_id,
                    customer_identifier=identifier,
                    before_id=None if start is None else str(start[0]),
                    limit=size + 1,
                )
                orders = {row["id"]: order_type(row) for row in rows[:size]}

                def load(keys: list[Key]) -> list[Order | None]:
                    return [orders.get(key[0]) for key in keys]

                return connection_of([(row["id"],) for row in rows], size, start, load)

            return read(info, action)

        return paged(first, after, 1, run)
