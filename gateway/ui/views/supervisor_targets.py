"""Supervisor: a report's SKP with its activities; a submitted one is approved, or returned
with notes on what to change. The realization the employee entered waits here for my
confirmation or rejection (a quantity above the bound needs my written reason). At the
period's end I record each approved activity's realization myself: the quality I assess,
and the quantity (of an activity without daily logs), time and cost; mine counts at once."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, form_page
from gateway.ui.refusals import refuse
from gateway.ui.views.supervisor import employee, my_own
from gateway.ui.vocabulary import SKP_STATUSES

SUBMITTED = "submitted"
AWAITING = "pending"
REALIZATION_ACTIONS = {"confirm_realization": "confirm", "reject_realization": "reject"}
RECORD = "record_realization"
RECORDED = ("quality", "quantity", "months", "cost")  # the inputs `<activity>.<aspect>`
# the reason for a quantity above the bound; not `<activity>.reason`, the name the pending
# realization's form gives its reason on the same page
RECORDED_REASON = "quantity_reason"


@dataclass(frozen=True)
class PendingRow:
    """An activity's realization as the employee entered it, beside its target."""

    activity: dict
    realization: dict
    above_bound: bool  # the quantity is above the bound: my reason is required


def pending_rows(skp: dict) -> list[PendingRow]:
    """The realizations awaiting my confirmation, in the contract's order."""
    waiting = skp.get("pending_realization") or {}
    bound = skp.get("realization_bound") or 0
    rows = []
    for activity in (skp.get("contract") or {}).get("activities", []):
        realized = waiting.get(activity["id"])
        if realized and realized.get("status") == AWAITING:
            quantity = realized.get("quantity")
            above = quantity is not None and quantity > bound * activity["quantity"]
            rows.append(PendingRow(activity, realized, above))
    return rows


@dataclass(frozen=True)
class RecordingRow:
    """An activity of the contract as I record its realization: its target, what counts."""

    activity: dict
    realized: dict  # the realization that counts now ({} before any)
    from_logs: bool  # its quantity comes from verified daily logs: none is typed in
    limit: float  # a quantity above this needs my written reason


def recording_rows(skp: dict) -> list[RecordingRow]:
    """Every activity of the approved SKP, in the contract's order; none before approval."""
    realization = skp.get("realization") or {}
    bound = skp.get("realization_bound") or 0
    rows = []
    for activity in (skp.get("contract") or {}).get("activities", []):
        realized = realization.get(activity["id"]) or {}
        from_logs = realized.get("quantity_source") == "logs"
        rows.append(RecordingRow(activity, realized, from_logs, bound * activity["quantity"]))
    return rows


def recorded_input(activity: str):
    """The API's field of my realization as the input beside which its error goes."""

    def rename(name: str) -> str:
        return f"{activity}.{RECORDED_REASON if name == 'reason' else name}"

    return rename


def notes_given(versions: list[dict]) -> list[dict]:
    """The versions that came back with notes, newest first: what was asked before."""
    return [version for version in reversed(versions) if version.get("notes")]


@ui.route("/team/skp/<nip>/<cycle>", methods=["GET", "POST"])
@user.login_required("supervisor")
def team_skp(nip: str, cycle: str):
    if own := my_own(nip, "ui.my_skp", cycle):
        return own
    form, status, realization_forms, recorded_forms = Form(), None, {}, {}
    if request.method == "POST":
        form = Form.posted(request.form)
        action = form.value("action")
        if action in REALIZATION_ACTIONS or action == RECORD:
            activity = str(form.value("activity"))
            recording = action == RECORD
            (recorded_forms if recording else realization_forms)[activity] = form
            try:
                if recording:
                    done = _record_realization(form, nip, cycle, activity)
                else:
                    done = _decide_realization(form, nip, cycle, activity)
            except ApiError as error:
                rename = recorded_input(activity) if recording else lambda n: f"{activity}.{n}"
                status = refuse(form, error, rename=rename)
            else:
                if done:
                    flash(done)
                    return redirect(url_for("ui.team_skp", nip=nip, cycle=cycle))
                status = 422
            form = Form()
        else:
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
        skp_status=SKP_STATUSES,
        # a revision waits on its own version while the approved one stays in force
        decidable=skp["current"]["status"] == SUBMITTED,
        contract_differs=bool(skp["contract"])
        and skp["contract"]["number"] != skp["current"]["number"],
        pending=pending_rows(skp),
        realization_form=lambda activity_id: realization_forms.get(activity_id) or Form(),
        recording=recording_rows(skp),
        recorded_form=lambda activity_id: recorded_forms.get(activity_id) or Form(),
        recorded_reason=RECORDED_REASON,
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


def _decide_realization(form: Form, nip: str, cycle: str, activity: str) -> str | None:
    """Confirm or reject the employee's realization (one API call); the flash message, or
    None with the errors on the form."""
    reason = str(form.value(f"{activity}.reason")).strip()
    path = f"skps/{nip}/{cycle}/activities/{activity}/realization"
    if REALIZATION_ACTIONS[form.value("action")] == "confirm":
        api.send("POST", "targets", f"{path}/confirm", {"reason": reason})
        return _("Realisasi dikonfirmasi dan kini dihitung dalam nilai SKP.")
    if not form.require(f"{activity}.reason", message=_("wajib diisi bila menolak")):
        return None
    api.send("POST", "targets", f"{path}/reject", {"reason": reason})
    return _("Realisasi ditolak; pegawai melihat alasannya.")


def _record_realization(form: Form, nip: str, cycle: str, activity: str) -> str | None:
    """My realization of an activity (one API call), only the values typed; the flash
    message, or None with the error on the form when nothing was typed."""
    changes: dict[str, str] = form.decimals(f"{activity}.", RECORDED)
    if not changes:
        form.errors[f"{activity}.quality"] = [_("isi paling sedikit satu nilai")]
        return None
    reason = str(form.value(f"{activity}.{RECORDED_REASON}")).strip()
    if reason:
        changes["reason"] = reason
    path = f"skps/{nip}/{cycle}/activities/{activity}/realization"
    api.send("PATCH", "targets", path, changes)
    return _("Realisasi akhir periode dicatat dan langsung dihitung dalam nilai SKP.")
