"""Every failure leaves as `{"error", "code", "detail"}`; a 500 is a bug."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geode import incidents
from geode.api.rest.conventions import ORIGINAL_METHOD, allowed_methods
from geode.errors import (
    AlreadyExistsError,
    AuthenticationError,
    ConflictError,
    GeodeError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedFileTypeError,
)

_STATUS: list[tuple[type[GeodeError], int]] = [
    (AuthenticationError, 401),
    (NotFoundError, 404),
    (AlreadyExistsError, 409),
    (ConflictError, 409),
    (UnsupportedFileTypeError, 415),
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
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 400:  # the framework could not parse the body
            return error_response(
                422, f"the request body is not valid: {exc.detail}", "invalid_input"
            )
        if exc.status_code == 405:
            return _method_not_allowed(api, request)
        codes = {
            401: "unauthenticated",
            404: "not_found",
            405: "method_not_allowed",
            415: "unsupported_media_type",
        }
        response = error_response(
            exc.status_code, str(exc.detail), codes.get(exc.status_code, "http_error")
        )
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    api.add_middleware(UnexpectedErrors)


def _method_not_allowed(api: FastAPI, request: Request) -> Response:
    """405 naming every method the path serves (OPTIONS: 204 with the same `Allow`)."""
    allow = allowed_methods(api.router.routes, request.scope)
    if request.method == "OPTIONS" and allow:
        return Response(status_code=204, headers={"Allow": ", ".join(allow)})
    method = request.scope.get(ORIGINAL_METHOD, request.method)
    response = error_response(
        405,
        f"{method} is not allowed on {request.url.path}; this path takes {', '.join(allow)}",
        "method_not_allowed",
        {"method": method, "allowed": allow},
    )
    response.headers["Allow"] = ", ".join(allow)
    return response


class UnexpectedErrors:
    """A bug answers a JSON 500 in words with an error id, never a traceback or
    the database's text; the server log has the id next to the traceback.

    Plain ASGI rather than an exception handler: Starlette re-raises whatever
    reaches its own 500 handler, and the server would log it again, in full.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            request = f"{scope.get('method', '')} {scope.get('path', '')}"
            incident = incidents.record(f"{request} failed on an unexpected error", exc)
            if started:  # too late for an answer of our own: the server closes it
                raise
            response = error_response(
                500,
                f"the server failed on an unexpected error (error id {incident.error_id}); "
                "quote the error id to the operators",
                "internal_error",
                {"errorId": incident.error_id},
            )
            await response(scope, receive, send)
