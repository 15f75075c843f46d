"""The targets service's read models: what its routes answer, apart from the routes.

Who may read is decided before these are called (kinerja.access); the score itself is
the regulation's arithmetic in domain.py and scoring.py.
"""

from __future__ import annotations

from pymongo.database import Database

from kinerja import directory_replica
from services.targets import commands, domain, scoring, store
from services.targets.domain import Skp


def team_status(db: Database, supervisor: str, cycle: str) -> list[dict]:
    """Each direct report's SKP status for a cycle, with its score so far and how many
    of their realizations wait for the supervisor."""
    reports = directory_replica.direct_reports(db, supervisor)
    skps = store.skps_of(db, [r["nip"] for r in reports], cycle)
    return [team_row(report, skps.get(report["nip"])) for report in reports]


def team_row(report: dict, skp: Skp | None) -> dict:
    row = {
        "nip": report["nip"],
        "name": report.get("name", ""),
        "position": report.get("position", ""),
        "skp_score": None,
        "pending_realizations": 0,
    }
    if skp is None:
        return {**row, "status": domain.NOT_STARTED}
    if skp.contract is not None:
        total = domain.score(skp, as_of=commands.today()).total
        row["skp_score"] = total.skp_score if total else None
    row["pending_realizations"] = sum(
        p.status == domain.AWAITING_CONFIRMATION for p in skp.pending.values()
    )
    return {**row, "status": skp.status}


def score_view(skp: Skp, breakdown: domain.ScoreBreakdown) -> dict:
    """The score with its breakdown per activity and aspect, as the API answers it."""
    total = breakdown.total
    return {
        "nip": skp.nip,
        "cycle": skp.cycle,
        "activities": [
            {
                "activity": row.activity,
                "target": row.target,
                "share": row.share,
                "realization": row.realization,
                "score": row.score,
                "assessable": row.score is not None,
                "assumed": row.assumed,
                "flags": row.flags,
            }
            for row in breakdown.activities
        ],
        "activities_mean": total.activities_mean if total else None,
        "extra_tasks": breakdown.extra_tasks,
        "extra_tasks_points": scoring.extra_task_points(breakdown.extra_tasks),
        "creativity": breakdown.creativity,
        "creativity_points": scoring.creativity_points(breakdown.creativity),
        "skp_score": total.skp_score if total else None,
        "complete": breakdown.complete,
        "provisional": breakdown.provisional,
        "prorated": breakdown.prorated,
        "as_of": breakdown.as_of,
    }


def personal_data(db: Database, nip: str) -> dict:
    """Everything the targets service holds about the employee: each cycle's SKP with
    every version, the realization and proposals, the achievements with their evidence
    (as written: a reference, no file is stored), and the log output counted towards it."""
    skps = [store.get_skp(db, nip, doc["cycle"]) for doc in db["skps"].find({"nip": nip})]
    keys = [skp.key for skp in skps]
    output = db["log_output"].find({"skp_key": {"$in": keys}})
    return {
        "skps": [vars(skp) for skp in skps],
        "log_output": [{"entry_id": doc.pop("_id"), **doc} for doc in output],
    }
