"""Field types of batch objects (pydantic), built from `geode.limits`.

The same limits as the mass-operation file, so what one API takes the other
stores; each type also documents its bounds in the OpenAPI schema.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from geode import limits
from geode.limits import NumberRule

__all__ = ["FreeText", "KeyText", "NameText", "NonEmptyName", "check_json_text", "checked_by"]

NUL_FREE = "^[^\\u0000]*$"


def _text(value: str) -> str:
    problem = limits.text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _key(value: str) -> str:
    problem = limits.key_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


KeyText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=limits.KEY_MAX_LENGTH,
        json_schema_extra={"pattern": limits.KEY_PATTERN},
    ),
    AfterValidator(_key),
]
"""A natural key: 1 to 256 characters, no control or invisible formatting characters."""
NameText = Annotated[
    str,
    Field(max_length=limits.NAME_MAX_LENGTH, json_schema_extra={"pattern": NUL_FREE}),
    AfterValidator(_text),
]
NonEmptyName = Annotated[
    str,
    Field(min_length=1, max_length=limits.NAME_MAX_LENGTH, json_schema_extra={"pattern": NUL_FREE}),
    AfterValidator(_text),
]
FreeText = Annotated[
    str,
    Field(max_length=limits.TEXT_MAX_LENGTH, json_schema_extra={"pattern": NUL_FREE}),
    AfterValidator(_text),
]


def check_json_text(value: Any) -> Any:
    """For free-form JSON (metadata, custom attributes): every string and key storable."""
    for path, problem in limits.text_problems(value):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        raise ValueError(f"at {where.lstrip('.') or 'the top'}: {problem}")
    return value


def checked_by(rule: NumberRule) -> AfterValidator:
    """Checks a Decimal against `rule`; pair it with `WithJsonSchema(rule.json_schema())`."""

    def check(value: Decimal) -> Decimal:
        problem = rule.problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    return AfterValidator(check)
