"""The events batch type: each object's events stored in one bulk insert per slice."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from pydantic import BaseModel

from geode.batches.handler import ObjectResult, failed, narrow, succeeded
from geode.events.schemas import CustomerEvents
from geode.events.service import record_events


class EventsHandler:
    schema: type[BaseModel] = CustomerEvents  # before `type`, which shadows the builtin here
    type: str = "events"
    operation: str = "Events Batch Job"
    key_fields: tuple[str, ...] = ("customerId",)

    def apply(
        self, connection: sa.Connection, tenant_id: str, objects: Sequence[BaseModel]
    ) -> list[ObjectResult]:
        models = narrow(objects, CustomerEvents)
        results: list[ObjectResult] = []
        for obj, recorded in zip(models, record_events(connection, tenant_id, models), strict=True):
            keys = {"customerId": obj.customerId}
            if recorded.error is not None:
                results.append(failed(keys, recorded.error))
            else:
                noun = "event" if recorded.count == 1 else "events"
                results.append(succeeded(keys, f"{recorded.count} {noun} recorded"))
        return results
