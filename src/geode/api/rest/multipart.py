"""A multipart/form-data body read as a stream: one file part, a few text fields.

Starlette's `request.form()` spools a file to a temporary file before the
endpoint sees any of it, without a size limit; here the file's bytes are handed
on as they arrive (`file_chunks`), so the media store checks, hashes and writes
them in one pass and refuses a file too big or of the wrong kind while it is
still coming. Text fields may come before or after the file.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import Request
from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from geode.errors import InvalidInputError, PayloadTooLargeError

FIELD_MAX_BYTES = 1024
"""A text field's value at most (a language code, a resource identifier)."""
MAX_PARTS = 16
FORM_OVERHEAD = 64 * 1024
"""What a body may hold beyond its file: boundaries, part headers, the text fields."""


@dataclass(frozen=True)
class FilePart:
    filename: str | None
    content_type: str | None


def _refused(message: str, path: str = "body") -> InvalidInputError:
    return InvalidInputError(f"{path}: {message}", detail={"path": path, "message": message})


def too_large(limit: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"file: the file is larger than {limit} bytes, the most this server accepts "
        "(GEODE_MEDIA_MAX_BYTES)",
        detail={"path": "file", "maxBytes": limit},
    )


class FormStream:
    """`await open_file()`, then consume `file_chunks()`, then `await finish()` for the
    text fields. Any other field name than `file_field` and `fields` is refused."""

    def __init__(
        self, request: Request, file_field: str, fields: tuple[str, ...], max_file_bytes: int
    ) -> None:
        """`max_file_bytes` bounds the whole body (with FORM_OVERHEAD); the file itself
        is held to it by its reader."""
        _, options = parse_options_header(request.headers.get("content-type", ""))
        boundary = options.get(b"boundary")
        if not boundary:
            raise _refused(
                "the multipart body names no boundary in its Content-Type; let the client "
                "build it (curl -F file=@photo.jpg)"
            )
        self.file_field = file_field
        self.max_body = max_file_bytes + FORM_OVERHEAD
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            raise too_large(max_file_bytes)
        self.max_file_bytes = max_file_bytes
        self._received = 0
        self._parts = 0
        self.allowed = fields
        self.fields: dict[str, str] = {}
        self._stream = request.stream().__aiter__()
        self._events: deque[tuple[str, bytes | FilePart | None]] = deque()
        self._ended = False
        self._file_seen = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._is_file = False
        self._value = bytearray()
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_part,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
        )

    async def open_file(self) -> FilePart:
        """Read up to the file part's data; its name and declared type."""
        while True:
            kind, value = await self._next()
            if kind == "file":
                assert isinstance(value, FilePart)
                return value
            if kind == "done":
                raise _refused(
                    f"the form has no `{self.file_field}` part: send the file as "
                    f"`{self.file_field}` (curl -F {self.file_field}=@photo.jpg)",
                    self.file_field,
                )

    async def file_chunks(self) -> AsyncIterator[bytes]:
        while True:
            kind, value = await self._next()
            if kind == "data":
                assert isinstance(value, bytes)
                yield value
            elif kind in ("end", "done"):
                return

    async def finish(self) -> dict[str, str]:
        """Read the rest of the body; the text fields."""
        while (await self._next())[0] != "done":
            pass
        return self.fields

    async def _next(self) -> tuple[str, bytes | FilePart | None]:
        while not self._events:
            try:
                chunk = await self._stream.__anext__()
            except StopAsyncIteration:
                if not self._ended:
                    raise _refused(
                        "the multipart body ends before its closing boundary (cut short?)"
                    ) from None
                return "done", None
            self._received += len(chunk)
            if self._received > self.max_body:
                raise too_large(self.max_file_bytes)
            try:
                self._parser.write(chunk)
            except FormParserError as exc:
                raise _refused(f"the multipart body is malformed ({exc})") from None
        return self._events.popleft()

    # -- parser callbacks -------------------------------------------------------------

    def _part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise _refused(f"more than {MAX_PARTS} parts; send the file and its fields once")
        self._headers = {}
        self._value = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        self._is_file = self._name == self.file_field
        if self._is_file:
            if self._file_seen:
                raise _refused("send one file per request", self.file_field)
            self._file_seen = True
            filename = options.get(b"filename")
            declared = self._headers.get(b"content-type")
            self._events.append(
                (
                    "file",
                    FilePart(
                        filename.decode("utf-8", "replace") if filename is not None else None,
                        declared.decode("latin-1") if declared else None,
                    ),
                )
            )
        elif self._name not in self.allowed:
            names = ", ".join((self.file_field, *self.allowed))
            raise _refused(f"unknown field {self._name!r}; this form takes {names}", self._name)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            self._events.append(("data", bytes(data[start:end])))
            return
        self._value += data[start:end]
        if len(self._value) > FIELD_MAX_BYTES:
            raise _refused(f"longer than {FIELD_MAX_BYTES} bytes", self._name)

    def _part_end(self) -> None:
        if self._is_file:
            self._events.append(("end", None))
            return
        try:
            self.fields[self._name] = self._value.decode("utf-8")
        except UnicodeDecodeError:
            raise _refused("not UTF-8 text", self._name) from None

    def _end(self) -> None:
        self._ended = True
