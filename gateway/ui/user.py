"""Who is using the UI: login and logout through identity, tokens kept in the session.

The session cookie (signed, HttpOnly) holds the user's access and refresh tokens; an
expired or revoked access token is traded for a new pair once, and a refused trade ends
the session. Two page loads that trade the same refresh token at once (a browser loads
several) both get the same new pair (identity's refresh grace), so neither ends it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Response, abort, g, redirect, request, session, url_for

from gateway.identity import commands as identity
from kinerja import revocation
from kinerja.auth import Principal, verify_access_token
from kinerja.errors import AppError
from kinerja.web import service_context

TOKENS = "tokens"


def log_in(username: str, password: str) -> Principal:
    """Raises Unauthorized for a wrong username or password."""
    context = service_context()
    tokens = identity.log_in(context.db, context.settings, username, password)
    session.clear()  # a new session id on login: no fixation
    session[TOKENS] = {k: tokens[k] for k in ("access_token", "refresh_token")}
    g.pop("ui_user", None)
    return verify_access_token(context.settings, tokens["access_token"])


def log_out() -> None:
    user, tokens = current_user(), session.get(TOKENS) or {}
    if user is not None:
        context = service_context()
        # the session ends here whatever the tokens' state
        with contextlib.suppress(AppError):
            identity.log_out(context.uow, context.settings, user, tokens.get("refresh_token"))
    session.clear()
    g.pop("ui_user", None)


def current_user() -> Principal | None:
    """The logged-in user, refreshing an expired access token once; None when logged out."""
    if "ui_user" in g:
        return g.ui_user
    g.ui_user = _user_from_session()
    return g.ui_user


def _user_from_session() -> Principal | None:
    tokens = session.get(TOKENS)
    if not tokens:
        return None
    context = service_context()
    try:
        principal = verify_access_token(context.settings, tokens["access_token"])
        if not revocation.is_revoked(principal):
            return principal
    except AppError:
        pass
    try:
        renewed = identity.refresh(context.uow, context.settings, tokens["refresh_token"])
    except AppError:
        session.clear()
        return None
    session[TOKENS] = {k: renewed[k] for k in ("access_token", "refresh_token")}
    return verify_access_token(context.settings, renewed["access_token"])


def access_token() -> str:
    return (session.get(TOKENS) or {}).get("access_token", "")


def login_required(*roles: str) -> Callable:
    """Page decorator: logged in (else to the login page), and one of `roles` if named."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            user = current_user()
            if user is None:
                return to_login()
            if roles and not user.has_any(roles):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def to_login() -> Response:
    """The way to the login page for a request without a session, coming back afterwards.

    An htmx request (`HX-Request`) would swap a redirect's target, the login page, into the
    part of the page it updates (inside a form): it gets 401 with `HX-Redirect` instead, and
    htmx sends the whole browser there, to come back to the page it was on."""
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = current.path + (f"?{current.query}" if current.query else "")
        login = url_for("ui.login", next=safe_next(back or None))
        return Response(status=401, headers={"HX-Redirect": login})
    return redirect(url_for("ui.login", next=request.full_path.rstrip("?")))


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target:
        return url_for("ui.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("ui.home")
    return target
