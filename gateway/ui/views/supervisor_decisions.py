"""Supervisor: the appraiser decides. The behaviour proposal of a report (the combined,
bias-corrected 360 score per aspect, with its uncertainty: ± 1.96 × the standard error),
adopted as it is or replaced by my own aspect scores with a written reason when they depart
beyond that band; changeable until I finalize.

The appraisal service's `PUT /cycles/{cycle}/scores/{nip}/decision`; the decision comes with
the score (`GET /cycles/{cycle}/scores/{nip}`).
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, form_page
from gateway.ui.refusals import refuse
from gateway.ui.views.hr_directory import as_number
from gateway.ui.views.supervisor import employee
from gateway.ui.views.supervisor_scores import dimension_label

Z_95 = 1.96  # the band the appraisal service applies (services/appraisal/decisions.py)
ADOPTED, OWN_SCORES = "adopted", "own_scores"


def aspect_rows(score: dict) -> list[dict]:
    """Each aspect: the proposal, its band, and what was decided."""
    margin = band(score.get("standard_error"))
    decided = (score.get("decision") or {}).get("dimensions", {})
    return [
        {
            "key": key,
            "label": dimension_label(key),
            "proposed": value,
            "low": None if margin is None else max(0.0, value - margin),
            "high": None if margin is None else min(100.0, value + margin),
            "decided": decided.get(key),
        }
        for key, value in sorted((score.get("dimensions") or {}).items())
    ]


def band(standard_error: float | None) -> float | None:
    return None if standard_error is None else Z_95 * standard_error


def starting_values(score: dict) -> dict:
    """The inputs start from my decision when I made one, else from the proposal."""
    decision = score.get("decision") or {}
    aspects = decision.get("dimensions") or score.get("dimensions") or {}
    # to the two places a decided score takes: a proposal's 73.4567 left as it is would be
    # refused when the supervisor changes only another aspect
    values = {f"scores.{key}": f"{round(value, 2):g}" for key, value in aspects.items()}
    values["reason"] = decision.get("reason") or ""
    return values


def decision_body(form: Form, aspects: list[str]) -> dict:
    if request.form.get("action") == "adopt":
        return {"kind": ADOPTED}
    return {
        "kind": OWN_SCORES,
        "scores": {key: as_number(form.value(f"scores.{key}")) for key in aspects},
        "reason": str(form.value("reason")).strip() or None,
    }


@ui.route("/team/scores/<cycle>/<nip>/decision", methods=["GET", "POST"])
@user.login_required("supervisor")
def team_decision(cycle: str, nip: str):
    try:
        score = api.get("appraisal", f"cycles/{cycle}/scores/{nip}")
    except ApiError as error:
        return error_page(error.status, error.message)
    form, status = Form(values=starting_values(score)), None
    if request.method == "POST":
        form = Form.posted(request.form)
        body = decision_body(form, sorted(score.get("dimensions") or {}))
        try:
            api.send("PUT", "appraisal", f"cycles/{cycle}/scores/{nip}/decision", body)
        except ApiError as error:
            status = refuse(form, error)
        else:
            flash(
                _("Usulan nilai perilaku diterima.")
                if body["kind"] == ADOPTED
                else _("Nilai perilaku Anda disimpan.")
            )
            return redirect(url_for("ui.team_decision", cycle=cycle, nip=nip))
    return form_page(
        "supervisor/decision.html",
        form,
        status=status,
        score=score,
        cycle=cycle,
        owner=employee(nip),
        aspects=aspect_rows(score),
        margin=band(score.get("standard_error")),
        decision=score.get("decision"),
        decided_by=_name_of((score.get("decision") or {}).get("decided_by")),
        finalized=score.get("finalized"),
    )


def _name_of(nip: str | None) -> str:
    person = employee(nip) if nip else None
    return person.name if person else (nip or "")
