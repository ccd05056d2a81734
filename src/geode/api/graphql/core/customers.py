"""Customer mutations and the customer query of the Core API.

Two front doors onto the same writes: seed 001's namespace (`customer {
createIndividual createOrganization update delete }`) and the top-level
fields Crystallize's own client sends (`createCustomer`, `updateCustomer`,
`createCustomerGroup`, query `customer`). Each write is the operation a
mass-operation file would hold (`customer/create`, `customer/update`,
`customer/group/create`), checked and applied by `massops.single`; deleting
has no intent and is `customers.service.delete_customer`.

Where the seed is silent:

- `createIndividual` / `createOrganization` without an `identifier` take the
  email as the identifier (Crystallize's client does the same by hand); with
  neither, the input is refused.
- A customer's `id` is its record id. `update` and `delete` take it, or the
  identifier (a customer made by a file is known by that).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

import sqlalchemy as sa
import strawberry

from geode.api.graphql.context import RequestContext
from geode.api.graphql.core.customer_types import (
    RENAMED,
    CreateCustomerGroupInput,
    CreateCustomerInput,
    CreateIndividualInput,
    CreateOrganizationInput,
    Customer,
    CustomerGroup,
    UpdateCustomerInput,
    customer_operation,
    customer_type,
)
from geode.api.graphql.core.writes import check_tenant, read, write
from geode.api.graphql.errors import BasicError, ItemNotFoundError, basic_error
from geode.customers.service import delete_customer, find_customer
from geode.errors import InvalidInputError, NotFoundError
from geode.massops.single import run_operation
from geode.outcomes import Applied, OperationFailed

T = TypeVar("T")

CustomerResult = Annotated[Customer | BasicError, strawberry.union("CustomerResult")]
CustomerGroupResult = Annotated[CustomerGroup | BasicError, strawberry.union("CustomerGroupResult")]

_ADVICE = {
    ("customer", "already_exists"): "change it with updateCustomer or customer.update",
    ("customer", "not_found"): "create it with createCustomer",
    ("customer group", "already_exists"): "choose another identifier",
}
"""What to do next, in this API's words, where the file's message names file intents."""


def written(
    info: strawberry.Info, action: Callable[[sa.Connection, RequestContext], T]
) -> T | BasicError:
    """`write` for fields that name no item: its answer, or a BasicError."""
    answer = write(info, action)
    assert not isinstance(answer, ItemNotFoundError)  # only with an `item_id`
    return answer


def apply_fields(
    connection: sa.Connection, context: RequestContext, fields: dict[str, Any], noun: str
) -> Applied:
    """Check `fields` as the file's operation and apply it; a failure the file would
    log with advice about intents gets this API's advice instead."""
    try:
        return run_operation(connection, context.tenant_id, context.app.massops.intents, fields)
    except OperationFailed as exc:
        advice = _ADVICE.get((noun, exc.code))
        if advice is None:
            raise
        said = exc.message.rpartition("; ")[0] or exc.message
        raise OperationFailed(exc.code, f"{said}; {advice}", key=exc.key) from None


def existing_customer(
    connection: sa.Connection,
    context: RequestContext,
    key: str,
    prefer: Literal["id", "identifier"],
) -> sa.RowMapping:
    row = find_customer(connection, context.tenant_id, key, prefer=prefer)
    if row is None:
        raise NotFoundError(
            f"no customer with id or identifier {key!r} in tenant "
            f"{context.tenant_identifier!r}; create it with createCustomer"
        )
    return row


def _answer(connection: sa.Connection, context: RequestContext, customer_id: str) -> Customer:
    return customer_type(existing_customer(connection, context, customer_id, "id"))


def _with_identifier(fields: dict[str, Any]) -> dict[str, Any]:
    """The seed's creates: the email is the identifier when none is given."""
    if fields.get("identifier") is None:
        email = fields.get("email")
        if not isinstance(email, str):
            raise InvalidInputError(
                "input.identifier: give the customer an identifier, or an email to be its "
                "identifier",
                detail=[{"path": "input.identifier", "message": "missing", "code": "missing"}],
            )
        fields["identifier"] = email
    return fields


