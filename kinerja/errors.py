"""Errors as values: domain code raises these, the HTTP layer turns them into 4xx/5xx.

Pure on purpose: domain modules import this without pulling in Flask.
"""

from __future__ import annotations


class AppError(Exception):
    """An error a client should see, with a stable code and optional field messages."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code

    def to_body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class UnstorableText(AppError):
    """Text that cannot be stored or looked up: an unpaired UTF-16 surrogate (JSON's
    "\\ud800" alone), which UTF-8, and so BSON, cannot encode."""

    status = 400
    code = "unstorable_text"


class ValidationFailed(AppError):
    status = 422
    code = "validation_failed"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class Unavailable(AppError):
    """A dependency (database, broker, another service) does not answer right now."""

    status = 503
    code = "unavailable"
