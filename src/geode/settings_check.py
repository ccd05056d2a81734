"""Settings read from the environment, refused in words a user can act on.

pydantic's report names a field (`batch_size`) and a constraint class; the user
set `GEODE_BATCH_SIZE`, so every problem is told as that variable, the value it
holds and what it accepts (derived from the field's own constraints, so a new
setting needs nothing here).
"""

from __future__ import annotations

import shlex
from typing import Any

import annotated_types
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from sqlalchemy.engine import url as sa_url

from geode.errors import InvalidSettingError
from geode.settings import Settings


def load_settings() -> Settings:
    """`Settings()`, or an `InvalidSettingError` naming every bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise InvalidSettingError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    prefix = str(Settings.model_config.get("env_prefix") or "")
    problems = []
    for error in exc.errors():
        if not error["loc"]:  # a rule across settings: its message names them
            problems.append(_reason(error))
            continue
        name = str(error["loc"][0])
        variable = f"{prefix}{name}".upper()
        field = Settings.model_fields.get(name)
        value = error.get("input")
        shown = _shown(value)
        expected = accepted(field) if field is not None else None
        reason = expected or _reason(error)
        problems.append(f"{variable}={shown} is not valid: {reason}")
    return "; ".join(problems) + "; fix the value or unset the variable"


def accepted(field: FieldInfo) -> str | None:
    """What the field takes, in words: 'an integer from 1 to 50000'."""
    kind = _kind(field.annotation)
    if kind is None:
        return None
    low: Any = None
    high: Any = None
    low_open = high_open = False
    for rule in field.metadata:
        if isinstance(rule, annotated_types.Ge):
            low = rule.ge
        elif isinstance(rule, annotated_types.Gt):
            low, low_open = rule.gt, True
        elif isinstance(rule, annotated_types.Le):
            high = rule.le
        elif isinstance(rule, annotated_types.Lt):
            high, high_open = rule.lt, True
    if low is not None and high is not None and not (low_open or high_open):
        return f"must be {kind} from {low} to {high}"
    bounds = []
    if low is not None:
        bounds.append(f"greater than {low}" if low_open else f"at least {low}")
    if high is not None:
        bounds.append(f"less than {high}" if high_open else f"at most {high}")
    return f"must be {kind}" + (" " + " and ".join(bounds) if bounds else "")


def _kind(annotation: Any) -> str | None:
    args = getattr(annotation, "__args__", None) or (annotation,)
    types = {a for a in args if a is not type(None)}
    if types == {bool}:
        return "true or false"
    if types == {int}:
        return "an integer"
    if types == {float}:
        return "a number"
    return None


def _shown(value: Any) -> str:
    """The value as the user typed it, but never a database password."""
    if not isinstance(value, str):
        return repr(value)
    if "@" in value:
        try:
            value = sa_url.make_url(value).render_as_string(hide_password=True)
        except Exception:
            value = "***@" + value.rsplit("@", 1)[1]
    return shlex.quote(value)


def _reason(error: Any) -> str:
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")