def _create(info: strawberry.Info, input: Any, customer_type_: str | None) -> Any:
    def action(connection: sa.Connection, context: RequestContext) -> Customer:
        check_tenant(context, input.tenantId, "input.tenantId")
        if customer_type_ is None:
            fields = customer_operation("customer/create", input)
        else:
            fields = customer_operation("customer/create", input, RENAMED, type=customer_type_)
            _with_identifier(fields)
        applied = apply_fields(connection, context, fields, "customer")
        return _answer(connection, context, applied.resource_id)

    return written(info, action)


def _update(
    info: strawberry.Info,
    key: str,
    input: UpdateCustomerInput,
    prefer: Literal["id", "identifier"],
) -> Any:
    def action(connection: sa.Connection, context: RequestContext) -> Customer:
        check_tenant(context, input.tenantId, "input.tenantId")
        row = existing_customer(connection, context, key, prefer)
        fields = customer_operation("customer/update", input, identifier=row["identifier"])
        apply_fields(connection, context, fields, "customer")
        return _answer(connection, context, row["id"])

    return written(info, action)


@strawberry.type(description="Seed 001's customer mutations.")
class CustomerMutations:
    @strawberry.field(description="A person; the email is the identifier if none is given.")
    def createIndividual(
        self, info: strawberry.Info, input: CreateIndividualInput
    ) -> CustomerResult:
        return _create(info, input, "individual")  # type: ignore[no-any-return]

    @strawberry.field(
        description="A company; `name` is its companyName, the email the identifier if none "
        "is given."
    )
    def createOrganization(
        self, info: strawberry.Info, input: CreateOrganizationInput
    ) -> CustomerResult:
        return _create(info, input, "organization")  # type: ignore[no-any-return]

    @strawberry.field(description="Change the fields given; `id` is the record id or identifier.")
    def update(
        self, info: strawberry.Info, id: strawberry.ID, input: UpdateCustomerInput
    ) -> CustomerResult:
        return _update(info, str(id), input, "id")  # type: ignore[no-any-return]

    @strawberry.field(
        description="Delete the customer; answers it as it was. Its orders keep their copy of it."
    )
    def delete(self, info: strawberry.Info, id: strawberry.ID) -> CustomerResult:
        def action(connection: sa.Connection, context: RequestContext) -> Customer:
            row = existing_customer(connection, context, str(id), "id")
            answer = customer_type(row)
            delete_customer(connection, context.tenant_id, row["identifier"])
            return answer

        return written(info, action)


@strawberry.type
class CustomerMutation:
    @strawberry.field(description="Seed 001's customer mutations.")
    def customer(self) -> CustomerMutations:
        return CustomerMutations()

    @strawberry.field(description="A new customer (`customer/create` of a file).")
    def createCustomer(self, info: strawberry.Info, input: CreateCustomerInput) -> CustomerResult:
        return _create(info, input, None)  # type: ignore[no-any-return]

    @strawberry.field(description="Change the fields given (`customer/update` of a file).")
    def updateCustomer(
        self, info: strawberry.Info, identifier: str, input: UpdateCustomerInput
    ) -> CustomerResult:
        return _update(info, identifier, input, "identifier")  # type: ignore[no-any-return]

    @strawberry.field(description="A new customer group (`customer/group/create` of a file).")
    def createCustomerGroup(
        self, info: strawberry.Info, input: CreateCustomerGroupInput
    ) -> CustomerGroupResult:
        def action(connection: sa.Connection, context: RequestContext) -> CustomerGroup:
            check_tenant(context, input.tenantId, "input.tenantId")
            fields = customer_operation("customer/group/create", input)
            applied = apply_fields(connection, context, fields, "customer group")
            output = applied.output
            return CustomerGroup(
                id=strawberry.ID(applied.resource_id),
                identifier=output["identifier"],
                name=output["name"],
            )

        return written(info, action)


@strawberry.type
class CustomerQuery:
    @strawberry.field(description="A customer by `identifier` or by record `id` (either names it).")
    def customer(
        self,
        info: strawberry.Info,
        identifier: str | None = None,
        id: strawberry.ID | None = None,
    ) -> CustomerResult:
        key = identifier if identifier is not None else id
        if key is None:
            return basic_error(InvalidInputError("give the customer's `identifier` or `id`"))
        prefer: Literal["id", "identifier"] = "identifier" if identifier is not None else "id"

        def action(connection: sa.Connection, context: RequestContext) -> Customer | BasicError:
            try:
                return customer_type(existing_customer(connection, context, str(key), prefer))
            except NotFoundError as exc:
                return basic_error(exc)

        return read(info, action)
