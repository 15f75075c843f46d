"""The UI's blueprint: every page's route hangs on it, and every POST is CSRF-checked."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from gateway.ui import user

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


@ui.app_context_processor
def page_context() -> dict:
    return {"user": user.current_user(), "locale": str(get_locale() or "id")}
