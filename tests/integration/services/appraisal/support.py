"""Feeding the appraisal service its events directly, and running its recompute job."""

from __future__ import annotations

from kinerja import directory_replica
from kinerja.contracts import EVENT_TYPES
from services.appraisal import handlers, recompute
from tests.support import deliver

DIMENSIONS = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama")


def apply(app, handler, event_type: str, data: dict) -> None:
    """The event of that type, read through its contract, applied by `handler`."""
    deliver(app.extensions["kinerja"].uow, handler, EVENT_TYPES[event_type], data)


def add_employee(app, nip: str, supervisor: str | None, unit: str, version: int = 1, **extra):
    record = {
        "nip": nip,
        "name": extra.pop("name", f"Pegawai {nip[-4:]}"),
        "unit_id": unit,
        "supervisor_nip": supervisor,
        "position_kind": extra.pop("position_kind", "functional"),
        "active": True,
        "version": version,
        **extra,
    }
    apply(app, directory_replica.apply_employee, "gateway.employee.upserted", record)


def open_round(app, round_id: str = "r1", cycle: str = "2026", status: str = "open") -> None:
    apply(
        app,
        handlers.record_round,
        f"feedback.round.{'opened' if status == 'open' else 'closed'}",
        {"round_id": round_id, "cycle": cycle, "framework_id": "pp46", "status": status},
    )


def skp(app, nip: str, score: float, cycle: str = "2026") -> None:
    apply(
        app,
        handlers.record_skp_score,
        "targets.score.updated",
        {"nip": nip, "cycle": cycle, "skp_score": score, "complete": True},
    )


def rate(app, rater: str, ratee: str, group: str, scores, revision: int = 1, round_id="r1"):
    """One response: `scores` is one number for every dimension, or a dict per dimension."""
    per_dimension = scores if isinstance(scores, dict) else dict.fromkeys(DIMENSIONS, scores)
    apply(
        app,
        handlers.record_response,
        "feedback.response.submitted",
        {
            "response_id": f"{rater}-{ratee}",
            "round_id": round_id,
            "rater_id": rater,
            "ratee_id": ratee,
            "rater_group": group,
            "scores": per_dimension,
            "revision": revision,
        },
    )


def recompute_now(app) -> None:
    """What the worker's recompute job does on its next poll."""
    recompute.recompute_dirty(app.extensions["kinerja"].db)
