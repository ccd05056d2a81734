"""Every failure leaves as `{"error", "code", "detail"}`; a 500 is a bug."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from geode.errors import (
    AlreadyExistsError,
    AuthenticationError,
    ConflictError,
    GeodeError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
)

_STATUS: list[tuple[type[GeodeError], int]] = [
    (AuthenticationError, 401),
    (NotFoundError, 404),
    (AlreadyExistsError, 409),
    (ConflictError, 409),
    (InvalidInputError, 422),
    (PayloadTooLargeError, 413),
]


def status_for(error: GeodeError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def error_response(status: int, message: str, code: str, detail: Any = None) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": message, "code": code, "detail": detail}
    )


def _where(location: tuple[Any, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def install(api: FastAPI) -> None:
    @api.exception_handler(GeodeError)
    async def geode_error(_request: Request, exc: GeodeError) -> JSONResponse:
        return error_response(status_for(exc), exc.message, exc.code, exc.detail)

    @api.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"path": _where(tuple(e.get("loc", ()))), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{p['path']}: {p['message']}" for p in problems[:5])
        message = f"the request is not valid: {summary}"
        return error_response(422, message, "invalid_input", problems)

    @api.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400:  # the framework could not parse the body
            return error_response(
                422, f"the request body is not valid: {exc.detail}", "invalid_input"
            )
        codes = {401: "unauthenticated", 404: "not_found", 405: "method_not_allowed"}
        response = error_response(
            exc.status_code, str(exc.detail), codes.get(exc.status_code, "http_error")
        )
        if exc.headers:
            response.headers.update(exc.headers)
        return response
