"""The start page: what each of the user's roles can do, with their open work."""

from __future__ import annotations

from gateway.ui import user
from gateway.ui.blueprint import ui
from gateway.ui.pages import page


@ui.route("/")
@user.login_required()
def home():
    return page("home.html")
