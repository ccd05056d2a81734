"""Answers written by msgspec instead of pydantic, so Decimals stay exact JSON numbers."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from geode.jsontext import encode_for_file


def exact_json(value: Any) -> Response:
    """The route still declares its `response_model`, for the OpenAPI documents."""
    return Response(encode_for_file(value), media_type="application/json")
