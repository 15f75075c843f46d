"""The UI's blueprint: every page's route hangs on it; every POST is CSRF-checked and
applied once (submissions.py)."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from gateway.ui import submissions, user

ui = Blueprint(
    "ui",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@ui.before_request
def check_csrf() -> None:
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as error:
            # validate_csrf raises wtforms' error; the app answers CSRFError with a 400 page
            raise CSRFError(error.args[0] if error.args else None) from error


@ui.before_request
def apply_a_submission_once():
    """After the CSRF check: a repeated submission gets the first one's answer."""
    if request.method == "POST":
        user_now = user.current_user()
        return submissions.replay_or_claim(user_now.subject if user_now else None)
    return None


@ui.app_context_processor
def page_context() -> dict:
    return {"user": user.current_user(), "locale": str(get_locale() or "id")}
