"""Employee: today's log and my month. Log a day's work against an activity of my approved
SKP; my entries of the month with their verification (an unverified one is edited or
withdrawn); the month's recap: minutes per day, days without a log, output against pace."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.formatting import day
from gateway.ui.forms import Form
from gateway.ui.pages import page
from gateway.ui.refusals import refusal_message, refuse
from gateway.ui.views.employee_skp import fetch, me, number_or_text

MONTH = re.compile(r"^20[0-9][0-9]-(0[1-9]|1[0-2])$")  # ASCII: `\d` takes any script's
ENTRY_FIELDS = ("date", "activity_id", "description", "quantity", "minutes")
COMPLETES = "completes_output"  # the checkbox: this entry completes output
ENTRY_STATUS = {
    "pending": _l("Menunggu verifikasi"),
    "verified": _l("Terverifikasi"),
    "rejected": _l("Ditolak"),
    "withdrawn": _l("Ditarik"),
}
EDITABLE = ("pending", "rejected")


def chosen_month(text: str | None) -> str:
    """The month asked for (YYYY-MM), or this one."""
    return text if text and MONTH.match(text) else date.today().strftime("%Y-%m")


def shifted(month: str, by: int) -> str:
    year, number = int(month[:4]), int(month[5:]) - 1 + by
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def entry_body(form: Form) -> dict:
    """The entry as the API takes it: a blank value is left out (the API says it is
    missing), minutes as an integer when they are one. An entry is activity unless ticked as
    completing output; a quantity typed without the tick goes too, for the API to refuse."""
    body: dict = {COMPLETES: bool(form.value(COMPLETES))}
    for name in ENTRY_FIELDS:
        value = str(form.value(name)).strip()
        if value or name == "description":
            body[name] = number_or_text(value) if name == "minutes" else value
    return body


def days_of(month: str, entries: list[dict], missing: list[str]) -> list[dict]:
    """Every day of the month up to today, with its minutes and entries; a working day
    without a log is marked (the logs service says which)."""
    year, number = int(month[:4]), int(month[5:])
    last = calendar.monthrange(year, number)[1]
    today = date.today()
    minutes: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for entry in entries:
        minutes[entry["date"]] += entry["minutes"]
        count[entry["date"]] += 1
    days = []
    for day_number in range(1, last + 1):
        current = date(year, number, day_number)
        if current > today:
            break
        key = current.isoformat()
        days.append(
            {
                "date": key,
                "label": day(current, "EEEE, d MMM"),
                "weekend": current.weekday() >= 5,
                "minutes": minutes.get(key, 0),
                "entries": count.get(key, 0),
                "missing": key in missing,
            }
        )
    return days


def hours(minutes: int | None) -> str:
    if not minutes:
        return "0"
    whole, rest = divmod(int(minutes), 60)
    if not whole:
        return _("%(minutes)s mnt", minutes=rest)
    if not rest:
        return _("%(hours)s jam", hours=whole)
    return _("%(hours)s jam %(minutes)s mnt", hours=whole, minutes=rest)


@ui.route("/logs", methods=["GET", "POST"])
@user.login_required("employee")
def my_logs():
    month = chosen_month(request.values.get("month"))
    nip = me()
    editing = request.values.get("edit") or None
    form, status = None, 200
    if request.method == "POST":
        form = Form.posted(request.form)
        action = form.value("action")
        try:
            done = _act(action, form, editing)
        except ApiError as error:
            if action == "withdraw":  # a button, not a form to show back
                flash(refusal_message(error), "error")
                return redirect(url_for("ui.my_logs", month=month))
            status = refuse(form, error)
        else:
            flash(done)
            target = str(form.value("date"))[:7] if action == "create" else month
            return redirect(url_for("ui.my_logs", month=chosen_month(target)))
    unavailable: list[str] = []

    def load(default, service, path, **params):
        try:
            return fetch(service, path, default, **params)
        except ApiError:
            unavailable.append(service)
            return default

    entries = load([], "logs", "entries", month=month)
    live = [entry for entry in entries if entry["status"] != "withdrawn"]
    recap = load(None, "logs", f"employees/{nip}/recap", month=month)
    edited = next((e for e in live if e["id"] == editing and e["status"] in EDITABLE), None)
    if editing and edited is None and form is None:
        editing = None  # gone, verified meanwhile, or not mine: back to a new entry
    if form is None:
        form = Form(values=_entry_values(edited) if edited else {"date": date.today().isoformat()})
    logged_on = str(form.value("date"))[:4]
    cycle = logged_on if re.fullmatch(r"20[0-9][0-9]", logged_on) else str(date.today().year)
    skp = load(None, "targets", f"skps/{nip}/{cycle}")
    activities = ((skp or {}).get("contract") or {}).get("activities", [])
    names = {a["activity_id"]: a["name"] for a in (recap or {}).get("activities", [])}
    names.update({a["id"]: a["name"] for a in activities})
    return page(
        "employee/logs.html",
        status,
        form=form,
        month=month,
        month_label=day(date(int(month[:4]), int(month[5:]), 1), "MMMM yyyy"),
        month_form=Form(values={"month": month}),
        previous=shifted(month, -1),
        following=shifted(month, 1),
        this_month=date.today().strftime("%Y-%m"),
        editing=editing,
        edited=edited,
        cycle=cycle,
        activity_options=[("", _("— pilih kegiatan —"))]
        + [(a["id"], f"{a['name']} ({a['unit']})") for a in activities],
        entries=sorted(live, key=lambda e: (e["date"], e["id"]), reverse=True),
        names=names,
        recap=recap,
        days=days_of(month, live, [str(d) for d in (recap or {}).get("missing_days", [])]),
        entry_status=ENTRY_STATUS,
        editable=EDITABLE,
        hours=hours,
        unavailable=unavailable,
    )


def _entry_values(entry: dict) -> dict:
    values = {name: entry.get(name) or "" for name in ENTRY_FIELDS}
    values[COMPLETES] = "on" if entry.get(COMPLETES) else ""
    quantity = entry.get("quantity")
    if quantity is not None and float(quantity).is_integer():
        values["quantity"] = int(quantity)
    return values


def _act(action: str, form: Form, editing: str | None) -> str:
    """One API call for the action; the flash message said after it."""
    if action == "create":
        api.send("POST", "logs", "entries", entry_body(form))
        return _("Log tersimpan dan menunggu verifikasi atasan.")
    if action == "edit" and editing:
        api.send("PATCH", "logs", f"entries/{editing}", entry_body(form))
        return _("Log diubah dan menunggu verifikasi lagi.")
    if action == "withdraw":
        api.send("DELETE", "logs", f"entries/{form.value('entry')}")
        return _("Log dihapus.")
    abort(400)
