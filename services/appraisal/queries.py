"""The appraisal service's read models: what its routes answer, apart from the routes.

Who may read is decided before these are called (kinerja.access); what of a score each
reader sees is decided here, once: the breakdown only for those access lets see it,
group means only as anonymity lets through, rater names only for HR.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from pymongo.database import Database

from kinerja import directory_replica
from kinerja.anonymity import ANONYMITY_FLOOR
from kinerja.auth import Principal
from kinerja.errors import Conflict, NotFound
from services.appraisal import (
    adjustment,
    commands,
    decisions,
    domain,
    provisional,
    recompute,
    reliability,
    reports,
    schemes,
    store,
)
from services.appraisal.adjustment import AdjustmentOut
from services.appraisal.provisional import ProvisionalScore
from services.appraisal.schemas import BehaviourDecisionOut, FinalScoreOut, ProvisionalScoreOut


def names(db: Database) -> dict[str, str]:
    return {e["nip"]: e.get("name", "") for e in directory_replica.active_employees(db)}


def results_published(db: Database, cycle: str) -> bool:
    """Group results show once every round of the cycle has closed: no reading them before
    and after one response to difference it out."""
    rounds = store.rounds_of(db, cycle)
    return bool(rounds) and all(r["status"] == "closed" for r in rounds)


def anonymity_thresholds(db: Database, score: ProvisionalScore) -> dict[str, int]:
    """The minimum raters of the scheme the score was computed with, never below the floor."""
    scheme_id = score.scheme.split("@")[0]
    scheme = next(
        (s for s in schemes.with_default(store.schemes(db)) if s.id == scheme_id),
        schemes.BUILT_IN_DEFAULT,
    )
    return {g: max(floor, scheme.min_raters.get(g, floor)) for g, floor in ANONYMITY_FLOOR.items()}


# --- scores ----------------------------------------------------------------------------


def score_view(
    score: ProvisionalScore,
    reader: Principal,
    full_view: bool,
    state: dict | None,
    name: str,
    locked: domain.FinalScore | None,
    decision: decisions.BehaviourDecision | None = None,
) -> dict:
    """A stored score as its reader may see it, the locked record laid over it."""
    state = state or {}
    out = {
        **asdict(score),
        "name": name,
        "groups": reports.breakdown_groups(score.groups) if full_view else {},
        "pending": bool(state.get("dirty")),
        "computed_at": state.get("computed_at"),
        "finalized": None,
        "decision": decision_view(decision, score, full_view) if decision else None,
    }
    if not reader.has_any(["hr"]):  # a supervisor learns of no rater by name
        out["flags"] = reports.anonymous_flags(score.flags)
    if not full_view:
        out.update(reliability=None, standard_error=None, effective_raters=None, flags=[])
    if locked is not None:
        out.update(
            final_score=locked.final_score,
            predicate=locked.predicate,
            finalized=commands.as_dict(locked),
        )
    return out


def score_of(db: Database, nip: str, cycle: str, reader: Principal, full_view: bool) -> dict:
    score = store.find_score(db, nip, cycle)
    if score is None:
        raise NotFound("no score yet: no SKP score and no 360 rating in this cycle")
    name = (directory_replica.find_employee(db, nip) or {}).get("name", "")
    state = store.cycle_state(db, cycle)
    locked, decision = store.find_final(db, nip, cycle), store.find_decision(db, nip, cycle)
    return score_view(score, reader, full_view, state, name, locked, decision)


def scores_of_cycle(db: Database, cycle: str, unit_id: str | None, reader: Principal) -> list:
    """HR: every score of the cycle (or of one unit); a supervisor: their direct reports'."""
    scores = store.scores_of(db, cycle, unit_id)
    if not reader.has_any(["hr"]):
        team = {e["nip"] for e in directory_replica.direct_reports(db, reader.subject)}
        scores = [s for s in scores if s.nip in team]
    # one read each of the names, the locked records and the cycle, not one per score
    state, known, finals, decided = (
        store.cycle_state(db, cycle),
        names(db),
        store.finals_of(db, cycle),
        store.decisions_of(db, cycle),
    )
    return [
        score_view(
            s, reader, True, state, known.get(s.nip, ""), finals.get(s.nip), decided.get(s.nip)
        )
        for s in scores
    ]


