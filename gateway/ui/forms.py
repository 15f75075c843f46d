"""What a form shows back: the values the user typed and the errors beside each field.

The services validate; the UI does not repeat their rules. An API error's `fields`
(`{"activities": {"0": {"quantity": [...]}}}` or `{"activities[0].quantity": [...]}`) land
beside the input named `activities[0].quantity`; refusals.py says how (`refuse`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from gateway.ui import submissions
from gateway.ui.api import ApiError
from gateway.ui.refusals import flat_fields

CSRF_FIELD = "csrf_token"
# fields every form carries for the UI itself, never the user's input
HIDDEN_FIELDS = frozenset({CSRF_FIELD, submissions.FIELD})


@dataclass
class Form:
    # a name posted once holds its text; a name posted several times (a group of
    # checkboxes) holds the list of them
    values: dict[str, object] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""  # the error said once above the form

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> Form:
        """What was posted, without the CSRF token and submission key. A plain mapping has one
        value a name; a request's form (a MultiDict) keeps every value of a name posted
        several times."""
        every_value = getattr(form, "getlist", None)
        values: dict[str, object] = {}
        for name in form:
            if name in HIDDEN_FIELDS:
                continue
            posted = every_value(name) if every_value else [form[name]]
            values[name] = posted[0] if len(posted) == 1 else posted
        return cls(values=values)

    def value(self, name: str, default: object = "") -> object:
        """The value of a name: its text (a list for a name posted several times)."""
        return self.values.get(name, default)

    def values_of(self, name: str) -> list[str]:
        """Every value of a name, however many were posted: none, one or several."""
        value = self.values.get(name)
        if value is None:
            return []
        if isinstance(value, list | tuple | set):
            return [str(item) for item in value]
        return [str(value)]

    def error(self, name: str) -> str:
        return "; ".join(self.errors.get(name, []))

    def refused(self, error: ApiError, rename: Callable[[str], str] | None = None) -> Form:
        """The same form with the API's verdict on it: each field's errors under its input's
        name (nested errors flattened, known messages in the UI's language; `rename` maps a
        field's name to its input's when they differ), the service's message above."""
        errors: dict[str, list[str]] = {}
        for name, messages in flat_fields(error.fields).items():
            errors.setdefault(rename(name) if rename else name, []).extend(messages)
        self.errors = errors
        self.message = error.message
        return self

    def require(self, *names: str, message: str = "wajib diisi") -> bool:
        """Fields the page itself needs before it can build a request."""
        for name in names:
            if not str(self.values.get(name, "")).strip():
                self.errors.setdefault(name, []).append(message)
        return not self.errors

    def decimals(self, prefix: str, names: Iterable[str]) -> dict[str, str]:
        """The number inputs `prefix` + name that were filled in, by name, as `decimal_text`
        reads them; an input left empty is left out (nothing to send for it)."""
        typed = {name: str(self.values.get(f"{prefix}{name}", "")).strip() for name in names}
        return {name: decimal_text(text) for name, text in typed.items() if text}


def decimal_text(text: object) -> str:
    """A typed number for an API's exact decimals, still as text: trimmed, a decimal comma
    read as a point (12,5 is 12.5). Anything else stays as typed, for the service to refuse
    by name (the UI does not repeat its rules)."""
    return str(text).strip().replace(",", ".")
