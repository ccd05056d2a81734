"""A batch type at the handler port, so the runner is tested without any domain."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from geode.batches.handler import ObjectResult, failed, succeeded


class Widget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customerId: str
    size: int = 1
    fail: bool = False


class WidgetHandler:
    """Succeeds unless `fail`; records every slice it was given."""

    type = "widgets"
    operation = "Widget Batch Job"
    key_fields = ("customerId",)
    schema = Widget

    def __init__(self) -> None:
        self.slices: list[list[str]] = []

    def apply(
        self, connection: sa.Connection, tenant_id: str, objects: Sequence[BaseModel]
    ) -> list[ObjectResult]:
        widgets = [o for o in objects if isinstance(o, Widget)]
        self.slices.append([w.customerId for w in widgets])
        return [
            failed({"customerId": w.customerId}, "asked to fail")
            if w.fail
            else succeeded({"customerId": w.customerId}, f"widget of size {w.size} made")
            for w in widgets
        ]
