"""Request bodies, bounded before any endpoint sees them.

Every body but an upload (a mass-operation file or a media file, streamed to
disk with its own limit, see `massops._receive` and `media.upload`) is read
here up to `max_request_bytes`: a bigger one is answered 413 before it is read
whole, by its Content-Length when it declares one, else by counting. A JSON
body is then held to the nesting limit and must not repeat a key: 422 naming
the path, instead of a framework's recursion error (a plain-text 500) or a
silently dropped value. Batch POSTs are checked
by `batch.parse_envelope` itself, so here they are only capped.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geode.api.rest.errors import error_response
from geode.json_input import JsonInputError, decode_checked


class BodyLimits:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        max_depth: int,
        streamed: tuple[tuple[str, str], ...] = (),
        checked_elsewhere: str | None = None,
    ) -> None:
        """`streamed`: (method, path) pairs left alone; `checked_elsewhere`: a path
        prefix whose JSON the endpoint checks itself."""
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.streamed = streamed
        self.checked_elsewhere = checked_elsewhere

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) in self.streamed:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        body = bytearray()
        disconnect: Message | None = None
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                disconnect = message
                break
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        problem = self._json_problem(scope, bytes(body))
        if problem is not None:
            detail = [{"path": problem.path, "message": problem.message, "code": problem.code}]
            response = error_response(
                422,
                f"the request body is not accepted at {problem.path}: {problem.message}",
                "invalid_input",
                detail,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(bytes(body), disconnect, receive), send)

    def _json_problem(self, scope: Scope, body: bytes) -> JsonInputError | None:
        if not body or (
            self.checked_elsewhere is not None and scope["path"].startswith(self.checked_elsewhere)
        ):
            return None
        content_type = _header(scope, b"content-type") or ""
        if content_type and "json" not in content_type.lower():
            return None
        try:
            decode_checked(body, self.max_depth)
        except JsonInputError as exc:
            return exc
        except msgspec.DecodeError:
            return None  # not JSON at all: the endpoint says so in its own words
        return None

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            f"the request body is larger than {self.max_bytes} bytes, the most this server "
            "reads (GEODE_MAX_REQUEST_BYTES); send less per request",
            "payload_too_large",
            {"maxBytes": self.max_bytes},
        )
        response.headers["connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _replay(body: bytes, disconnect: Message | None, receive: Receive) -> Receive:
    """The body read here, then the client's own messages (a disconnect, later)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if disconnect is not None:
            return disconnect
        return await receive()

    return replay


def limits_for(
    settings: Any, uploads: tuple[tuple[str, str], ...], batch_prefix: str
) -> dict[str, Any]:
    """The middleware's options from the app's settings; `uploads` stream their own
    bodies, with their own limits."""
    return {
        "max_bytes": settings.max_request_bytes,
        "max_depth": settings.max_json_depth,
        "streamed": uploads,
        "checked_elsewhere": batch_prefix,
    }
