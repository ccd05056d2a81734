"""HTTP method and media-type rules every route follows (RFC 9110).

A method a path does not support is answered 405 with an `Allow` header that
lists every method of every route on that path (Starlette names only the first
route it finds). HEAD is served wherever GET is, OPTIONS answers 204 with
`Allow`. A body sent as something other than JSON is answered 415 before it
is read, so `curl -d` (form encoded) gets a clear answer instead of a
confusing parse error; a body sent with no Content-Type is read as JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import Message
from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from geode.api.rest.schemas import ErrorBody

JSON = "application/json"
ORIGINAL_METHOD = "geode.original_method"  # set in the scope when HEAD is served as GET


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route fully matches at this path (HEAD with GET, and OPTIONS).

    Asks each route with each method rather than reading route attributes, so
    routers included into the app answer like plain routes."""
    allowed = [
        method
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    if not allowed:
        return []
    if "GET" in allowed:
        allowed.append("HEAD")
    allowed.append("OPTIONS")
    return sorted(allowed, key=_METHODS.index)


class HeadAsGet:
    """Serve HEAD with the GET route and drop the body; uvicorn keeps the headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: ASGIMessage) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET", ORIGINAL_METHOD: "HEAD"}, receive, without_body)


class JsonByDefault:
    """A body sent without a Content-Type is read as JSON on every route (raw-byte
    clients such as `httpx.post(content=...)` name no type); FastAPI alone would
    refuse it on routes with a model body and accept it on the others."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH"):
            headers: list[tuple[bytes, bytes]] = scope["headers"]
            if not any(name == b"content-type" for name, _ in headers):
                scope = {**scope, "headers": [*headers, (b"content-type", JSON.encode())]}
        await self.app(scope, receive, send)


def _media_type(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("content-type")
    if header is None or not header.strip():
        return None, None
    parsed = Message()
    parsed["content-type"] = header
    charset = parsed.get_param("charset")
    return parsed.get_content_type(), str(charset).lower() if isinstance(charset, str) else None


def body_of(*accepted: str) -> Callable[[Request], None]:
    """A dependency refusing a body whose Content-Type is not one of `accepted`.

    No Content-Type at all is taken as JSON (see `JsonByDefault`): clients that
    send raw bytes without naming them have always been served.
    A charset other than UTF-8 is refused: JSON text is UTF-8 (RFC 8259).
    """

    def check(request: Request) -> None:
        media_type, charset = _media_type(request)
        if media_type is None:
            return
        is_json = media_type == JSON or (
            media_type.startswith("application/") and media_type.endswith("+json")
        )
        if (media_type in accepted or (is_json and JSON in accepted)) and charset in (
            None,
            "utf-8",
            "utf8",
        ):
            return
        names = " or ".join(accepted)
        sent = request.headers.get("content-type", "")
        raise HTTPException(
            415,
            f"the request body must be sent as {names} (UTF-8), not {sent!r}: "
            f"set the header Content-Type: {accepted[0]}",
            headers={"Accept-Post": ", ".join(accepted)} if request.method == "POST" else None,
        )

    return check


def unsupported_media_type(*accepted: str) -> dict[str, Any]:
    """The OpenAPI answer documenting a 415 for these media types."""
    return {
        "model": ErrorBody,
        "description": f"The body's Content-Type is not {' or '.join(accepted)} "
        "(`unsupported_media_type`). No Content-Type is read as JSON.",
    }


def install(api: FastAPI) -> None:
    api.add_middleware(HeadAsGet)
    api.add_middleware(JsonByDefault)
