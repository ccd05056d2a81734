"""Turns a pydantic error into the sentence a failed item carries: where, then why."""

from __future__ import annotations

from pydantic import ValidationError


def describe(error: ValidationError, position: int) -> str:
    """`body[3].email: value is not a valid email address; body[3].name: ...`"""
    parts = []
    for problem in error.errors(include_url=False):
        path = f"body[{position}]"
        for part in problem["loc"]:
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "unknown field; remove it or check its spelling"
        elif problem["type"] == "missing":
            message = "required field is missing"
        parts.append(f"{path}: {message}")
    return "; ".join(parts)
