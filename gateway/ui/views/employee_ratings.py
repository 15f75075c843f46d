"""Employee: my pending 360 ratings. For each open round, whom I rate and as which group;
a rating per assignment (a 0–100 score per dimension of the round's framework and a
comment), kept as a draft or submitted; a submitted one is revised while the round is
open; an assignment is declined with the reason."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, page
from gateway.ui.refusals import refusal_message, refuse
from gateway.ui.vocabulary import RATER_GROUPS

OPEN = "open"
GROUPS = RATER_GROUPS
# What the rater is asked, by their group towards the ratee.
AS_GROUP = {
    "superior": _l("sebagai atasannya"),
    "peer": _l("sebagai rekan kerja"),
    "subordinate": _l("sebagai bawahannya"),
    "self": _l("penilaian diri sendiri"),
}
ANSWER_STATUS = {
    "pending": _l("Belum diisi"),
    "draft": _l("Draf tersimpan"),
    "submitted": _l("Terkirim"),
    "declined": _l("Ditolak"),
}
TO_DO = ("pending", "draft")


def open_rounds() -> list[dict]:
    rounds = api.get("feedback", "rounds")
    return sorted(
        (r for r in rounds if r.get("status") == OPEN), key=lambda r: r.get("deadline") or ""
    )


def score_values(assignment: dict) -> dict:
    """A saved answer as the form's values."""
    values = {f"scores.{key}": _plain(score) for key, score in assignment["scores"].items()}
    values["comment"] = assignment.get("comment", "")
    return values


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def shared_anchors(dimensions: list[dict]) -> list[tuple[str, str]]:
    """The score anchors, said once when every dimension has the same, lowest point first."""
    anchors = [d.get("anchors") or {} for d in dimensions]
    if not anchors or not anchors[0] or any(a != anchors[0] for a in anchors):
        return []
    return sorted(anchors[0].items(), key=lambda item: float(item[0]))


def answer_body(form: Form, assignment: dict) -> dict:
    """The scores typed, one per dimension (a blank one is not sent), and the comment."""
    scores = {}
    for dimension in assignment["dimensions"]:
        typed = str(form.value(f"scores.{dimension['key']}")).strip()
        if typed:
            scores[dimension["key"]] = typed
    return {"scores": scores, "comment": str(form.value("comment")).strip()}


@ui.route("/ratings")
@user.login_required("employee")
def my_ratings():
    try:
        rounds = open_rounds()
        mine = [
            (round_, api.get("feedback", f"rounds/{round_['id']}/my-assignments"))
            for round_ in rounds
        ]
    except ApiError as error:
        return error_page(error.status, refusal_message(error))
    return page(
        "employee/ratings.html",
        rounds=[
            {
                "round": round_,
                "to_do": [a for a in assignments if a["status"] in TO_DO],
                "done": [a for a in assignments if a["status"] not in TO_DO],
            }
            for round_, assignments in mine
        ],
        groups=GROUPS,
        as_group=AS_GROUP,
        answer_status=ANSWER_STATUS,
    )


@ui.route("/ratings/<round_id>/<response_id>", methods=["GET", "POST"])
@user.login_required("employee")
def my_rating(round_id: str, response_id: str):
    try:
        round_ = next((r for r in api.get("feedback", "rounds") if r["id"] == round_id), None)
        assignments = api.get("feedback", f"rounds/{round_id}/my-assignments")
    except ApiError as error:
        return error_page(error.status, refusal_message(error))
    assignment = next((a for a in assignments if a["id"] == response_id), None)
    if round_ is None or assignment is None:
        return error_page(404, _("Penugasan penilaian ini tidak ditemukan."))
    form, decline_form, status = Form(values=score_values(assignment)), Form(), 200
    if request.method == "POST":
        posted = Form.posted(request.form)
        action = posted.value("action")
        try:
            done = _act(action, posted, assignment)
        except ApiError as error:
            status = refuse(posted, error)
            if action == "decline":
                decline_form = posted
            else:
                form = posted
        else:
            flash(done)
            if action == "draft":
                return redirect(url_for("ui.my_rating", round_id=round_id, response_id=response_id))
            return redirect(url_for("ui.my_ratings"))
    return page(
        "employee/rating.html",
        status,
        round=round_,
        assignment=assignment,
        form=form,
        decline_form=decline_form,
        open=round_.get("status") == OPEN,
        shared_anchors=shared_anchors(assignment["dimensions"]),
        groups=GROUPS,
        as_group=AS_GROUP,
        answer_status=ANSWER_STATUS,
    )


def _act(action: str, form: Form, assignment: dict) -> str:
    """One API call for the action; the flash message said after it."""
    base = f"rounds/{assignment['round_id']}/assignments/{assignment['id']}"
    name = assignment.get("ratee_name") or assignment["ratee"]
    if action == "draft":
        api.send("PUT", "feedback", f"{base}/draft", answer_body(form, assignment))
        return _("Draf penilaian untuk %(name)s disimpan.", name=name)
    if action == "submit":
        api.send("POST", "feedback", f"{base}/submit", answer_body(form, assignment))
        return _("Penilaian untuk %(name)s terkirim. Terima kasih.", name=name)
    if action == "revise":
        api.send("PUT", "feedback", f"{base}/response", answer_body(form, assignment))
        return _("Penilaian untuk %(name)s diperbarui.", name=name)
    if action == "decline":
        reason = str(form.value("reason")).strip()
        api.send("POST", "feedback", f"{base}/decline", {"reason": reason} if reason else {})
        return _("Penugasan menilai %(name)s ditolak.", name=name)
    abort(400)
