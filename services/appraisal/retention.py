"""Retention of this service's copies of 360 answers (kinerja.personal_data): a closed
round's raw ratings go once its cycle ended before HR's cut-off; the scores stay.

Nothing is published, and nothing here marks a cycle dirty: a purge is not a withdrawal,
and the scores, finalized or provisional, keep the values computed from the full answers.
The cycle records the purge (`inputs_purged_before`): a later recompute of it (a scheme
change marks every cycle dirty) would score it without those ratings, so the recompute
must leave such a cycle's scores alone.
"""

from __future__ import annotations

from datetime import date

from kinerja import audit, personal_data
from kinerja.mongo import Tx
from services.appraisal import store

KEPT = "provisional and finalized scores, decisions and objections of every cycle"


def purgeable_rounds(tx: Tx, cut_off: date) -> list[dict]:
    """Closed rounds of cycles that ended before the cut-off, with their cycle."""
    closed = tx.db["rounds"].find({"status": "closed"}, {"cycle": 1}, session=tx.session)
    return [r for r in closed if personal_data.cycle_ended_before(r.get("cycle", ""), cut_off)]


def purge_closed_rounds(tx: Tx, cut_off: date, dry_run: bool, actor: str) -> dict:
    """Count (dry run) or delete the raw ratings of the purgeable rounds; audited when it
    deletes."""
    rounds = purgeable_rounds(tx, cut_off)
    per_round = store.ratings_per_round(tx, [r["_id"] for r in rounds])
    cycles = sorted({r["cycle"] for r in rounds if r["_id"] in per_round})
    counts = {"ratings": sum(per_round.values()), "rounds": len(per_round)}
    if not dry_run and per_round:
        counts["ratings"] = store.purge_ratings(tx, list(per_round))
        for cycle in cycles:
            store.mark_inputs_purged(tx, cycle, cut_off)
        after = {"cut_off": cut_off.isoformat(), "counts": counts, "rounds": sorted(per_round)}
        audit.record(tx, actor, "retention.purged", "retention", "ratings", None, after)
    return personal_data.report("appraisal", cut_off, dry_run, counts, cycles, KEPT)
