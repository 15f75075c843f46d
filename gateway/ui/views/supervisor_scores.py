"""Supervisor: the team's scores. Each report's provisional score with how it was made
(rater groups, weights, raw and bias-adjusted means, reliability, flags), finalized after a
confirmation and locked from then on; and the objections of the reports of my reports,
which I decide as their supervisor's superior (and HR's list of the objections it decides
in the place of a superior the directory lacks)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.directory import queries as directory
from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form, decimal_text
from gateway.ui.pages import error_page, form_page, page
from gateway.ui.refusals import refuse
from gateway.ui.views.supervisor import (
    Unavailable,
    chosen_cycle,
    cycle_choices,
    employee,
    my_own,
    team_of,
)
from gateway.ui.vocabulary import rater_group
from kinerja.anonymity import PEER, SELF, SUBORDINATE, SUPERIOR
from kinerja.web import service_context

GROUPS = (SUPERIOR, PEER, SUBORDINATE, SELF)  # the score page's order
FLAGS = {
    "few_raters": _l("Penilai sedikit"),
    "thin_weight": _l("Bobot penilai tipis"),
    "no_counted_group": _l("Tidak ada kelompok penilai yang memenuhi jumlah minimum"),
    "low_reliability": _l("Reliabilitas rendah"),
    "reliability_unknown": _l("Reliabilitas belum dapat diukur"),
    "single_rater": _l("Hanya satu penilai: keandalannya sebatas satu penilaian"),
    "outlying_rating": _l("Ada penilaian yang jauh menyimpang; bobotnya dikurangi"),
    "skp_incomplete": _l("Realisasi SKP belum lengkap"),
    "skp_not_assessable": _l("Nilai SKP belum dapat dinilai: belum ada realisasi"),
}
STRAIGHT_LINER = "straight_liner"
OUTCOMES = {"confirmed": _l("Nilai dikuatkan"), "changed": _l("Nilai diubah")}


def group_rows(groups: dict[str, dict]) -> list[dict]:
    """The rater groups in a fixed order, with how much the bias correction moved each."""
    order = [name for name in GROUPS if name in groups] + sorted(set(groups) - set(GROUPS))
    rows = []
    for name in order:
        group = groups[name]
        raw, adjusted = group.get("mean_raw"), group.get("mean_adjusted")
        rows.append(
            {
                **group,
                "name": name,
                # self never counts toward the score (the policy's, not HR's choice)
                "label": _("%(group)s (tidak dihitung)", group=rater_group(name))
                if name == SELF
                else rater_group(name),
                "correction": adjusted - raw if raw is not None and adjusted is not None else None,
            }
        )
    return rows


def flag_labels(flags: list[str]) -> list[str]:
    """The flags in words; raters who gave one score to everything are counted, not named."""
    straight_liners = sum(flag.partition(":")[0] == STRAIGHT_LINER for flag in flags)
    labels = [str(FLAGS.get(flag, flag)) for flag in flags if not flag.startswith(STRAIGHT_LINER)]
    if straight_liners:
        labels.append(_("%(count)s penilai memberi nilai seragam", count=straight_liners))
    return labels


def dimension_label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def objection_state(score: dict | None) -> str:
    """none, open (waiting for my decision), decided, or unknown (the score is not mine to
    read)."""
    if score is None:
        return "unknown"
    objection = (score.get("finalized") or {}).get("objection")
    if not objection:
        return "none"
    return "decided" if "outcome" in objection else "open"


# --- the team's scores and finalization -------------------------------------------------------


@ui.route("/team/scores")
@user.login_required("supervisor")
def team_scores():
    cycle = chosen_cycle(request.args.get("cycle"))
    members = team_of(user.current_user().subject)
    unavailable = Unavailable()
    scores = {s["nip"]: s for s in unavailable.fetch([], "appraisal", f"cycles/{cycle}/scores")}
    return page(
        "supervisor/scores.html",
        form=Form(values={"cycle": cycle}),
        cycles=cycle_choices(cycle),
        cycle=cycle,
        rows=[(member, scores.get(member.nip)) for member in members],
        unavailable=unavailable,
        flag_labels=flag_labels,
    )


@ui.route("/team/scores/<cycle>/<nip>", methods=["GET", "POST"])
@user.login_required("supervisor")
def team_score(cycle: str, nip: str):
    if own := my_own(nip, "ui.my_results", cycle):
        return own
    form, status = Form(), None
    if request.method == "POST":
        form = Form.posted(request.form)
        try:
            api.send("POST", "appraisal", f"cycles/{cycle}/scores/{nip}/finalize")
        except ApiError as error:
            status = refuse(form, error)
        else:
            flash(_("Nilai difinalisasi dan dikunci."))
            return redirect(url_for("ui.team_score", cycle=cycle, nip=nip))
    try:
        score = api.get("appraisal", f"cycles/{cycle}/scores/{nip}")
    except ApiError as error:
        return error_page(error.status, error.message)
    finalized = score.get("finalized")
    return form_page(
        "supervisor/score.html",
        form,
        status=status,
        score=score,
        cycle=cycle,
        owner=employee(nip),
        groups=group_rows(score.get("groups") or {}),
        flags=flag_labels(score.get("flags") or []),
        dimension_label=dimension_label,
        finalized=finalized,
        finalized_by=_name_of(finalized["finalized_by"]) if finalized else "",
        confirming=request.args.get("confirm") == "1" and not finalized,
        outcomes=OUTCOMES,
    )


def _name_of(nip: str) -> str:
    person = employee(nip)
    return person.name if person else nip


# --- objections: reports of my reports -------------------------------------------------------


def second_line(supervisor_nip: str) -> list[tuple]:
    """The reports of my reports, each with their own supervisor: whose objections I decide."""
    return [(person, lead) for lead in team_of(supervisor_nip) for person in team_of(lead.nip)]


def readable_score(cycle: str, nip: str) -> dict | None:
    """The score when the appraisal service lets me read it; None when it does not."""
    try:
        return api.get("appraisal", f"cycles/{cycle}/scores/{nip}")
    except ApiError:
        return None


# The same two pages serve the supervisor's superior (their second line) and HR (who decide
# in the superior's place when a supervisor has none): where each came from and goes back to.
SUPERIOR_PAGES = ("ui/supervisor/_layout.html", "ui.team_objections", "ui.team_objection")
HR_PAGES = ("ui/hr/_layout.html", "ui.hr_objections", "ui.hr_objection")


@ui.route("/team/objections")
@user.login_required("supervisor")
def team_objections():
    return objections_page(second_line(user.current_user().subject), SUPERIOR_PAGES)


@ui.route("/hr/objections")
@user.login_required("hr")
def hr_objections():
    db = service_context().db
    return objections_page(directory.under_a_top_supervisor(db), HR_PAGES)


def objections_page(people: list[tuple], pages: tuple[str, str, str]):
    cycle = chosen_cycle(request.args.get("cycle"))
    rows = []
    for person, lead in people:
        score = readable_score(cycle, person.nip)
        rows.append({"person": person, "lead": lead, "state": objection_state(score)})
    layout, list_endpoint, decision_endpoint = pages
    return page(
        "supervisor/objections.html",
        form=Form(values={"cycle": cycle}),
        cycles=cycle_choices(cycle),
        cycle=cycle,
        rows=sorted(rows, key=lambda row: row["state"] != "open"),
        layout=layout,
        list_endpoint=list_endpoint,
        decision_endpoint=decision_endpoint,
        in_place_of_superior=pages is HR_PAGES,
    )


@ui.route("/team/objections/<cycle>/<nip>", methods=["GET", "POST"])
@user.login_required("supervisor")
def team_objection(cycle: str, nip: str):
    return objection_page(cycle, nip, SUPERIOR_PAGES)


@ui.route("/hr/objections/<cycle>/<nip>", methods=["GET", "POST"])
@user.login_required("hr")
def hr_objection(cycle: str, nip: str):
    return objection_page(cycle, nip, HR_PAGES)


def objection_page(cycle: str, nip: str, pages: tuple[str, str, str]):
    layout, list_endpoint, decision_endpoint = pages
    form, status = Form(), None
    if request.method == "POST":
        form = Form.posted(request.form)
        if form.require("reason", message=_("wajib diisi")):
            changed = decimal_text(form.value("final_score"))
            body = {"reason": str(form.value("reason")).strip(), "final_score": changed or None}
            try:
                api.send(
                    "POST", "appraisal", f"cycles/{cycle}/scores/{nip}/objection/decision", body
                )
            except ApiError as error:
                status = refuse(form, error)
            else:
                flash(_("Keputusan atas keberatan disimpan."))
                return redirect(url_for(list_endpoint, cycle=cycle))
    person = employee(nip)
    if person is None:
        return error_page(404, _("Pegawai ini tidak ada di direktori."))
    score = readable_score(cycle, nip)
    return form_page(
        "supervisor/objection.html",
        form,
        status=status,
        cycle=cycle,
        person=person,
        score=score,
        finalized=(score or {}).get("finalized"),
        state=objection_state(score),
        outcomes=OUTCOMES,
        layout=layout,
        list_endpoint=list_endpoint,
        decision_endpoint=decision_endpoint,
    )
