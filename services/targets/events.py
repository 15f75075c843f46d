"""Events the targets service publishes, with their payloads."""

from __future__ import annotations

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
    total = breakdown.total
    return {
        "nip": skp.nip,
        "cycle": skp.cycle,
        "skp_score": float(total.skp_score),
        "activities_mean": float(total.activities_mean),
        "extra_tasks_points": float(total.extra_tasks_points),
        "creativity_points": float(total.creativity_points),
        "complete": breakdown.complete,
        # the SKP's revision: a consumer keeps the newest score whatever order they arrive in
        "revision": skp.revision,
    }
