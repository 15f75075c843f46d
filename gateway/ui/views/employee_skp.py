"""Employee: my SKP for a cycle. Draft it (rows added without JavaScript), edit the draft,
submit it; see its status and the supervisor's notes; once approved, the realization per
activity, the score breakdown and a what-if of a hypothetical realization.

The employee's other pages live beside this module: employee_logs.py (today's log and
my month), employee_ratings.py (my pending 360 ratings) and employee_results.py (my
results and objections). The helpers they share are here.
"""

from __future__ import annotations

import re
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.directory import queries as directory
from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, page
from gateway.ui.refusals import refusal_message, refuse
from gateway.ui.vocabulary import SKP_STATUSES
from kinerja.web import service_context

CYCLE = re.compile(r"^20\d\d$")

# --- shared by the employee's pages -----------------------------------------------------------


def chosen_cycle(text: str | None) -> str:
    """The cycle asked for, or this year's (the cycle the services use)."""
    return text if text and CYCLE.match(text) else str(date.today().year)


def cycle_choices(cycle: str, ahead: int = 1) -> list[tuple[str, str]]:
    """Next year (to plan), this year and the three before; and the one shown."""
    this_year = date.today().year
    years = {str(year) for year in range(this_year - 3, this_year + 1 + ahead)} | {cycle}
    return [(year, year) for year in sorted(years, reverse=True)]


def number_or_text(text: object) -> object:
    """What was typed, as an integer when it is one (for the APIs' strict integers); ASCII
    digits only and at most 18 of them: int() reads any script's digits and refuses over
    4300, so anything else goes on as text, for the API to refuse by name."""
    text = str(text).strip()
    return int(text) if re.fullmatch(r"-?[0-9]{1,18}", text) else text


def fetch(service: str, path: str, missing: object = None, **params) -> object:
    """A GET whose 404 means "none yet"; any other refusal goes up."""
    try:
        return api.get(service, path, **params)
    except ApiError as error:
        if error.status == 404:
            return missing
        raise


def me() -> str:
    return user.current_user().subject


def person(nip: str | None) -> str:
    """Who a NIP is, by name, from the gateway's own directory; the NIP when unknown."""
    if not nip:
        return "—"
    found = directory.get_employee(service_context().db, nip)
    return found.name if found else nip


# --- my SKP -----------------------------------------------------------------------------------

EDITABLE = ("draft", "returned")
ACTIVITY_FIELDS = ("id", "name", "quantity", "unit", "months", "cost")
CARRIED = ("quality", "credit_points")  # kept as they were; not edited here
NEW_ROWS = 3  # empty rows of a new SKP
SPARE_ROWS = 1  # an empty row below a saved draft's activities
MAX_ROWS = 60
ASPECTS = ("quantity", "quality", "months", "cost")
CREATIVITY = (
    ("", _l("Tidak ada")),
    ("unit", _l("Tingkat unit kerja")),
    ("agency", _l("Tingkat instansi")),
    ("national", _l("Tingkat nasional")),
)
ROW_NAME = re.compile(r"^activities\[(\d+)\]\.(.+)$")


def row_count(form: Form) -> int:
    try:
        rows = int(str(form.value("rows", NEW_ROWS)))
    except ValueError:
        rows = NEW_ROWS
    return max(1, min(rows, MAX_ROWS))


def draft_values(activities: list[dict]) -> dict:
    """A saved version's activities as the form's rows, with a spare empty row."""
    values: dict = {"rows": len(activities) + SPARE_ROWS}
    for index, activity in enumerate(activities):
        for name in (*ACTIVITY_FIELDS, *CARRIED):
            value = activity.get(name)
            if value is not None:
                plain = value if name in ("id", "name", "unit") else _plain(value)
                values[f"activities[{index}].{name}"] = plain
    return values


def _plain(value: float) -> str:
    """A number for an input: 12, not 12.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def activities_from(form: Form) -> tuple[list[dict], list[int]]:
    """The rows filled in, as the API's activities, and each one's row; empty rows are
    left out and a blank value is not sent (the API says what is missing)."""
    activities, rows = [], []
    for index in range(row_count(form)):
        typed = {
            name: str(form.value(f"activities[{index}].{name}")).strip()
            for name in (*ACTIVITY_FIELDS, *CARRIED)
        }
        if not any(typed[name] for name in ACTIVITY_FIELDS):
            continue
        activities.append({name: value for name, value in typed.items() if value})
        rows.append(index)
    return activities, rows


def row_renamer(rows: list[int]):
    """The API's `activities[k]` is the k-th row sent; on the page it is row rows[k]."""

    def rename(name: str) -> str:
        found = ROW_NAME.match(name)
        if found and int(found.group(1)) < len(rows):
            return f"activities[{rows[int(found.group(1))]}].{found.group(2)}"
        return name

    return rename


WHAT_IF_NAME = re.compile(r"^activities\.([a-z0-9][a-z0-9-]*)\.(quantity|quality|months|cost)$")


def what_if_payload(form: Form) -> dict:
    """The realization to assume, per activity: only the values typed."""
    assumed: dict[str, dict] = {}
    for name, value in form.values.items():
        found = WHAT_IF_NAME.match(name)
        if found and str(value).strip():
            assumed.setdefault(found.group(1), {})[found.group(2)] = str(value).strip()
    payload: dict = {"activities": assumed}
    if str(form.value("extra_tasks")).strip():
        payload["extra_tasks"] = number_or_text(form.value("extra_tasks"))
    if form.value("creativity"):
        payload["creativity"] = form.value("creativity")
    return payload


