"""How a corpus intent is described: its operations and the mutations that break them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ID = "5f1b2c3d4e5f6a7b8c9d0e1f"  # 24 lowercase hex, as the reference's IdSchema wants
OTHER_ID = "0123456789abcdef01234567"


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()
"""As a value in `Intent.cases` changes: remove the field."""

# (name, expected verdict of the reference, {dotted path: new value or DELETE}, difference id)
ExtraCase = tuple[str, str, dict[str, Any], str | None]


@dataclass
class Intent:
    """`minimal` holds what the reference requires; `extra` the optional fields added
    for the "most fields" case. Paths are dotted (`cart.0.name`) into minimal + extra."""

    intent: str
    minimal: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    enums: dict[str, Any] = field(default_factory=dict)  # path -> a value outside the enum
    wrong: dict[str, Any] = field(default_factory=dict)  # path -> a value of a wrong type/form
    cases: list[ExtraCase] = field(default_factory=list)
