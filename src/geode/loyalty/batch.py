"""The four loyalty batch types: balance-inquiry, balance-adjustment, cashback, redeem.

Each handler turns the runner's validated objects into ledger requests,
posts the whole slice in one call (set-based, inside the runner's
transaction) and words one response item per object. Successful items
carry the object's keys and a message; the inquiry's item is the balance
itself (`pointsValue` a Decimal, i.e. a JSON number, never a float).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from geode.batches.handler import ObjectResult, failed, narrow, succeeded
from geode.loyalty import service
from geode.loyalty.accounts import unknown_customer
from geode.loyalty.ledger import Kind, LedgerRequest, Posted, Refused
from geode.loyalty.schemas import BalanceAdjustment, BalanceInquiry, Cashback, Redeem
from geode.timestamps import format_timestamp


class BalanceInquiryHandler:
    schema: type[BaseModel] = BalanceInquiry  # before `type`, which shadows the builtin here
    type: str = "balance-inquiry"
    operation: str = "Balance Inquiry Batch Job"
    key_fields: tuple[str, ...] = ("customerId",)

    def apply(
        self, connection: sa.Connection, tenant_id: str, objects: Sequence[BaseModel]
    ) -> list[ObjectResult]:
        ids = [obj.customerId for obj in narrow(objects, BalanceInquiry)]
        found = service.balances(connection, tenant_id, ids)
        return [
            ObjectResult(True, found[i].as_item())
            if i in found
            else failed({"customerId": i}, unknown_customer(i))
            for i in ids
        ]


class _LedgerHandler:
    """Posts one ledger request per object; subclasses say how to build and word it."""

    schema: type[BaseModel]  # before `type`, which shadows the builtin here
    type: str
    operation: str
    key_fields: tuple[str, ...]
    kind: Kind
    verb: str
    """Past tense of what the entry did to the points: earned, redeemed, adjusted by."""

    def request(self, obj: Any) -> LedgerRequest:
        raise NotImplementedError

    def apply(
        self, connection: sa.Connection, tenant_id: str, objects: Sequence[BaseModel]
    ) -> list[ObjectResult]:
        models: list[BaseModel] = narrow(objects, self.schema)
        outcomes = service.post(connection, tenant_id, [self.request(obj) for obj in models])
        return [self._result(obj, outcome) for obj, outcome in zip(models, outcomes, strict=True)]

    def _result(self, obj: BaseModel, outcome: Posted | Refused) -> ObjectResult:
        keys = {name: getattr(obj, name) for name in self.key_fields}
        if isinstance(outcome, Refused):
            return failed(keys, outcome.error)
        points = self.points_text(outcome.points)
        if outcome.replay:
            return succeeded(
                keys,
                f"already recorded: transactionId '{getattr(obj, 'transactionId', None)}' "
                f"{self.verb} {points} points; nothing changed",
            )
        return succeeded(
            keys, f"{self.verb} {points} points; balance is now {outcome.balance_after}"
        )

    def points_text(self, points: int) -> str:
        return str(abs(points))


class BalanceAdjustmentHandler(_LedgerHandler):
    schema: type[BaseModel] = BalanceAdjustment
    type = "balance-adjustment"
    operation = "Balance Adjustment Batch Job"
    key_fields: tuple[str, ...] = ("customerId",)
    kind = Kind.ADJUSTMENT
    verb = "adjusted the balance by"

    def request(self, obj: BalanceAdjustment) -> LedgerRequest:
        return LedgerRequest(
            self.kind,
            obj.customerId,
            points=obj.amount,
            transaction_id=obj.transactionId,
            reason=obj.reason,
        )

    def points_text(self, points: int) -> str:
        return f"{points:+d}"


class CashbackHandler(_LedgerHandler):
    schema: type[BaseModel] = Cashback
    type = "cashback"
    operation = "Cashback Reward Batch Job"
    key_fields: tuple[str, ...] = ("customerId", "transactionId")
    kind = Kind.CASHBACK
    verb = "earned"

    def request(self, obj: Cashback) -> LedgerRequest:
        return LedgerRequest(
            self.kind,
            obj.customerId,
            amount=obj.amount,
            transaction_id=obj.transactionId,
            transaction_time=format_timestamp(obj.transactionTime),
        )


class RedeemHandler(_LedgerHandler):
    schema: type[BaseModel] = Redeem
    type = "redeem"
    operation = "Redemption Batch Job"
    key_fields: tuple[str, ...] = ("customerId", "transactionId")
    kind = Kind.REDEEM
    verb = "redeemed"

    def request(self, obj: Redeem) -> LedgerRequest:
        return LedgerRequest(
            self.kind,
            obj.customerId,
            points=obj.points,
            amount=obj.amount,
            transaction_id=obj.transactionId,
            transaction_time=format_timestamp(obj.transactionTime),
            hold_reference=obj.holdReference,
        )