def what_if_values(score: dict | None) -> dict:
    """The what-if form starts from the realization so far."""
    if not score:
        return {}
    values = {}
    for row in score["activities"]:
        realized = row.get("realization") or {}
        for aspect in ASPECTS:
            if realized.get(aspect) is not None and aspect not in row.get("assumed", []):
                values[f"activities.{row['activity']['id']}.{aspect}"] = _plain(realized[aspect])
    values["extra_tasks"] = str(score.get("extra_tasks", 0))
    values["creativity"] = score.get("creativity") or ""
    return values


@ui.route("/skp", methods=["GET", "POST"])
@user.login_required("employee")
def my_skp():
    cycle = chosen_cycle(request.values.get("cycle"))
    nip = me()
    forms: dict[str, Form] = {}
    status, what_if = 200, None
    if request.method == "POST":
        posted = Form.posted(request.form)
        action = posted.value("action")
        try:
            if action == "add_row":
                posted.values["rows"] = row_count(posted) + 1
                forms["draft"] = posted
            elif action == "what_if":
                forms["what_if"] = posted
                payload = what_if_payload(posted)
                what_if = api.send("POST", "targets", f"skps/{nip}/{cycle}/what-if", payload)
            else:
                done = _act(action, posted, nip, cycle)
                if done is None:  # the page itself found something missing
                    forms[_form_key(action, posted)] = posted
                    status = 422
                else:
                    flash(done)
                    return redirect(url_for("ui.my_skp", cycle=cycle))
        except ApiError as error:
            key = _form_key(action, posted)
            forms[key] = posted
            status = refuse(posted, error, rename=_renamer(key, posted))
    try:
        skp = fetch("targets", f"skps/{nip}/{cycle}")
        score = fetch("targets", f"skps/{nip}/{cycle}/score") if skp and skp["contract"] else None
    except ApiError as error:
        return error_page(error.status, refusal_message(error))
    draft = forms.get("draft")
    if draft is None:
        editable = skp is not None and skp["current"]["status"] in EDITABLE
        values = draft_values(skp["current"]["activities"]) if editable else {"rows": NEW_ROWS}
        draft = Form(values=values)
    return page(
        "employee/skp.html",
        status,
        cycle=cycle,
        cycles=cycle_choices(cycle),
        cycle_form=Form(values={"cycle": cycle}),
        skp=skp,
        score=score,
        form=draft,
        rows=row_count(draft),
        forms=forms,
        action_form=forms.get("action", Form()),
        what_if_form=forms.get("what_if") or Form(values=what_if_values(score)),
        what_if=what_if,
        skp_status=SKP_STATUSES,
        editable=skp is None or skp["current"]["status"] in EDITABLE,
        creativity=CREATIVITY,
        realization_form=lambda activity_id: (
            forms.get(f"realize:{activity_id}") or Form(values=_realized_values(skp, activity_id))
        ),
    )


def _form_key(action: str, posted: Form) -> str:
    if action in ("create", "save"):
        return "draft"
    if action == "realize":
        return f"realize:{posted.value('activity')}"
    if action == "what_if":
        return "what_if"
    return "action"


def _renamer(key: str, posted: Form):
    """How the API's field names become the inputs' names on the form that was posted."""
    if key == "draft":
        return row_renamer(activities_from(posted)[1])
    if key.startswith("realize:"):
        activity = key.split(":", 1)[1]

        def beside_activity(name: str) -> str:
            return f"{activity}.{name}"

        return beside_activity
    return None


def _realized_values(skp: dict | None, activity_id: str) -> dict:
    realized = ((skp or {}).get("realization") or {}).get(activity_id) or {}
    return {
        f"{activity_id}.{aspect}": _plain(realized[aspect])
        for aspect in ("quantity", "months", "cost")
        if realized.get(aspect) is not None
    }


def _act(action: str, form: Form, nip: str, cycle: str) -> str | None:
    """One API call for the action; the flash message said after it, or None with the
    errors on the form when there is nothing to send."""
    base = f"skps/{nip}/{cycle}"
    if action == "create":
        activities, _rows = activities_from(form)
        api.send("POST", "targets", "skps", {"cycle": cycle, "activities": activities})
        return _("Draf SKP %(cycle)s disimpan. Ajukan ke atasan bila sudah lengkap.", cycle=cycle)
    if action == "save":
        activities, _rows = activities_from(form)
        api.send("PUT", "targets", f"{base}/draft", {"activities": activities})
        return _("Perubahan draf SKP disimpan.")
    if action == "submit":
        api.send("POST", "targets", f"{base}/submit")
        return _("SKP %(cycle)s diajukan ke atasan untuk disetujui.", cycle=cycle)
    if action == "revise":
        api.send("POST", "targets", f"{base}/revisions")
        return _("Revisi SKP dimulai; SKP yang disetujui tetap berlaku sampai revisi disetujui.")
    if action == "realize":
        activity = str(form.value("activity"))
        changes = form.decimals(f"{activity}.", ("quantity", "months", "cost"))
        if not changes:
            form.errors[f"{activity}.months"] = [_("isi paling sedikit satu nilai")]
            return None
        api.send("PATCH", "targets", f"{base}/activities/{activity}/realization", changes)
        return _("Realisasi disimpan dan menunggu konfirmasi atasan.")
    abort(400)
