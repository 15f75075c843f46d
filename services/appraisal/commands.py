"""What people do with appraisals, one function per command: each runs in one
transaction with its audit entry and its events.

Who may act on whom is checked here, inside the transaction (kinerja.access); HR's scheme
commands check no role, the API's `requires("hr")` does.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from kinerja import access, audit
from kinerja.access import Action, Relation
from kinerja.auth import Principal
from kinerja.errors import Conflict, NotFound
from kinerja.mongo import Tx
from services.appraisal import (
    decisions,
    domain,
    events,
    provisional,
    schemes,
    store,
)


def proposal_of(score: provisional.ProvisionalScore | None) -> decisions.Proposal:
    """The behaviour proposal of a stored score; 409 while there is none to decide on."""
    if score is None or score.behaviour_score is None or not score.dimensions:
        raise Conflict(
            "no behaviour proposal yet: the 360 ratings have not produced a score",
            code="no_proposal",
        )
    return decisions.Proposal(score.behaviour_score, dict(score.dimensions), score.standard_error)


def decide_behaviour(
    tx: Tx,
    cycle: str,
    nip: str,
    supervisor: str,
    own_scores: dict[str, Decimal] | None,
    reason: str | None,
    now: datetime,
) -> decisions.BehaviourDecision:
    """The pejabat penilai adopts the proposal (no scores) or sets their own aspect scores;
    changeable until finalization, audited and published. Forbidden but for the direct
    supervisor; Conflict `finalized` or `no_proposal`; ValidationFailed for missing or
    unknown aspects, a score off 0-100, or a departure beyond 1.96 x SE without a reason."""
    access.ensure(tx, supervisor, nip, Action.DECIDE)
    decisions.changeable(store.find_final(tx, nip, cycle) is not None)
    proposal = proposal_of(store.find_score(tx, nip, cycle))
    at = now.isoformat()
    decision = (
        decisions.adopt(nip, cycle, proposal, supervisor, at)
        if own_scores is None
        else decisions.set_own_scores(nip, cycle, proposal, own_scores, reason, supervisor, at)
    )
    _record_decision(tx, decision)
    return decision


def _record_decision(tx: Tx, decision: decisions.BehaviourDecision) -> None:
    before = store.find_decision(tx, decision.nip, decision.cycle)
    store.save_decision(tx, decision)
    audit.record(
        tx,
        decision.decided_by,
        "behaviour.decided",
        "behaviour_decision",
        f"{decision.nip}:{decision.cycle}",
        decisions.as_record(before) if before else None,
        decisions.as_record(decision),
    )
    tx.publish(events.BEHAVIOUR_DECIDED, events.behaviour_decided(decision))


def finalize(
    tx: Tx, cycle: str, nip: str, supervisor: str, today: date, now: datetime | None = None
) -> domain.FinalScore:
    """Lock the appraisal with the decided behaviour score; finalizing without a decision
    adopts the proposal as it stands (recorded as the supervisor's adoption). The direct
    supervisor only. Conflict `finalized`, `recompute_pending` (the proposal may be about
    to move), `proposal_changed` (decide again) or `incomplete` (a score missing, or the
    SKP still provisional); NotFound before the employee has any score."""
    access.ensure(tx, supervisor, nip, Action.DECIDE)
    if store.find_final(tx, nip, cycle) is not None:
        raise Conflict("finalized already; changes go through an objection", code="finalized")
    if (store.cycle_state(tx, cycle) or {}).get("dirty"):
        raise Conflict(
            "the cycle's scores are being recomputed; try again in a moment",
            code="recompute_pending",
        )
    current = store.find_score(tx, nip, cycle)
    if current is None:
        raise NotFound("no score for this employee in this cycle yet")
    behaviour = current.behaviour_score
    if behaviour is not None and current.dimensions:
        decision = store.find_decision(tx, nip, cycle)
        proposal = proposal_of(current)
        if decision is None:
            decision = decisions.adopt(
                nip, cycle, proposal, supervisor, (now or datetime.now(UTC)).isoformat()
            )
            _record_decision(tx, decision)
        elif not decision.made_on(proposal):
            raise Conflict(
                "the proposal changed since the behaviour decision; decide again",
                {"decision": [f"on {decision.proposed_score}, now {proposal.behaviour_score}"]},
                code="proposal_changed",
            )
        behaviour = decision.behaviour_score
        decisions.on_scale("behaviour_score", behaviour)
    score = domain.finalize(
        nip,
        cycle,
        current.skp_score,
        behaviour,
        supervisor,
        today,
        current.skp_share,
        skp_complete=current.skp_complete,
    )
    store.save_final(tx, score)
    audit.record(
        tx,
        supervisor,
        "score.finalized",
        "final_score",
        f"{nip}:{cycle}",
        None,
        events.final_score(score),
    )
    tx.publish(events.SCORE_FINALIZED, events.final_score(score))
    return score


def object_to(tx: Tx, cycle: str, nip: str, caller: str, reason: str, today: date):
    """The employee's own objection (keberatan) to a finalized appraisal, once, within 14
    days (Conflict `objection_exists`, `objection_too_late`); a reason of 20 characters
    or more. Audited, not published: the score moves only when it is decided."""
    access.ensure(tx, caller, nip, Action.ACT_AS_SELF)
    score = domain.object_to(existing_final(tx, nip, cycle), reason, today)
    store.save_final(tx, score)
    audit.record(
        tx, caller, "objection.filed", "final_score", f"{nip}:{cycle}", None, score.objection
    )
    return score


def decide_objection(
    tx: Tx,
    cycle: str,
    nip: str,
    caller: Principal | str,
    new_final: Decimal | None,
    why: str,
    today: date,
):
    """The atasan pejabat penilai (the supervisor's superior) decides, once and within 14
    days of the filing (Conflict `no_open_objection`, `decision_late`); HR decides in the
    superior's place when the supervisor has none (kinerja.access), recorded as such.
    `new_final` None confirms the score, a value (0-100) replaces it and its predicate.
    Written reasons of 20 characters or more. Published, as final."""
    found = access.ensure(tx, caller, nip, Action.DECIDE_OBJECTION)
    in_place = Relation.SUPERVISORS_SUPERIOR not in found
    decided_by = caller if isinstance(caller, str) else caller.subject
    decisions.on_scale("final_score", new_final)
    before = existing_final(tx, nip, cycle)
    score = domain.decide_objection(before, decided_by, new_final, why, today, in_place)
    store.save_final(tx, score)
    audit.record(
        tx,
        decided_by if isinstance(caller, str) else caller.actor,
        "objection.decided",
        "final_score",
        f"{nip}:{cycle}",
        events.final_score(before),
        events.final_score(score),
    )
    tx.publish(events.OBJECTION_DECIDED, events.final_score(score))
    return score


def existing_final(tx: Tx, nip: str, cycle: str) -> domain.FinalScore:
    """NotFound (404) until the appraisal is finalized."""
    score = store.find_final(tx, nip, cycle)
    if score is None:
        raise NotFound("the appraisal is not finalized")
    return score


def as_dict(score: domain.FinalScore) -> dict:
    """The locked record as FinalScoreOut dumps it (objection included)."""
    return asdict(score)


# --- HR's weighting schemes -------------------------------------------------------------------


def proposed_scheme(db_or_tx, scheme_id: str, fields: dict) -> schemes.WeightingScheme:
    """The scheme as HR's fields would make it, checked against every other scheme, and
    stored nowhere: the preview and save_scheme both start here. A Database or a Tx."""
    current = store.find_scheme(db_or_tx, scheme_id)
    if current is None and scheme_id == schemes.DEFAULT_ID:
        current = schemes.BUILT_IN_DEFAULT
    proposed = schemes.draft(scheme_id, fields, current)
    schemes.check(proposed, store.schemes(db_or_tx))
    return proposed


def save_scheme(
    tx: Tx, scheme_id: str, fields: dict, expected_version: int, actor: str, now: datetime
) -> schemes.WeightingScheme:
    """A new version, audited; every cycle's scores are recomputed with it. Conflict
    `stale_version` unless `expected_version` is the current one (0: a new scheme),
    `retired_id` for the id of a retired scheme (its versions name past scores);
    ValidationFailed naming each broken rule. Publishes its anonymity floors."""
    current = store.find_scheme(tx, scheme_id)
    if (current.version if current else 0) != expected_version:
        raise Conflict(
            "the scheme changed since you loaded it; reload and try again",
            {"version": [f"the current version is {current.version if current else 0}"]},
            code="stale_version",
        )
    if current is None:
        schemes.check_id_unused(scheme_id, store.last_saved_version(tx, scheme_id))
    scheme = replace(
        proposed_scheme(tx, scheme_id, fields), updated_by=actor, updated_at=now.isoformat()
    )
    store.save_scheme(tx, scheme)
    audit.record(
        tx,
        actor,
        "scheme.saved",
        "weighting_scheme",
        scheme_id,
        schemes.as_json(current) if current else None,
        schemes.as_json(scheme),
    )
    tx.publish(events.SCHEME_CHANGED, events.scheme_changed(scheme))
    store.mark_every_cycle_dirty(tx)
    return scheme


def retire_scheme(tx: Tx, scheme_id: str, expected_version: int, actor: str) -> None:
    """Its units and position kinds fall back to the default scheme; every cycle is
    recomputed. Conflict `default` for the default scheme, `stale_version` unless
    `expected_version` is current; NotFound for an unknown id."""
    if scheme_id == schemes.DEFAULT_ID:
        raise Conflict("the default scheme cannot be retired; change it instead", code="default")
    current = store.find_scheme(tx, scheme_id)
    if current is None:
        raise NotFound(f"no weighting scheme {scheme_id!r}")
    if current.version != expected_version:
        raise Conflict("the scheme changed since you loaded it", code="stale_version")
    store.retire_scheme(tx, current)
    audit.record(
        tx, actor, "scheme.retired", "weighting_scheme", scheme_id, schemes.as_json(current), None
    )
    tx.publish(events.SCHEME_CHANGED, events.scheme_changed(current, retired=True))
    store.mark_every_cycle_dirty(tx)
