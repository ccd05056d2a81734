"""The seven batch types of the REST batch API, by path segment.

Each domain provides its handlers; this names them all."""

from __future__ import annotations

from geode.batches.handler import BatchHandler


def default_handlers() -> dict[str, BatchHandler]:
    from geode.customers.batch import CustomersHandler
    from geode.events.batch import EventsHandler
    from geode.loyalty.batch import (
        BalanceAdjustmentHandler,
        BalanceInquiryHandler,
        CashbackHandler,
        RedeemHandler,
    )
    from geode.orders.batch import OrdersHandler

    handlers: list[BatchHandler] = [
        CustomersHandler(),
        OrdersHandler(),
        BalanceInquiryHandler(),
        BalanceAdjustmentHandler(),
        CashbackHandler(),
        RedeemHandler(),
        EventsHandler(),
    ]
    return {h.type: h for h in handlers}
