"""Per-customer reads of what batch jobs stored (events, loyalty), and the
tenant's loyalty program. Numbers leave as exact JSON numbers (msgspec)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from geode.api.rest.auth import AppDep, TenantDep
from geode.api.rest.conventions import JSON, body_of, unsupported_media_type
from geode.api.rest.responses import exact_json
from geode.api.rest.schemas import ErrorBody
from geode.customers.lookup import require_customer
from geode.db.engine import reading
from geode.events.service import list_events
from geode.loyalty.rules import MAX_RATE, RATE_DECIMAL_PLACES
from geode.loyalty.service import get_balance, get_program, list_entries, set_program

# Sent as exact JSON numbers (msgspec), so documented as numbers, not pydantic's strings.
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]

router = APIRouter(prefix="/api/v4.0/integrations", tags=["customers"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong access token."},
    404: {"model": ErrorBody, "description": "No such customer for this tenant."},
    422: {"model": ErrorBody, "description": "A parameter is not valid."},
}
CustomerId = Annotated[str, Path(min_length=1, max_length=255, description="The customerId.")]
After = Annotated[
    str | None,
    Query(pattern=r"^[0-9a-f]{24}$", description="The `next` of the previous page."),
]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
LedgerAfter = Annotated[
    str | None,
    Query(
        pattern=r"^([0-9a-f]{24}|[0-9]{1,18})$",
        description=(
            "Start after this entry: the `next` of the previous page (an entry id), any "
            "entry's `id`, or an entry's `sequence` number (0 = from the first entry). "
            "Pages follow the posting sequence, so paging never skips nor repeats an entry, "
            "even while new entries are posted. An id that is not an entry of this "
            "customer's ledger is refused (422)."
        ),
    ),
]


class Event(BaseModel):
    id: str
    customerId: str
    eventName: str
    metadata: Any = Field(description="What the batch object gave for this event.")
    createdAt: str


class EventPage(BaseModel):
    events: list[Event]
    next: str | None = Field(description="Pass as `after` for the next page; null at the end.")


class Balance(BaseModel):
    customerId: str
    pointsBalance: int
    pointsValue: Number = Field(description="The points' worth in `currency`, to the cent.")
    currency: str


class LedgerEntry(BaseModel):
    id: str
    customerId: str
    kind: str = Field(description="adjustment, cashback or redeem.")
    transactionId: str | None
    transactionTime: str | None
    points: int = Field(description="Signed change: a redeem is negative.")
    amount: Number | None
    reason: str | None
    holdReference: str | None
    balanceAfter: int = Field(
        description="The balance once this entry was posted: the sum of `points` of the "
        "entries up to this one in `sequence` order."
    )
    createdAt: str
    sequence: int = Field(
        ge=1,
        description="Posting order within this customer's ledger: 1, 2, 3... with no gaps.",
    )


class LedgerPage(BaseModel):
    entries: list[LedgerEntry] = Field(description="In posting order (`sequence`).")
    next: str | None = Field(
        description="The last entry's id: pass as `after` for the next page; null at the end."
    )


def _rate(*, exclusive_minimum: bool) -> dict[str, Any]:
    """The bounds `loyalty.rules.check_program` enforces, stated for clients."""
    bound = "exclusiveMinimum" if exclusive_minimum else "minimum"
    return {
        "type": "number",
        bound: 0,
        "maximum": int(MAX_RATE),
        "multipleOf": float(Decimal(1).scaleb(-RATE_DECIMAL_PLACES)),
    }


class Program(BaseModel):
    model_config = ConfigDict(extra="forbid")

    earnRate: Annotated[Decimal, WithJsonSchema(_rate(exclusive_minimum=False))] = Field(
        ge=0,
        description="Points earned per unit of currency spent, 0 to "
        f"{MAX_RATE:,} with at most {RATE_DECIMAL_PLACES} decimal places.",
    )
    pointValue: Annotated[Decimal, WithJsonSchema(_rate(exclusive_minimum=True))] = Field(
        gt=0,
        description="What one point is worth, in `currency`: above 0, at most "
        f"{MAX_RATE:,}, with at most {RATE_DECIMAL_PLACES} decimal places.",
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR.")


def _page(items: list[dict[str, Any]], limit: int) -> str | None:
    return str(items[-1]["id"]) if len(items) == limit else None


@router.get(
    "/customers/{customerId}/events", response_model=EventPage, responses=ERRORS,
    summary="A customer's events, oldest first",
)  # fmt: skip
def customer_events(
    customerId: CustomerId,
    app: AppDep,
    tenant: TenantDep,
    eventName: Annotated[str | None, Query(max_length=255)] = None,
    after: After = None,
    limit: Limit = 100,
) -> Response:
    with reading(app.engine) as connection:
        require_customer(connection, tenant, customerId)
        events = list_events(
            connection, tenant, customerId, event_name=eventName, after_id=after, limit=limit
        )
    return exact_json({"events": events, "next": _page(events, limit)})


@router.get(
    "/customers/{customerId}/loyalty", response_model=Balance, responses=ERRORS,
    summary="A customer's points balance and its value",
)  # fmt: skip
def customer_balance(customerId: CustomerId, app: AppDep, tenant: TenantDep) -> Response:
    with reading(app.engine) as connection:
        return exact_json(get_balance(connection, tenant, customerId).as_item())


@router.get(
    "/customers/{customerId}/loyalty/entries", response_model=LedgerPage, responses=ERRORS,
    summary="A customer's loyalty ledger, in posting order",
)  # fmt: skip
def customer_ledger(
    customerId: CustomerId,
    app: AppDep,
    tenant: TenantDep,
    after: LedgerAfter = None,
    limit: Limit = 100,
) -> Response:
    """Entries in the order they were posted (`sequence`), so each `balanceAfter` is the
    running sum of the `points` before it; page with `after` (see its description)."""
    with reading(app.engine) as connection:
        require_customer(connection, tenant, customerId)
        entries = list_entries(connection, tenant, customerId, after_id=after, limit=limit)
    return exact_json({"entries": entries, "next": _page(entries, limit)})


def _program(program: Any) -> Response:
    return exact_json(
        {
            "earnRate": program.earn_rate,
            "pointValue": program.point_value,
            "currency": program.currency,
        }
    )


@router.get("/loyalty/program", response_model=Program, responses=ERRORS, tags=["loyalty"])
def read_program(app: AppDep, tenant: TenantDep) -> Response:
    """The tenant's loyalty rules (defaults until set: 1 point per unit, 100 points = 1)."""
    with reading(app.engine) as connection:
        return _program(get_program(connection, tenant))


@router.put(
    "/loyalty/program", response_model=Program, tags=["loyalty"],
    responses={**ERRORS, 415: unsupported_media_type(JSON)},
    dependencies=[Depends(body_of(JSON))],
)  # fmt: skip
def write_program(body: Program, app: AppDep, tenant: TenantDep) -> Response:
    """Replace the tenant's loyalty rules; entries already recorded keep their points."""
    with app.engine.begin() as connection:
        program = set_program(
            connection, tenant, earn_rate=body.earnRate, point_value=body.pointValue,
            currency=body.currency,
        )  # fmt: skip
    return _program(program)
