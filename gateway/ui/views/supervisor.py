"""Supervisor: the team overview, one row per direct report with their SKP status, the
gaps in their daily logs, how far their open 360 round has come and their score.

The pages linked from it live beside this module: supervisor_targets.py (approve or
return an SKP), supervisor_logs.py (the verification queue, a report's month of logs) and
supervisor_scores.py (finalize scores, decide objections). The helpers they share are here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from gateway.directory import queries as directory
from gateway.directory.domain import Employee
from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import page
from gateway.ui.vocabulary import SKP_STATUSES
from kinerja.web import service_context

CYCLE = re.compile(r"^20\d\d$")
MONTH = re.compile(r"^20\d\d-(0[1-9]|1[0-2])$")
TEAM_LIMIT = 1000  # one page of the directory holds any real team


# --- shared by the supervisor's pages ---------------------------------------------------------


def chosen_cycle(text: str | None) -> str:
    """The cycle asked for, or this year's."""
    return text if text and CYCLE.match(text) else str(date.today().year)


def chosen_month(text: str | None) -> str:
    """The month asked for (YYYY-MM), or this one."""
    return text if text and MONTH.match(text) else date.today().strftime("%Y-%m")


def cycle_choices(cycle: str) -> list[tuple[str, str]]:
    """This year and the three before it, and the one shown if it is none of them."""
    this_year = date.today().year
    years = {str(year) for year in range(this_year - 3, this_year + 1)} | {cycle}
    return [(year, year) for year in sorted(years, reverse=True)]


def team_of(supervisor_nip: str) -> list[Employee]:
    """My active direct reports, by name: the directory is the gateway's own data."""
    db = service_context().db
    members, _total = directory.search_employees(
        db, None, supervisor_nip, True, None, 1, TEAM_LIMIT
    )
    return members


def my_own(nip: str, endpoint: str, cycle: str) -> Response | None:
    """The team pages act as the appraiser; my own SKP or score is mine as an employee, so
    they send me to the employee's page (no appraiser's actions on myself)."""
    if nip != user.current_user().subject:
        return None
    return redirect(url_for(endpoint, cycle=cycle))


def employee(nip: str) -> Employee | None:
    return directory.get_employee(service_context().db, nip)


def supervises_anyone(nip: str) -> bool:
    """Whether a report of mine has reports: then I decide objections on theirs."""
    return directory.has_active_reports(service_context().db, nip)


class Unavailable(list):
    """The services that did not answer: the page shows what it has and names them."""

    def fetch(self, default: object, service: str, path: str, **params) -> object:
        if service in self:
            return default  # asked once already: no waiting on it again for every report
        try:
            return api.get(service, path, **params)
        except ApiError:
            self.append(service)
            return default


# --- the overview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    nip: str
    name: str
    position: str
    skp_status: str
    missing_days: int | None  # None: the logs service did not say
    pending_entries: int
    ratings_submitted: int | None  # None: no open round, or no assignment for this report
    ratings_assigned: int | None
    final_score: float | None  # only once every input is complete
    predicate: str | None
    finalized: bool
    provisional_final_score: float | None = None  # during the year: no predicate
    scored: bool = False  # the appraisal service holds a score (maybe not yet assessable)
    pending_realizations: int = 0  # the employee's own realization, awaiting my confirmation


def open_round(rounds: list[dict], cycle: str) -> dict | None:
    """The cycle's open 360 round (the one closing soonest when there are several)."""
    candidates = [r for r in rounds if r.get("cycle") == cycle and r.get("status") == "open"]
    return min(candidates, key=lambda r: r.get("deadline") or "", default=None)


def team_rows(
    members: list[Employee],
    skps: list[dict],
    queue: list[dict],
    recaps: dict[str, dict | None],
    completion: dict | None,
    scores: list[dict],
) -> list[TeamRow]:
    """One row per report, joining what each service knows by NIP."""
    status = {row["nip"]: row["status"] for row in skps}
    awaiting = {row["nip"]: row.get("pending_realizations", 0) for row in skps}
    pending = Counter(entry["nip"] for entry in queue)
    rates = {rate["key"]: rate for rate in (completion or {}).get("by_ratee", [])}
    score_of = {score["nip"]: score for score in scores}
    rows = []
    for member in members:
        recap = recaps.get(member.nip)
        rate = rates.get(member.nip)
        score = score_of.get(member.nip) or {}
        rows.append(
            TeamRow(
                nip=member.nip,
                name=member.name,
                position=member.position,
                skp_status=status.get(member.nip, "not_started"),
                missing_days=len(recap["missing_days"]) if recap else None,
                pending_entries=pending[member.nip],
                ratings_submitted=rate["submitted"] if rate else None,
                ratings_assigned=rate["assigned"] if rate else None,
                final_score=score.get("final_score"),
                predicate=score.get("predicate"),
                finalized=bool(score.get("finalized")),
                provisional_final_score=score.get("provisional_final_score"),
                scored=bool(score),
                pending_realizations=awaiting.get(member.nip, 0),
            )
        )
    return rows


def team_totals(rows: list[TeamRow], completion: dict | None) -> dict:
    """The numbers at the top of the overview: what waits for me."""
    overall = (completion or {}).get("round") or {}
    return {
        "skps_to_approve": sum(row.skp_status == "submitted" for row in rows),
        "realizations_to_confirm": sum(row.pending_realizations for row in rows),
        "entries_to_verify": sum(row.pending_entries for row in rows),
        "scores_to_finalize": sum(
            row.final_score is not None and not row.finalized for row in rows
        ),
        "ratings_submitted": overall.get("submitted", 0),
        "ratings_assigned": overall.get("assigned", 0),
    }


@ui.route("/team")
@user.login_required("supervisor")
def team():
    cycle = chosen_cycle(request.args.get("cycle"))
    month = chosen_month(request.args.get("month"))
    me = user.current_user().subject
    members = team_of(me)
    unavailable = Unavailable()
    skps = unavailable.fetch([], "targets", f"teams/{me}/skps", cycle=cycle)
    queue = unavailable.fetch([], "logs", "verification-queue")
    recaps = {
        member.nip: unavailable.fetch(None, "logs", f"employees/{member.nip}/recap", month=month)
        for member in members
    }
    round_ = open_round(unavailable.fetch([], "feedback", "rounds"), cycle)
    completion = (
        unavailable.fetch(None, "feedback", f"rounds/{round_['id']}/completion") if round_ else None
    )
    scores = unavailable.fetch([], "appraisal", f"cycles/{cycle}/scores")
    rows = team_rows(members, skps, queue, recaps, completion, scores)
    return page(
        "supervisor/team.html",
        form=Form(values={"cycle": cycle, "month": month}),
        cycles=cycle_choices(cycle),
        cycle=cycle,
        month=month,
        rows=rows,
        totals=team_totals(rows, completion),
        round=round_,
        skp_status=SKP_STATUSES,
        unavailable=unavailable,
        has_second_line=any(supervises_anyone(member.nip) for member in members),
    )
