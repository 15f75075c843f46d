"""Events the targets service publishes, with their payloads."""

from __future__ import annotations

from services.targets import scoring
from services.targets.domain import ScoreBreakdown, Skp

SKP_SUBMITTED = "targets.skp.submitted"
SKP_APPROVED = "targets.skp.approved"
SKP_RETURNED = "targets.skp.returned"
REALIZATION_UPDATED = "targets.realization.updated"
SCORE_UPDATED = "targets.score.updated"


def _number(value) -> float | None:
    return None if value is None else float(value)


def skp_decided(skp: Skp) -> dict:
    """Submitted, approved or returned: the version and, for the logs service, its activities."""
    version = skp.current
    return {
        "nip": skp.nip,
        "cycle": skp.cycle,
        "version": version.number,
        "status": version.status,
        "notes": version.notes,
        "decided_by": version.decided_by,
        "activities": [
            {
                "id": a.id,
                "name": a.name,
                "quantity": float(a.quantity),
                "unit": a.unit,
                "months": float(a.months),
            }
            for a in version.activities
        ],
    }


def realization_updated(skp: Skp, activity_id: str) -> dict:
    realized = skp.realization[activity_id]
    return {
        "nip": skp.nip,
        "cycle": skp.cycle,
        "activity_id": activity_id,
        "quantity": _number(realized.quantity),
        "quantity_source": realized.quantity_source,
        "quality": _number(realized.quality),
        "months": _number(realized.months),
        "cost": _number(realized.cost),
    }


def score_updated(skp: Skp, breakdown: ScoreBreakdown) -> dict:
    """The SKP score as of a date; skp_score is null while no activity can be assessed yet."""
    total = breakdown.total
    return {
        "nip": skp.nip,
        "cycle": skp.cycle,
        "skp_score": _number(total.skp_score if total else None),
        "activities_mean": _number(total.activities_mean if total else None),
        "extra_tasks_points": float(scoring.extra_task_points(breakdown.extra_tasks)),
        "creativity_points": float(scoring.creativity_points(breakdown.creativity)),
        "complete": breakdown.complete,
        # provisional until every activity's realization is in; prorated: some activity is
        # scored against its target due by as_of, not the whole year's
        "provisional": breakdown.provisional,
        "prorated": breakdown.prorated,
        "as_of": breakdown.as_of.isoformat(),
        # the SKP's revision: a consumer keeps the newest score whatever order they arrive in
        "revision": skp.revision,
    }
