"""Logging in and out, and the language switch."""

from __future__ import annotations

from flask import make_response, redirect, request, url_for
from flask_babel import gettext as _

from gateway.identity.api import limit_guesses_per_account, limit_guesses_per_address
from gateway.ui import user
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import form_page
from kinerja.errors import Unauthorized

LOCALE_COOKIE_SECONDS = 365 * 24 * 3600


@ui.route("/login", methods=["GET", "POST"])
@limit_guesses_per_account  # the API's counters: one budget whichever door is used
@limit_guesses_per_address
def login():
    form = Form.posted(request.form) if request.method == "POST" else Form()
    form.values.pop("password", None)  # never sent back to the browser
    if request.method == "GET":
        if user.current_user() is not None:
            return redirect(user.safe_next(request.args.get("next")))
        return form_page("login.html", form)
    if not form.require("username") or not request.form.get("password"):
        form.errors.setdefault("password", []).append(_("wajib diisi"))
        return form_page("login.html", form)
    try:
        user.log_in(request.form["username"].strip(), request.form["password"])
    except Unauthorized:
        form.message = _("NIP/nama pengguna atau kata sandi salah.")
        return form_page("login.html", form, status=401)
    return redirect(user.safe_next(request.args.get("next")))


@ui.route("/logout", methods=["POST"])
def logout():
    user.log_out()
    return redirect(url_for("ui.login"))


@ui.route("/lang/<any(id, en):code>")
def switch_language(code: str):
    response = make_response(redirect(user.safe_next(request.args.get("next"))))
    response.set_cookie("lang", code, max_age=LOCALE_COOKIE_SECONDS, samesite="Lax", httponly=True)
    return response
