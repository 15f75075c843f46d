"""Retention of 360 answers (kinerja.personal_data): a closed round's raw responses go once
its cycle ended before HR's cut-off; its results stay, kept as the aggregates they were.

The purge publishes nothing: it is not a withdrawal, so the appraisal service's scores do
not move (it purges its own copies of the answers on its own, keeping its scores). The
kept aggregates are those the ratee's results showed, within the anonymity rules, without
the comments: a comment is a rater's own words, raw data that goes with the answers.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date

from kinerja import audit, personal_data
from kinerja.mongo import Tx
from services.feedback import domain, queries, store

KEPT = "each ratee's published aggregates per rater group (without comments); appraisal scores"


def purgeable_rounds(tx: Tx, cut_off: date) -> list[domain.Round]:
    """Closed rounds of cycles that ended before the cut-off."""
    return [
        r
        for r in store.rounds(tx.db)
        if r.status == domain.CLOSED and personal_data.cycle_ended_before(r.cycle, cut_off)
    ]


def purge_closed_rounds(tx: Tx, cut_off: date, dry_run: bool, actor: str) -> dict:
    """Count (dry run) or delete the raw responses of the purgeable rounds, keeping each
    ratee's aggregates first; audited when it deletes."""
    rounds = purgeable_rounds(tx, cut_off)
    per_round = store.responses_per_round(tx, [r.id for r in rounds])
    counts = {"responses": sum(per_round.values()), "rounds": len(per_round)}
    if not dry_run and per_round:
        for round_ in rounds:
            for ratee in sorted({r.ratee for r in store.responses(tx, round_.id)}):
                kept = queries.computed_results(tx.db, round_, ratee)
                groups = tuple(replace(g, comments=()) for g in kept.groups)
                store.keep_results(tx, round_.id, ratee, asdict(replace(kept, groups=groups)))
        counts["responses"] = store.purge_responses(tx, list(per_round))
        after = {"cut_off": cut_off.isoformat(), "counts": counts, "rounds": sorted(per_round)}
        audit.record(tx, actor, "retention.purged", "retention", "responses", None, after)
    cycles = [r.cycle for r in rounds if r.id in per_round]
    return personal_data.report("feedback", cut_off, dry_run, counts, cycles, KEPT)
