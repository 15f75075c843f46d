"""Employee: my results for a cycle. The SKP, behaviour and final scores with the
predicate (provisional, or locked once my supervisor finalized them); my supervisor's
decision on the behaviour proposal (adopted as it is, or their own scores beside it); the
360 report once published: the radar chart of dimensions by rater group with the same
numbers in a table, self against others, strengths, development areas, blind spots and
hidden strengths; and the objection (keberatan) to a finalized appraisal, within 14 days,
with its outcome; and what the bias correction did to the behaviour score (unadjusted,
corrected, the difference, the method in words) beside the human decision on it (UU 27/2022
Pasal 10: no decision on automated processing alone)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.ui import api, charts, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, page
from gateway.ui.refusals import refusal_message, refuse
from gateway.ui.views.employee_skp import chosen_cycle, cycle_choices, fetch, me, person
from gateway.ui.vocabulary import RATER_GROUPS

OBJECTION_DAYS = 14  # from the finalization (PP 46/2011; the appraisal service holds the rule)
GROUPS = RATER_GROUPS
GROUP_ORDER = ("superior", "peer", "subordinate", "others")
METHODS = {
    "bias_corrected": _l(
        "koreksi bias penilai (model campuran): kecenderungan tiap penilai dan unitnya "
        "menilai terlalu murah atau terlalu pelit diperkirakan dari semua penilaian siklus "
        "ini lalu dikeluarkan; rata-rata kelompok yang penilainya sedikit ditarik ke arah "
        "rata-rata gabungan; penilaian yang sangat menyimpang diberi bobot lebih kecil."
    ),
    "weighted_mean": _l(
        "tanpa koreksi: rata-rata tiap kelompok penilai dikalikan bobot skema; tidak ada "
        "penyesuaian statistik."
    ),
}
OUTCOMES = {
    "confirmed": _l("Nilai dikukuhkan"),
    "changed": _l("Nilai diubah"),
}


def dimension_names() -> dict[str, str]:
    """Each dimension's name from the frameworks; its key made readable when unknown."""
    try:
        frameworks = api.get("feedback", "frameworks")
    except ApiError:
        return {}
    return {d["key"]: d["name"] for f in frameworks for d in f.get("dimensions", [])}


def readable(key: str, names: dict[str, str]) -> str:
    return names.get(key) or key.replace("_", " ").capitalize()


def report_view(report: dict, names: dict[str, str]) -> dict:
    """The report as the page shows it: the groups in a fixed order, the rows per
    dimension, and the chart over the dimensions' names."""
    dimensions = report.get("dimensions", [])
    groups = [g for g in GROUP_ORDER if g in report.get("groups", {})]
    groups += sorted(g for g in report.get("groups", {}) if g not in groups)
    series = {
        str(GROUPS.get(g, g)): {readable(d, names): v for d, v in report["groups"][g].items()}
        for g in groups
    }
    if report.get("self"):
        series[str(GROUPS["self"])] = {readable(d, names): v for d, v in report["self"].items()}
    rows = [
        {
            "key": d,
            "name": readable(d, names),
            "groups": [report["groups"][g].get(d) for g in groups],
            "others": report.get("others", {}).get(d),
            "self": report.get("self", {}).get(d),
            "gap": report.get("self_gap", {}).get(d),
        }
        for d in dimensions
    ]
    return {
        "groups": [GROUPS.get(g, g) for g in groups],
        "rows": rows,
        "chart": charts.radar(
            _("Perilaku kerja per kelompok penilai"),
            [readable(d, names) for d in dimensions],
            series,
        )
        if dimensions
        else None,
        "lists": [
            (_("Kekuatan"), _("Aspek dengan nilai tertinggi dari orang lain."), "strengths"),
            (
                _("Area pengembangan"),
                _("Aspek dengan nilai terendah dari orang lain."),
                "development_areas",
            ),
            (
                _("Titik buta"),
                _("Anda menilai diri lebih tinggi daripada penilaian orang lain."),
                "blind_spots",
            ),
            (
                _("Kekuatan tersembunyi"),
                _("Orang lain menilai Anda lebih tinggi daripada penilaian Anda sendiri."),
                "hidden_strengths",
            ),
        ],
        "named": {
            key: [readable(d, names) for d in report.get(key, [])]
            for key in ("strengths", "development_areas", "blind_spots", "hidden_strengths")
        },
    }


def decision_rows(decision: dict, names: dict[str, str]) -> list[dict]:
    """Each aspect of the behaviour proposal beside the score my supervisor decided, in the
    proposal's order. Only the combined proposal and the decision: no rater's answer."""
    proposed = decision.get("proposed_dimensions") or {}
    decided = decision.get("dimensions") or {}
    keys = [*proposed, *(key for key in decided if key not in proposed)]
    return [
        {"name": readable(key, names), "proposed": proposed.get(key), "decided": decided.get(key)}
        for key in keys
    ]


def objection_deadline(finalized: dict | None) -> date | None:
    """The last day to object, for a finalized appraisal without an objection."""
    if not finalized or finalized.get("objection") or not finalized.get("finalized_on"):
        return None
    return date.fromisoformat(finalized["finalized_on"]) + timedelta(days=OBJECTION_DAYS)


@ui.route("/results", methods=["GET", "POST"])
@user.login_required("employee")
def my_results():
    cycle = chosen_cycle(request.values.get("cycle"))
    nip = me()
    form, status = Form(), 200
    if request.method == "POST":
        form = Form.posted(request.form)
        if form.value("action") != "object":
            abort(400)
        reason = str(form.value("reason")).strip()
        try:
            api.send(
                "POST",
                "appraisal",
                f"cycles/{cycle}/scores/{nip}/objection",
                {"reason": reason} if reason else {},
            )
        except ApiError as error:
            status = refuse(form, error)
        else:
            flash(_("Keberatan diajukan; atasan dari atasan Anda memutuskannya dalam 14 hari."))
            return redirect(url_for("ui.my_results", cycle=cycle))
    try:
        score = fetch("appraisal", f"cycles/{cycle}/scores/{nip}")
    except ApiError as error:
        return error_page(error.status, refusal_message(error))
    report, published = None, True
    if score is not None:
        try:
            report = fetch("appraisal", f"cycles/{cycle}/scores/{nip}/report")
        except ApiError as error:
            if error.code != "round_open":
                return error_page(error.status, refusal_message(error))
            published = False
    adjustment, adjustment_unavailable = None, False
    if score is not None:
        try:
            adjustment = fetch("appraisal", f"cycles/{cycle}/scores/{nip}/adjustment")
        except ApiError:
            adjustment_unavailable = True  # the rest of the page still shows
    finalized = (score or {}).get("finalized")
    deadline = objection_deadline(finalized)
    decision = (score or {}).get("decision")
    names = dimension_names() if report or decision else {}
    return page(
        "employee/results.html",
        status,
        cycle=cycle,
        cycles=cycle_choices(cycle, ahead=0),
        cycle_form=Form(values={"cycle": cycle}),
        score=score,
        finalized=finalized,
        objection=(finalized or {}).get("objection"),
        decision=decision,
        decision_rows=decision_rows(decision, names) if decision else [],
        report=report_view(report, names) if report else None,
        published=published,
        deadline=deadline,
        may_object=deadline is not None and date.today() <= deadline,
        form=form,
        outcomes=OUTCOMES,
        person=person,
        adjustment=adjustment,
        adjustment_unavailable=adjustment_unavailable,
        methods=METHODS,
    )
