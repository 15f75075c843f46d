"""What of an SKP goes into each event the targets service publishes; the events' wire
shape is their contract, kinerja/contracts/targets.py."""

from __future__ import annotations

from kinerja.contracts.targets import (  # noqa: F401 - the events this service publishes
    REALIZATION_UPDATED,
    SCORE_UPDATED,
    SKP_APPROVED,
    SKP_RETURNED,
    SKP_SUBMITTED,
)
from services.targets import scoring
from services.targets.domain import ScoreBreakdown, Skp


def skp_decided(skp: Skp) -> dict:
    version = skp.current
    return {
        "nip": skp.nip,
        "cycle": skp.cycle,
        "version": version.number,
        "status": version.status,
        "notes": version.notes,
        "decided_by": version.decided_by,
        "activities": version.activities,
    }


def realization_updated(skp: Skp, activity_id: str) -> dict:
    realized = skp.realization[activity_id]
    return {
        "nip": skp.nip,
        "cycle": skp.cycle,
        "activity_id": activity_id,
        "quantity": realized.quantity,
        "quantity_source": realized.quantity_source,
        "quality": realized.quality,
        "months": realized.months,
        "cost": realized.cost,
    }


def score_updated(skp: Skp, breakdown: ScoreBreakdown) -> dict:
    total = breakdown.total
    return {
        "nip": skp.nip,
        "cycle": skp.cycle,
        "skp_score": total.skp_score if total else None,
        "activities_mean": total.activities_mean if total else None,
        "extra_tasks_points": scoring.extra_task_points(breakdown.extra_tasks),
        "creativity_points": scoring.creativity_points(breakdown.creativity),
        "complete": breakdown.complete,
        "provisional": breakdown.provisional,
        "prorated": breakdown.prorated,
        "as_of": breakdown.as_of,
        "revision": skp.revision,
    }
