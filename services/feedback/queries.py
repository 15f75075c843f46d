"""The feedback service's read models: what its routes answer, apart from the routes.

Who may read is decided before these are called (kinerja.access, the routes' roles);
what a ratee's results may show is results.py's rule.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from pymongo.database import Database

from kinerja import directory_replica
from kinerja.auth import Principal
from kinerja.errors import NotFound
from services.feedback import commands, domain, results, store
from services.feedback.domain import Response


def assignment(db: Database, response: Response, with_answer: bool) -> dict:
    """An assignment with its ratee's name; for the rater, also their answer and the
    dimensions to rate (the ratee's position decides which)."""
    ratee = directory_replica.find_employee(db, response.ratee) or {}
    out = {**response.__dict__, "ratee_name": ratee.get("name", "")}
    if with_answer:
        round_ = store.find_round(db, response.round_id)
        out["dimensions"] = commands.dimensions_for(db, round_, response.ratee)
    else:
        out.update(scores={}, comment="")
    return out


def assignments(db: Database, round_id: str) -> list[dict]:
    """Every assignment of the round, without answers (it names raters: HR's only)."""
    return [assignment(db, r, with_answer=False) for r in store.responses(db, round_id)]


def assignments_of_rater(db: Database, round_id: str, rater: str) -> list[dict]:
    mine = store.responses(db, round_id, rater=rater, state=domain.ACTIVE)
    return [assignment(db, r, with_answer=True) for r in mine]


def completion(db: Database, round_id: str, reader: Principal) -> dict:
    """Response rates by round, ratee, rater and unit: HR's exact, a supervisor's of their
    reports without a figure one anonymous answer moves (domain.completion_without_raters)."""
    commands.existing_round(db, round_id)
    live = store.responses(db, round_id, state=domain.ACTIVE)
    employees = {e["nip"]: e for e in directory_replica.active_employees(db)}

    def unit_of(nip: str) -> str:
        return employees.get(nip, {}).get("unit_id", "")

    if reader.has_any(["hr"]):
        return domain.completion(round_id, live, unit_of)
    team = {r["nip"] for r in directory_replica.direct_reports(db, reader.subject)}
    schemes = store.live_schemes(db)

    def thresholds_of(nip: str) -> dict[str, int]:
        employee = employees.get(nip, {})
        policy = results.thresholds_for(
            schemes, employee.get("unit_id"), employee.get("position_kind")
        )
        return policy.thresholds

    theirs = [r for r in live if r.ratee in team]
    return domain.completion_without_raters(round_id, theirs, thresholds_of, unit_of)


def reminders(db: Database, round_id: str, today: date, within_days: int) -> list[dict]:
    """Raters with ratings still to give, once the deadline is near; none otherwise."""
    round_ = commands.existing_round(db, round_id)
    if not domain.reminders_due(round_, today, within_days):
        return []
    left = domain.days_left(round_, today)
    waiting = domain.waiting_by_rater(store.responses(db, round_id, state=domain.ACTIVE))
    return [
        {
            "rater": rater,
            "name": (directory_replica.find_employee(db, rater) or {}).get("name", ""),
            "pending": count,
            "days_left": left,
        }
        for rater, count in waiting.items()
    ]


def ratee_results(db: Database, round_id: str, ratee: str) -> dict:
    """A ratee's results once the round has closed: aggregates per dimension and rater
    group, each group shown only at or above its anonymity floor."""
    round_ = commands.existing_round(db, round_id)
    domain.ensure_published(round_)
    kept = store.kept_results(db, round_id, ratee)  # the round's raw answers were purged
    return kept if kept is not None else computed_results(db, round_, ratee)


def computed_results(db: Database, round_: domain.Round, ratee: str):
    """A published round's results of the ratee, from its submitted responses."""
    round_id = round_.id
    employee = directory_replica.find_employee(db, ratee) or {}
    dimensions = [d.key for d in commands.dimensions_for(db, round_, ratee)]
    ratings = [
        results.Rating(r.rater, r.group, r.scores, r.comment)
        for r in store.responses(
            db, round_id, ratee=ratee, state=domain.ACTIVE, status=domain.SUBMITTED
        )
    ]
    if not ratings and not employee:
        raise NotFound(f"no ratee {ratee}")
    policy = results.thresholds_for(
        store.live_schemes(db), employee.get("unit_id"), employee.get("position_kind")
    )
    return results.ratee_results(ratee, ratings, dimensions, policy)


def personal_data(db: Database, nip: str) -> dict:
    """Everything the feedback service holds about the employee, within the anonymity
    rules: the published results about them (aggregates only, as their results page
    shows them; no rater named, no single answer), what they answered as a rater, whom
    they were asked to rate, and the peers they nominated with the supervisor's decision
    (never whether a nominee answered)."""
    about, written, nominations = [], [], []
    for round_ in store.rounds(db):
        rated = store.kept_results(db, round_.id, nip) or store.responses(db, round_.id, ratee=nip)
        if round_.status == domain.CLOSED and rated:
            about.append({"round_id": round_.id, **_as_record(ratee_results(db, round_.id, nip))})
        for response in store.responses(db, round_.id, rater=nip):
            written.append(response)
        for response in store.responses(db, round_.id, ratee=nip, source="nomination"):
            nominations.append(
                {"round_id": round_.id, "peer": response.rater, "state": response.state}
            )
    return {
        "results_about_me": about,
        "assignments_as_rater": written,
        "nominations": nominations,
    }


def _as_record(results) -> dict:
    return results if isinstance(results, dict) else asdict(results)
