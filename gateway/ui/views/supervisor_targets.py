"""Supervisor: a report's SKP with its activities; a submitted one is approved, or returned
with notes on what to change."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, form_page
from gateway.ui.refusals import refuse
from gateway.ui.views.supervisor import SKP_STATUS, employee

SUBMITTED = "submitted"


def notes_given(versions: list[dict]) -> list[dict]:
    """The versions that came back with notes, newest first: what was asked before."""
    return [version for version in reversed(versions) if version.get("notes")]


@ui.route("/team/skp/<nip>/<cycle>", methods=["GET", "POST"])
@user.login_required("supervisor")
def team_skp(nip: str, cycle: str):
    form, status = Form(), None
    if request.method == "POST":
        form = Form.posted(request.form)
        try:
            done = _decide(form, nip, cycle)
        except ApiError as error:
            status = refuse(form, error)
        else:
            if done:
                flash(done)
                return redirect(url_for("ui.team", cycle=cycle))
    try:
        skp = api.get("targets", f"skps/{nip}/{cycle}")
        versions = api.get("targets", f"skps/{nip}/{cycle}/versions")
    except ApiError as error:
        return error_page(error.status, error.message)
    return form_page(
        "supervisor/skp.html",
        form,
        status=status,
        skp=skp,
        owner=employee(nip),
        earlier=notes_given(versions),
        skp_status=SKP_STATUS,
        # a revision waits on its own version while the approved one stays in force
        decidable=skp["current"]["status"] == SUBMITTED,
        contract_differs=bool(skp["contract"])
        and skp["contract"]["number"] != skp["current"]["number"],
    )


def _decide(form: Form, nip: str, cycle: str) -> str | None:
    """Approve or return (one API call); the flash message, or None with errors on the form."""
    action = form.value("action")
    if action == "approve":
        api.send("POST", "targets", f"skps/{nip}/{cycle}/approve")
        return _("SKP disetujui dan menjadi kontrak kinerja tahun ini.")
    if action == "return":
        if not form.require("notes", message=_("wajib diisi")):
            return None
        notes = str(form.value("notes")).strip()
        api.send("POST", "targets", f"skps/{nip}/{cycle}/return", {"notes": notes})
        return _("SKP dikembalikan kepada pegawai dengan catatan.")
    abort(400)
