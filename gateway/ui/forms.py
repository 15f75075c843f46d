"""What a form shows back: the values the user typed and the errors beside each field.

The services validate; the UI does not repeat their rules. An API error's `fields`
(`{"activities[0].quantity": ["must be > 0"]}`) lands beside the matching input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.ui.api import ApiError


@dataclass
class Form:
    values: dict = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""  # the error said once above the form

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> Form:
        return cls(values={k: v for k, v in form.items() if k != "csrf_token"})

    def value(self, name: str, default: object = "") -> object:
        return self.values.get(name, default)

    def error(self, name: str) -> str:
        return "; ".join(self.errors.get(name, []))

    def refused(self, error: ApiError) -> Form:
        """The same form with the API's verdict on it."""
        self.errors = {k: list(v) for k, v in error.fields.items()}
        self.message = error.message
        return self

    def require(self, *names: str, message: str = "wajib diisi") -> bool:
        """Fields the page itself needs before it can build a request."""
        for name in names:
            if not str(self.values.get(name, "")).strip():
                self.errors.setdefault(name, []).append(message)
        return not self.errors
