"""One error hierarchy with stable codes, shared by every front door.

A front door maps `GeodeError` to its own shape (CLI message and exit status,
REST `{"error", "code", "detail"}`, GraphQL error types); the `code` strings
are part of the public contract and must not change once released.
"""

from __future__ import annotations

from typing import Any


class GeodeError(Exception):
    """A problem the user can act on. Anything else escaping is a bug."""

    code: str = "error"

    def __init__(self, message: str, *, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFoundError(GeodeError):
    code = "not_found"


class AlreadyExistsError(GeodeError):
    code = "already_exists"


class InvalidInputError(GeodeError):
    code = "invalid_input"


class InvalidFileError(InvalidInputError):
    """A mass-operation file that breaks the format; `detail` lists every problem."""

    code = "invalid_file"


class ConflictError(GeodeError):
    """The request is valid but the stored state does not allow it now."""

    code = "conflict"


class AuthenticationError(GeodeError):
    code = "unauthenticated"


class InvalidSettingError(GeodeError):
    """A GEODE_* environment variable the process cannot start with."""

    code = "invalid_setting"


class PayloadTooLargeError(GeodeError):
    """A request body or upload over its configured limit; `detail` gives the limit."""

    code = "payload_too_large"


class UnsupportedFileTypeError(InvalidInputError):
    """An uploaded file whose bytes are not one of the allowed image or video types."""

    code = "unsupported_file_type"
