"""HR: reports. Unit calibration (the spread of final scores and predicates, members with their
reliability flags, and the cycle's reliability), the workload analysis (ABK) of a unit with its
settings, and the exports (the cycle's scores as CSV, streamed from the appraisal service).

Appraisal `/units/{unit}/cycles/{cycle}/distribution`, `/cycles/{cycle}/reliability` and
`/cycles/{cycle}/export.csv`; logs `/workload` and `/workload/settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from urllib.parse import quote

from flask import Response, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.ui import api, charts, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, page
from gateway.ui.refusals import refuse
from gateway.ui.views.hr_directory import as_number, busiest_unit, employee_names, unit_options
from gateway.ui.views.hr_rounds import known_cycles
from kinerja import predicates

FLAGS = {
    "few_raters": _l("sedikit penilai"),
    "thin_weight": _l("bobot kelompok yang dihitung tipis"),
    "no_counted_group": _l("tak ada kelompok penilai yang mencapai minimum"),
    "low_reliability": _l("reliabilitas rendah"),
    "reliability_unknown": _l("reliabilitas tidak diketahui"),
    "single_rater": _l("hanya satu penilai"),
    "outlying_rating": _l("penilaian menyimpang, bobotnya dikurangi"),
    "skp_incomplete": _l("realisasi SKP belum lengkap"),
    "skp_not_assessable": _l("nilai SKP belum dapat dinilai"),
}
BANDS = {"under": _l("di bawah normal"), "normal": _l("normal"), "over": _l("berlebih")}
SETTINGS_FIELDS = ("effective_hours_per_year", "working_days_per_year")
EXPORT_CHUNK = 64 * 1024
DEFAULT_PERIOD_DAYS = 30


def _path(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)


# --- calibration ---------------------------------------------------------------------------------


def bin_labels(histogram: list[dict]) -> list[str]:
    """ "55–59" for each bin; the first and last bins also hold everything below and above."""
    starts = [b["from"] for b in histogram]
    if len(starts) < 2:
        return [str(s) for s in starts]
    step = starts[1] - starts[0]
    labels = [f"{start}–{start + step - 1}" for start in starts]
    labels[0], labels[-1] = f"< {starts[1]}", f"≥ {starts[-1]}"
    return labels


def flag_text(flag: str, names: Mapping[str, str]) -> str:
    kind, _sep, rater = flag.partition(":")
    if kind == "straight_liner" and not rater:  # the distribution counts them, never names
        return _("%(count)s penilai memberi nilai seragam", count=1)
    if kind == "straight_liner":
        return _("penilai menjawab seragam, tidak dihitung: %(who)s", who=names.get(rater, rater))
    return str(FLAGS.get(kind, flag))


def members_by_score(members: list[dict], names: Mapping[str, str]) -> list[dict]:
    """Highest final score first, the unscored last; flags in words."""
    rows = [{**m, "flag_texts": [flag_text(f, names) for f in m["flags"]]} for m in members]
    return sorted(rows, key=lambda m: (m["final_score"] is None, -(m["final_score"] or 0)))


@ui.route("/hr/calibration")
@user.login_required("hr")
def hr_calibration():
    cycles = known_cycles()
    unit_id = request.args.get("unit_id") or busiest_unit()
    cycle = request.args.get("cycle") or cycles[0]
    form = Form(values={"unit_id": unit_id, "cycle": cycle})
    try:
        distribution = api.get(
            "appraisal", _path("units", unit_id, "cycles", cycle, "distribution")
        )
    except ApiError as error:
        return error_page(error.status, error.message)
    try:
        reliability, reliability_missing = (
            api.get("appraisal", _path("cycles", cycle, "reliability")),
            "",
        )
    except ApiError as error:
        if error.status != 404:
            return error_page(error.status, error.message)
        reliability, reliability_missing = None, _("Belum ada penilaian 360 pada siklus ini.")
    histogram = distribution["histogram"]
    unit_name = dict(unit_options()).get(unit_id, unit_id)
    chart = charts.bars(
        _("Sebaran nilai akhir, %(unit)s %(cycle)s", unit=unit_name, cycle=cycle),
        bin_labels(histogram),
        [b["count"] for b in histogram],
    )
    names = employee_names()
    return page(
        "hr/calibration.html",
        form=form,
        unit_name=unit_name,
        unit_options=unit_options(),
        cycle_options=[(c, c) for c in cycles],
        cycles=cycles,
        distribution=distribution,
        chart=chart,
        bins=list(zip(bin_labels(histogram), [b["count"] for b in histogram], strict=True)),
        predicates=[(p, distribution["predicates"].get(p, 0)) for p in predicates.NAMES],
        members=members_by_score(distribution["members"], names),
        reliability=reliability,
        reliability_missing=reliability_missing,
        excluded=[names.get(nip, nip) for nip in (reliability or {}).get("excluded_raters", [])],
    )


# --- exports -------------------------------------------------------------------------------------


@ui.route("/hr/exports/scores.csv")
@user.login_required("hr")
def hr_export_scores():
    """The service's CSV as it comes, with its file name: nothing is rebuilt in the UI."""
    cycle = request.args.get("cycle", "").strip()
    if not cycle:
        return error_page(400, _("Pilih siklus yang akan diekspor."))
    try:
        answer = api.call("GET", "appraisal", _path("cycles", cycle, "export.csv"), stream=True)
    except ApiError as error:
        return error_page(error.status, error.message)
    disposition = answer.headers.get(
        "Content-Disposition", f'attachment; filename="kinerja360-{cycle}.csv"'
    )
    return Response(
        stream_with_context(answer.iter_content(EXPORT_CHUNK)),
        content_type=answer.headers.get("Content-Type", "text/csv; charset=utf-8"),
        headers={"Content-Disposition": disposition},
    )


