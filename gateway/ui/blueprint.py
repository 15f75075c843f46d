"""The UI's blueprint: every page's route hangs on it, and every POST is CSRF-checked."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import get_locale
from flask_wtf.csrf import validate_csrf

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
        validate_csrf(request.form.get("csrf_token"))


@ui.app_context_processor
def page_context() -> dict:
    return {"user": user.current_user(), "locale": str(get_locale() or "id")}
