"""HR: cycles and their 360 rounds (open, close), the competency frameworks the rounds use, and
each round's completion dashboard with the raters to remind.

Everything here is the feedback service's (`/rounds`, `/frameworks`, `/rounds/{id}/completion`,
`/rounds/{id}/reminders`); names of people come from the gateway's own directory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from itertools import groupby

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, form_page, page
from gateway.ui.refusals import refuse
from gateway.ui.views.hr_directory import as_number, employee_names, unit_options, units

ROUND_FIELDS = ("id", "cycle", "framework_id", "deadline", "peers_per_ratee", "unit_id")
DIMENSION_FIELDS = ("key", "name", "description", "anchors")
SCALES = {"0-100": (0, 100), "1-5": (1, 5)}  # the two scales the service accepts
# "dimensions[2].name"; ASCII and short: int() of 5000 digits raises, of "٣" reads 3
DIMENSION_INPUT = re.compile(r"^dimensions\[([0-9]{1,4})\]\.")
EMPTY_DIMENSION_ROWS = 3
DEFAULT_REMINDER_DAYS = 3


# --- cycles and rounds ---------------------------------------------------------------------------


def known_cycles() -> list[str]:
    """The cycles the rounds name, and this year's, newest first (the services keep no list of
    cycles of their own)."""
    try:
        rounds = api.get("feedback", "rounds")
    except ApiError:
        rounds = []  # this year's is still a choice
    return sorted({r["cycle"] for r in rounds} | {str(date.today().year)}, reverse=True)


def rounds_by_cycle(rounds: list[dict]) -> list[tuple[str, list[dict]]]:
    """Newest cycle first; inside one, open rounds first, then by deadline."""
    ordered = sorted(rounds, key=lambda r: r["cycle"], reverse=True)
    return [
        (cycle, sorted(group, key=lambda r: (r["status"] != "open", r["deadline"], r["id"])))
        for cycle, group in groupby(ordered, key=lambda r: r["cycle"])
    ]


def round_body(form: Form) -> dict:
    body = {name: form.value(name).strip() for name in ROUND_FIELDS if name != "unit_id"}
    body["peers_per_ratee"] = as_number(body["peers_per_ratee"])
    if form.value("unit_id"):
        body["unit_id"] = form.value("unit_id")
    return body


def _rounds_page(form: Form, status: int | None = None):
    try:
        rounds = api.get("feedback", "rounds")
        frameworks = api.get("feedback", "frameworks")
    except ApiError as error:
        return error_page(error.status, error.message)
    return form_page(
        "hr/rounds.html",
        form,
        status,
        cycles=rounds_by_cycle(rounds),
        today=date.today().isoformat(),
        framework_options=[
            (f["id"], f"{f['name']} ({f['id']} v{f['version']})") for f in frameworks
        ],
        unit_options=[("", _("Semua unit"))] + unit_options(),
    )


@ui.route("/hr/rounds", methods=["GET", "POST"])
@user.login_required("hr")
def hr_rounds():
    if request.method == "GET":
        defaults = {"cycle": str(date.today().year), "framework_id": "pp46", "peers_per_ratee": "3"}
        return _rounds_page(Form(values=defaults))
    form = Form.posted(request.form)
    try:
        opened = api.send("POST", "feedback", "rounds", round_body(form))
    except ApiError as error:
        status = refuse(form, error, shown=ROUND_FIELDS)
        return _rounds_page(form, status)
    flash(
        _(
            "Putaran %(id)s dibuka; penugasan penilai dibuat dari struktur organisasi.",
            id=opened["id"],
        )
    )
    return redirect(url_for("ui.hr_rounds"))


@ui.route("/hr/rounds/<round_id>/close", methods=["GET", "POST"])
@user.login_required("hr")
def hr_round_close(round_id: str):
    """A confirmation first: closing freezes every answer and cannot be undone."""
    if request.method == "GET":
        return page("hr/round_close.html", round_id=round_id, form=Form())
    try:
        api.send("POST", "feedback", f"rounds/{round_id}/close")
    except ApiError as error:
        form = Form(message=error.message)
        return page("hr/round_close.html", error.status, round_id=round_id, form=form)
    flash(_("Putaran %(id)s ditutup; hasilnya diterbitkan.", id=round_id))
    return redirect(url_for("ui.hr_rounds"))


# --- completion ------------------------------------------------------------------------------


def lowest_first(rates: list[dict], names: Mapping[str, str]) -> list[dict]:
    """Who is furthest behind first: that is whom HR follows up."""
    rows = [{**rate, "name": names.get(rate["key"], rate["key"])} for rate in rates]
    return sorted(rows, key=lambda row: (row["rate"], row["name"]))


def days_until(deadline: str, today: date) -> int:
    return (date.fromisoformat(deadline) - today).days


@ui.route("/hr/rounds/<round_id>/completion")
@user.login_required("hr")
def hr_completion(round_id: str):
    within = request.args.get("within_days", str(DEFAULT_REMINDER_DAYS))
    form = Form(values={"within_days": within})
    try:
        completion = api.get("feedback", f"rounds/{round_id}/completion")
        round_ = next((r for r in api.get("feedback", "rounds") if r["id"] == round_id), None)
    except ApiError as error:
        return error_page(error.status, error.message)
    try:
        reminders = api.get("feedback", f"rounds/{round_id}/reminders", within_days=within)
    except ApiError as error:
        # a bad number of days is said beside its input; the rest of the page still shows
        refuse(form, error, shown=["within_days"])
        reminders = []
    names = employee_names()
    unit_names = {unit.id: unit.name for unit in units()}
    return page(
        "hr/completion.html",
        422 if form.errors else 200,
        form=form,
        round=round_,
        days_left=days_until(round_["deadline"], date.today()) if round_ else None,
        overall=completion["round"],
        by_unit=lowest_first(completion["by_unit"], unit_names),
        by_ratee=lowest_first(completion["by_ratee"], names),
        by_rater=lowest_first(completion["by_rater"], names),
        reminders=reminders,
    )


# --- frameworks --------------------------------------------------------------------------------


def parse_anchors(text: str) -> dict[str, str] | None:
    """ "76: menunjukkan perilaku ini secara konsisten" per line; None when a line is not so."""
    anchors = {}
    for line in filter(None, (line.strip() for line in text.splitlines())):
        score, colon, meaning = line.partition(":")
        if not colon or not score.strip():
            return None
        anchors[score.strip()] = meaning.strip()
    return anchors


def dimension_rows(values: Mapping[str, str]) -> list[dict]:
    """The dimension rows typed, in order, blank ones left out."""
    indexes = sorted({int(m.group(1)) for name in values if (m := DIMENSION_INPUT.match(name))})
    rows = []
    for index in indexes:
        row = {f: str(values.get(f"dimensions[{index}].{f}", "")) for f in DIMENSION_FIELDS}
        row["structural_only"] = bool(values.get(f"dimensions[{index}].structural_only"))
        if any(row[f].strip() for f in DIMENSION_FIELDS):
            rows.append(row)
    return rows


def renumbered(values: Mapping[str, str], rows: list[dict]) -> dict:
    """The form's values with the dimension rows numbered 0, 1, ... again, so the service's
    `dimensions[1]` errors land on the row shown second."""
    kept = {k: v for k, v in values.items() if not DIMENSION_INPUT.match(k)}
    for index, row in enumerate(rows):
        for name, value in row.items():
            if value:
                kept[f"dimensions[{index}].{name}"] = value
    return kept


def framework_body(form: Form, rows: list[dict]) -> dict | None:
    """The request, or None when an anchors box cannot be read (said beside it)."""
    dimensions = []
    for index, row in enumerate(rows):
        anchors = parse_anchors(row["anchors"])
        if anchors is None:
            form.errors[f"dimensions[{index}].anchors"] = [
                _("satu jangkar per baris: skor, titik dua, uraian (mis. 76: konsisten)")
            ]
            continue
        dimensions.append({**row, "key": row["key"].strip(), "anchors": anchors})
    if form.errors:
        return None
    scale_min, scale_max = SCALES.get(form.value("scale"), (None, None))
    return {
        "id": form.value("id").strip(),
        "name": form.value("name").strip(),
        "scale_min": scale_min,
        "scale_max": scale_max,
        "dimensions": dimensions,
    }


def _frameworks_page(form: Form, rows: int, status: int | None = None):
    try:
        frameworks = api.get("feedback", "frameworks")
    except ApiError as error:
        return error_page(error.status, error.message)
    return form_page(
        "hr/frameworks.html",
        form,
        status,
        frameworks=frameworks,
        rows=range(rows),
        scale_options=[("0-100", _("0–100 (PP 46/2011)")), ("1-5", _("1–5"))],
    )


@ui.route("/hr/rounds/frameworks", methods=["GET", "POST"])
@user.login_required("hr")
def hr_frameworks():
    if request.method == "GET":
        return _frameworks_page(Form(values={"scale": "1-5"}), EMPTY_DIMENSION_ROWS)
    posted = Form.posted(request.form)
    rows = dimension_rows(posted.values)
    form = Form(values=renumbered(posted.values, rows))
    if posted.value("action") == "add_row":  # no JavaScript needed for one more row
        return _frameworks_page(form, len(rows) + 1)
    body = framework_body(form, rows)
    shown = ["id", "name", "scale"] + [
        f"dimensions[{i}].{f}"
        for i in range(len(rows))
        for f in (*DIMENSION_FIELDS, "structural_only")
    ]
    status = 422  # an anchors box the page could not read
    if body is not None:
        try:
            saved = api.send("POST", "feedback", "frameworks", body)
        except ApiError as error:
            status = refuse(form, error, shown=shown)
        else:
            flash(
                _(
                    "Kerangka %(id)s versi %(version)s disimpan.",
                    id=saved["id"],
                    version=saved["version"],
                )
            )
            return redirect(url_for("ui.hr_frameworks"))
    return _frameworks_page(form, max(len(rows), 1), status)
