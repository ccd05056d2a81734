"""What applying one operation to the store produced; shared by every domain writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from geode.errors import GeodeError

Outcome = Literal["created", "updated", "unchanged", "deleted"]


@dataclass(slots=True)
class Applied:
    outcome: Outcome
    resource_id: str
    key: str
    output: dict[str, Any] = field(default_factory=dict)


class OperationFailed(GeodeError):
    """One operation cannot be applied (the record exists, is missing, ...).

    The run logs it against that operation and carries on with the others.
    """

    def __init__(self, code: str, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.key = key