def decision_view(
    decision: decisions.BehaviourDecision, score: ProvisionalScore | None, full_view: bool
) -> dict:
    """The decision with whether it was made on the proposal as it stands now."""
    current = score is not None and score.behaviour_score is not None
    current = current and decision.made_on(commands.proposal_of(score))
    skp = score.skp_score if score is not None else None
    final = (
        None if skp is None else domain.final_score(skp, decision.behaviour_score, score.skp_share)
    )
    out = {**decisions.as_record(decision), "current": current, "final_score": final}
    if not full_view:  # the employee's score view shows no standard error either
        out["standard_error"] = None
    return out


def decision_of(db: Database, nip: str, cycle: str, full_view: bool) -> dict:
    decision = store.find_decision(db, nip, cycle)
    if decision is None:
        raise NotFound("no behaviour decision yet")
    return decision_view(decision, store.find_score(db, nip, cycle), full_view)


def ratings_summary(db: Database, round_id: str, ratee_id: str) -> dict:
    """What this service has received for a ratee, not anonymized (HR's view)."""
    summary = domain.summarize(store.ratings_for(db, round_id, ratee_id))
    return {"round_id": round_id, "ratee_id": ratee_id, **summary.__dict__}


# --- reports -------------------------------------------------------------------------


def employee_report(db: Database, nip: str, cycle: str) -> dict:
    """Dimensions by rater group, self against others; once the cycle's rounds closed."""
    if not results_published(db, cycle):
        raise Conflict(
            "results are published when the cycle's 360 rounds have closed",
            code="round_open",
        )
    score = store.find_score(db, nip, cycle)
    if score is None:
        raise NotFound("no score yet in this cycle")
    return reports.employee_report(score, anonymity_thresholds(db, score))


def unit_distribution(db: Database, unit_id: str, cycle: str) -> dict:
    distribution = reports.unit_distribution(
        store.scores_of(db, cycle, unit_id), store.finals_of(db, cycle), names(db)
    )
    return {"unit_id": unit_id, "cycle": cycle, **distribution}


def export_csv(db: Database, cycle: str) -> str:
    return reports.export_csv(store.scores_of(db, cycle), store.finals_of(db, cycle), names(db))


def decisions_report(db: Database, cycle: str) -> dict:
    """Per supervisor: how often and how far they depart from the proposals, and which way."""
    known = names(db)
    rows = decisions.by_supervisor(store.decisions_of(db, cycle).values())
    return {
        "cycle": cycle,
        "supervisors": [{**row, "name": known.get(row["supervisor"], "")} for row in rows],
    }


# --- HR's weighting schemes ----------------------------------------------------------


def schemes_in_force(db: Database) -> list[dict]:
    """Every scheme in force, the default first (built in until HR saves one)."""
    return [schemes.as_json(s) for s in schemes.with_default(store.schemes(db))]


def scheme_versions(db: Database, scheme_id: str) -> list[dict]:
    return [schemes.as_json(s) for s in store.scheme_history(db, scheme_id)]


def preview(db: Database, cycle: str, proposed: schemes.WeightingScheme) -> dict:
    """How saving `proposed` would move every score and predicate of the cycle."""
    saved = store.schemes(db)
    inputs = recompute.cycle_inputs(db, cycle, saved)
    before = provisional.score_cycle(inputs).scores
    after = provisional.score_cycle(
        replace(inputs, schemes=schemes.replacing(saved, proposed))
    ).scores
    moves = provisional.moves(before, after, store.finals_of(db, cycle))
    known = {nip: e.get("name", "") for nip, e in inputs.employees.items()}
    governed = [s for s in after.values() if s.scheme == proposed.ref]
    return {
        "cycle": cycle,
        "scheme": schemes.as_json(proposed),
        "summary": provisional.summarize_moves(moves, len(after)),
        "effective_weights": provisional.effective_weights(governed),
        "moves": [{**asdict(m), "change": m.change, "name": known.get(m.nip, "")} for m in moves],
    }


