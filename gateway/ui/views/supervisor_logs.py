"""Supervisor: the daily logs of the team. The verification queue (verify one entry, or
several ticked at once; reject one with the reason), and a report's month of logs with
its silent days and its progress against the SKP, where a verification is revoked."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, form_page
from gateway.ui.refusals import refuse
from gateway.ui.views.supervisor import chosen_month, employee, team_of

ENTRY_STATUS = {
    "pending": _l("Menunggu verifikasi"),
    "verified": _l("Terverifikasi"),
    "rejected": _l("Ditolak"),
    "withdrawn": _l("Ditarik"),
}


@dataclass(frozen=True)
class QueueRow:
    id: str
    nip: str
    name: str
    date: str
    activity_id: str
    description: str
    quantity: float | None
    minutes: int
    completes_output: bool = False  # verifying it adds its quantity to the SKP's realization


def queue_rows(queue: list[dict], names: dict[str, str], only: str = "") -> list[QueueRow]:
    """The queue as the table shows it, oldest first, for one report when `only` names one."""
    return [
        QueueRow(
            id=entry["id"],
            nip=entry["nip"],
            name=names.get(entry["nip"], entry["nip"]),
            date=entry["date"],
            activity_id=entry["activity_id"],
            description=entry["description"],
            quantity=entry["quantity"],
            minutes=entry["minutes"],
            completes_output=bool(entry.get("completes_output")),
        )
        for entry in queue
        if not only or entry["nip"] == only
    ]


def verification_messages(result: dict) -> list[tuple[str, str]]:
    """What the bulk verification did, as flash messages (category, text)."""
    messages = []
    if result["verified"]:
        count = len(result["verified"])
        messages.append(("message", _("%(count)s entri diverifikasi.", count=count)))
    if result["refused"]:
        reasons = "; ".join(sorted(set(result["refused"].values())))
        count = len(result["refused"])
        text = _(
            "%(count)s entri tidak dapat diverifikasi: %(reasons)s", count=count, reasons=reasons
        )
        messages.append(("error", text))
    return messages


@ui.route("/team/logs", methods=["GET", "POST"])
@user.login_required("supervisor")
def team_logs():
    only = request.args.get("nip", "")
    form, status, ticked = Form(values={"nip": only}), None, set()
    if request.method == "POST":
        form = Form.posted(request.form)
        form.values["nip"] = only
        ticked = set(form.values_of("entry_ids"))
        # the second bulk button verifies every entry the table showed
        shown = form.value("scope") == "shown"
        chosen = set(form.values_of("shown_ids")) if shown else ticked
        try:
            messages = _verify(form, chosen)
        except ApiError as error:
            status = refuse(form, error)
        else:
            if messages:
                for category, message in messages:
                    flash(message, category)
                return redirect(url_for("ui.team_logs", nip=only or None))
    try:
        queue = api.get("logs", "verification-queue")
    except ApiError as error:
        return error_page(error.status, error.message)
    members = team_of(user.current_user().subject)
    names = {member.nip: member.name for member in members}
    return form_page(
        "supervisor/queue.html",
        form,
        status=status,
        rows=queue_rows(queue, names, only),
        waiting=len(queue),
        ticked=ticked,
        people=[("", _("Semua pegawai"))] + [(m.nip, m.name) for m in members],
        only=only,
    )


def _verify(form: Form, chosen: set[str]) -> list[tuple[str, str]] | None:
    """One entry, or the chosen ones (one API call); the flash messages, or None with the
    errors on the form."""
    action = form.value("action")
    if action == "verify":
        api.send("POST", "logs", f"entries/{form.value('entry_id')}/verify")
        return [("message", _("Entri diverifikasi."))]
    if action == "verify_many":
        if not chosen:
            form.errors["entry_ids"] = [_("Pilih setidaknya satu entri untuk diverifikasi.")]
            form.message = form.errors["entry_ids"][0]
            return None
        result = api.send("POST", "logs", "entries/verify", {"entry_ids": sorted(chosen)})
        return verification_messages(result)
    abort(400)


@ui.route("/team/logs/<entry_id>/reject", methods=["GET", "POST"])
@user.login_required("supervisor")
def team_log_reject(entry_id: str):
    only = request.args.get("nip", "")  # the queue's filter, kept for the way back
    form, status = Form(), None
    if request.method == "POST":
        form = Form.posted(request.form)
        if form.require("reason", message=_("wajib diisi")):
            reason = str(form.value("reason")).strip()
            try:
                api.send("POST", "logs", f"entries/{entry_id}/reject", {"reason": reason})
            except ApiError as error:
                status = refuse(form, error)
            else:
                flash(_("Entri ditolak; pegawai dapat memperbaikinya."))
                return redirect(url_for("ui.team_logs", nip=only or None))
    try:
        queue = api.get("logs", "verification-queue")
    except ApiError as error:
        return error_page(error.status, error.message)
    entry = next((e for e in queue if e["id"] == entry_id), None)
    if entry is None:
        return error_page(404, _("Entri ini tidak lagi menunggu verifikasi."))
    owner = employee(entry["nip"])
    return form_page(
        "supervisor/reject.html",
        form,
        status=status,
        entry=entry,
        owner_name=owner.name if owner else entry["nip"],
        only=only,
    )


@ui.route("/team/<nip>/logs", methods=["GET", "POST"])
@user.login_required("supervisor")
def team_member_logs(nip: str):
    month = chosen_month(request.args.get("month"))
    form, status = Form(values={"month": month}), None
    if request.method == "POST":
        form = Form.posted(request.form)
        form.values["month"] = month
        try:
            if form.value("action") != "revoke":
                abort(400)
            api.send("POST", "logs", f"entries/{form.value('entry_id')}/revoke")
        except ApiError as error:
            status = refuse(form, error)
        else:
            flash(_("Verifikasi dibatalkan; hasilnya keluar lagi dari realisasi SKP."))
            return redirect(url_for("ui.team_member_logs", nip=nip, month=month))
    try:
        recap = api.get("logs", f"employees/{nip}/recap", month=month)
        entries = api.get("logs", "entries", month=month, nip=nip)
    except ApiError as error:
        return error_page(error.status, error.message)
    owner = employee(nip)
    return form_page(
        "supervisor/member_logs.html",
        form,
        status=status,
        nip=nip,
        owner=owner,
        month=month,
        recap=recap,
        entries=entries,
        entry_status=ENTRY_STATUS,
    )