# --- workload (ABK) ------------------------------------------------------------------------------


def period_values(args: Mapping[str, str]) -> dict:
    """The unit and period asked for: the last 30 days unless chosen, a recent window of whole
    weeks (the current month alone may be a day old and show everyone under-loaded)."""
    today = date.today()
    return {
        "unit_id": args.get("unit_id") or busiest_unit(),
        "from": args.get("from") or (today - timedelta(days=DEFAULT_PERIOD_DAYS - 1)).isoformat(),
        "to": args.get("to") or today.isoformat(),
    }


def settings_body(form: Form) -> dict:
    return {name: as_number(form.value(name)) for name in SETTINGS_FIELDS}


@ui.route("/hr/workload", methods=["GET", "POST"])
@user.login_required("hr")
def hr_workload():
    period = Form(values=period_values(request.args))
    settings_form, status = Form(), None
    if request.method == "POST":
        settings_form = Form.posted(request.form)
        try:
            api.send("PUT", "logs", "workload/settings", settings_body(settings_form))
        except ApiError as error:
            status = refuse(settings_form, error, shown=SETTINGS_FIELDS)
        else:
            flash(_("Dasar perhitungan beban kerja disimpan."))
            return redirect(url_for("ui.hr_workload", **request.args))
    try:
        if not settings_form.values:
            current = api.get("logs", "workload/settings")
            settings_form.values = {name: f"{current[name]:g}" for name in SETTINGS_FIELDS}
    except ApiError as error:
        return error_page(error.status, error.message)
    workload = None
    try:
        workload = api.get("logs", "workload", **period.values)
    except ApiError as error:
        if error.status >= 500:
            return error_page(error.status, error.message)
        period_status = refuse(period, error, shown=["unit_id", "from", "to"])
        status = status or period_status
    return page(
        "hr/workload.html",
        status or 200,
        period=period,
        form=settings_form,
        unit_options=unit_options(),
        workload=workload,
        bands=BANDS,
    )