# --- the cycle's reliability, for HR -------------------------------------------------


def cycle_reliability(db: Database, cycle: str) -> dict:
    """ICC(1) and Krippendorff's alpha on raw and adjusted forms, the leniency share of
    variance, and how many predicates the bias correction changed (SCORING.md step 5).
    HR's own figures: every rating received counts, open rounds' too."""
    inputs = recompute.cycle_inputs(db, cycle, published_only=False)
    corrected = provisional.score_cycle(inputs)
    if corrected.combination is None:
        raise NotFound("no 360 ratings in this cycle yet")
    without_correction = [
        replace(s, bias_correction=False) for s in schemes.with_default(inputs.schemes)
    ]
    uncorrected = provisional.score_cycle(replace(inputs, schemes=without_correction)).scores
    model = corrected.combination.model
    excluded = set(corrected.combination.excluded_raters)
    figures = reliability.cycle_reliability(
        reliability.forms_of(inputs.ratings, excluded),
        model.rater_variance,
        model.ratee_variance,
        model.residual_variance,
        provisional.predicates_changed(corrected.scores, uncorrected),
    )
    scores = corrected.scores.values()
    return {
        "cycle": cycle,
        **figures.as_dict(),
        "low_reliability": sum(1 for s in scores if "low_reliability" in s.flags),
        "excluded_raters": sorted(excluded),
        "components": model.components,
        "computed_for": len(corrected.scores),
    }


# --- what the statistics did, and the employee's personal data --------------------------


def scheme_of(db: Database, score: ProvisionalScore) -> schemes.WeightingScheme:
    """The scheme version the score was computed with (its ref), the built-in default when
    that version is not kept."""
    scheme_id, _, version = score.scheme.partition("@v")
    kept = [s for s in store.scheme_history(db, scheme_id) if str(s.version) == version]
    current = [s for s in schemes.with_default(store.schemes(db)) if s.ref == score.scheme]
    return next(iter(kept + current), schemes.BUILT_IN_DEFAULT)


def adjustment_of(db: Database, nip: str, cycle: str) -> dict:
    """How the bias correction moved the score, beside the supervisor's decision and the
    finalization (adjustment.py)."""
    score = store.find_score(db, nip, cycle)
    if score is None:
        raise NotFound("no score yet: no SKP score and no 360 rating in this cycle")
    return adjustment.explain(
        score,
        scheme_of(db, score).bias_correction,
        store.find_decision(db, nip, cycle),
        store.find_final(db, nip, cycle),
    )


def personal_data(db: Database, nip: str, reader: Principal) -> dict:
    """Everything the appraisal service holds about the employee, as they may see it: each
    cycle's score without the breakdown (no group sizes or flags), what the bias
    correction did, the supervisor's behaviour decision, the finalized appraisal with its
    objection and the decision on it. Not the raw ratings about them: those name raters."""
    held = ("scores", "final_scores", "behaviour_decisions")
    cycles = sorted({d["cycle"] for name in held for d in db[name].find({"nip": nip})})
    # each dumped by the schema its own route answers with, so the export shows no field
    # that route hides (the groups' per-dimension means among them)
    out = {"scores": [], "adjustments": [], "behaviour_decisions": [], "finalized": []}
    for cycle in cycles:
        if store.find_score(db, nip, cycle) is not None:
            score = score_of(db, nip, cycle, reader, full_view=False)
            out["scores"].append(ProvisionalScoreOut().dump(score))
            out["adjustments"].append(AdjustmentOut().dump(adjustment_of(db, nip, cycle)))
        decision = store.find_decision(db, nip, cycle)
        if decision is not None:
            view = decision_view(decision, None, False)
            out["behaviour_decisions"].append(BehaviourDecisionOut().dump(view))
        final = store.find_final(db, nip, cycle)
        if final is not None:
            out["finalized"].append(FinalScoreOut().dump(commands.as_dict(final)))
    return out
