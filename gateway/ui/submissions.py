"""A form submitted twice applies once: a double click, a resent POST, two tabs.

Every form the UI renders carries its own random key (`submission_key`, in the same macro
as the CSRF token, which is the session's and so the same on every form). The page's
writes carry it on as idempotency keys (kinerja/idempotency.py), so the second of two
identical submissions changes nothing:

- each call the page makes to a service gets `Idempotency-Key: ui.<key>.<n>` (n counts the
  page's writes, the same sequence for the same submission); the service replays its first
  answer, or refuses with `already_applied` while the first is still being written;
- a write the gateway makes itself (the directory, accounts) records the page's own claim
  in its transaction, and a repeat gets the first submission's answer (its redirect) back.

A form shown again after a refusal gets a new key: the corrected submission is a new one.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from flask import Response, g, request

from kinerja import idempotency

FIELD = "submission_key"


def new_key() -> str:
    """A fresh key for one rendered form (a Jinja global: each call, another key)."""
    return uuid.uuid4().hex


def posted_key() -> str | None:
    """The key of this request's form, when it is a well-formed one."""
    key = request.form.get(FIELD, "") if request.method == "POST" else ""
    return key if idempotency.KEY_PATTERN.match(key or "") else None


def next_service_key() -> str | None:
    """The Idempotency-Key of the page's next write to a service; None without a form key."""
    key = posted_key()
    if key is None:
        return None
    g.ui_writes = g.get("ui_writes", 0) + 1
    return f"ui.{key}.{g.ui_writes}"


def replay_or_claim(subject: str | None) -> Response | None:
    """Before the page runs: the first answer to this submission, or None after claiming it
    for the gateway's own write (the unit of work records the claim with the write)."""
    key = posted_key()
    if key is None or subject is None:
        return None
    # the form as parsed (the CSRF check has read the body already)
    posted = urlencode(sorted(request.form.items(multi=True))).encode()
    claim = idempotency.claim_for(subject, f"ui.{key}", request.method, request.path, posted)
    answer = idempotency.previous_answer(g.kinerja.db, claim)
    if answer is not None:
        return answer
    g.idempotency_claim = claim
    return None
