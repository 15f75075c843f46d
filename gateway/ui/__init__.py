"""The web UI: server-rendered pages over the services' APIs, for every role.

Indonesian by default, English by a switch (Flask-Babel); each form posts back to its
page and, when the API refuses it, shows the errors beside the fields with what the user
typed. htmx adds small in-place updates. The browser holds a session cookie (HttpOnly,
SameSite=Lax, Secure behind HTTPS) with the user's tokens; every form carries a CSRF token
and a key of its own, so a double submit applies once (submissions.py).

Layout: user.py (login, the current user, role checks), api.py (calls to the services
with the user's token), forms.py (what a form shows back), refusals.py (a service's refusal
on a form), views/ (one module per area), templates/ui/ and static/ui/.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, generate_csrf

from gateway.ui import formatting, submissions, views  # noqa: F401 - importing the views adds their routes to `ui`
from gateway.ui.blueprint import ui
from gateway.ui.navigation import nav_items
from gateway.ui.pages import error_page
from kinerja.config import Settings

LOCALES = ("id", "en")
LOCALE_COOKIE = "lang"
TRANSLATIONS = Path(__file__).parent / "translations"

# The UI's pages may load only their own scripts and styles; inline styles are allowed
# because the SVG charts carry theirs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


def select_locale() -> str:
    chosen = request.cookies.get(LOCALE_COOKIE)
    return chosen if chosen in LOCALES else LOCALES[0]


def session_key(settings: Settings) -> str:
    """The UI's own key when configured, else one derived from the token signing key."""
    if settings.ui_secret_key:
        return settings.ui_secret_key
    return hashlib.sha256(b"kinerja360-ui:" + settings.jwt_signing_key.encode()).hexdigest()


def install_ui(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=session_key(settings),
        SESSION_COOKIE_NAME="kinerja360_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,  # bound to the session, which ends with logout
        BABEL_DEFAULT_LOCALE=LOCALES[0],
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS),
    )
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        csrf_token=generate_csrf,
        submission_key=submissions.new_key,
        nav_items=nav_items,
        amount=formatting.amount,
        day=formatting.day,
    )
    app.register_blueprint(ui)

    @app.errorhandler(CSRFError)
    def csrf_failed(_error: CSRFError):
        return error_page(400, _l("Formulir kedaluwarsa atau tidak sah; muat ulang halaman."))

    @app.after_request
    def secure_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # nothing the gateway serves is meant to be framed: the API docs page neither
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.blueprint == ui.name or request.path == "/":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            if "tokens" in session:
                response.headers.setdefault("Cache-Control", "no-store")
        return response
