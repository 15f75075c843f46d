"""What people do with an SKP, one function per command: each runs in one
transaction, saves the SKP and publishes what changed through the outbox. Supervisors'
decisions are checked here; the employee's own acts by the API (api._as_owner)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from decimal import Decimal

from kinerja import access, audit
from kinerja.access import Action, Relation
from kinerja.auth import Principal
from kinerja.errors import Conflict, NotFound
from kinerja.mongo import Tx
from services.targets import domain, events, store
from services.targets.domain import Achievement, ActivityTarget, Skp


def existing(tx: Tx, nip: str, cycle: str) -> Skp:
    """The SKP to act on or show; NotFound (404) when the employee has none for the cycle."""
    skp = store.find_skp(tx, nip, cycle)
    if skp is None:
        raise NotFound(f"no SKP of {nip} for {cycle}")
    return skp


def create_draft(tx: Tx, nip: str, cycle: str, activities: list[ActivityTarget]) -> Skp:
    """One SKP per employee and cycle: Conflict `skp_exists` when there is one (edit it or
    start a revision). Nothing is published until it is submitted."""
    if store.find_skp(tx, nip, cycle) is not None:
        raise Conflict(f"an SKP for {cycle} exists; edit or revise it", code="skp_exists")
    skp = domain.draft(nip, cycle, activities)
    store.save_skp(tx, skp)
    return skp


def edit_draft(tx: Tx, nip: str, cycle: str, activities: list[ActivityTarget]) -> Skp:
    """In place, while draft or returned; Conflict `not_editable` after (start a revision)."""
    return _save(tx, domain.edit(existing(tx, nip, cycle), activities))


def submit(tx: Tx, nip: str, cycle: str) -> Skp:
    """Conflict `not_submittable` unless the current version is a draft or returned."""
    skp = _save(tx, domain.submit(existing(tx, nip, cycle)))
    tx.publish(events.SKP_SUBMITTED, events.skp_decided(skp))
    return skp


def approve(tx: Tx, nip: str, cycle: str, supervisor: str) -> Skp:
    """The direct supervisor only (Conflict `not_submitted` unless it waits); realization of
    dropped activities goes, and SKP_APPROVED tells the logs service the new activities."""
    access.ensure(tx, supervisor, nip, Action.DECIDE)
    skp = _save(tx, domain.approve(existing(tx, nip, cycle), supervisor))
    tx.publish(events.SKP_APPROVED, events.skp_decided(skp))
    _publish_score(tx, skp)
    return skp


def return_for_changes(tx: Tx, nip: str, cycle: str, supervisor: str, notes: str) -> Skp:
    """The direct supervisor only; Conflict `not_submitted` unless it waits. A contract
    already in force stays in force."""
    access.ensure(tx, supervisor, nip, Action.DECIDE)
    skp = _save(tx, domain.return_for_changes(existing(tx, nip, cycle), supervisor, notes))
    tx.publish(events.SKP_RETURNED, events.skp_decided(skp))
    return skp


def start_revision(tx: Tx, nip: str, cycle: str) -> Skp:
    """A new draft copying the approved activities (Conflict `no_revision` unless the current
    version is approved); that one stays the contract, and scores, until the new is approved."""
    return _save(tx, domain.start_revision(existing(tx, nip, cycle)))


def record_realization(
    tx: Tx,
    nip: str,
    cycle: str,
    activity_id: str,
    changes: dict,
    principal: Principal,
    bound: Decimal = domain.DEFAULT_QUANTITY_BOUND,
) -> Skp:
    """The supervisor's realization counts at once (audited); the employee's waits for
    confirmation and publishes nothing, since no score moves. ValidationFailed for the
    employee's quality, a quantity the logs decide, or one above `bound` times the target
    without the supervisor's reason."""
    found = access.ensure(tx, principal, nip, Action.RECORD_REALIZATION)
    by_supervisor = Relation.SUPERVISOR in found
    before = existing(tx, nip, cycle)
    has_logs = store.has_logs(tx, before.key, activity_id)
    skp = _save(
        tx,
        domain.realize(
            before, activity_id, changes, by_supervisor, has_logs, bound, principal.subject
        ),
    )
    if by_supervisor:
        _audit_realization(tx, principal, "realization.recorded", before, skp, activity_id)
        _publish_realization(tx, skp, activity_id)
    return skp


def confirm_realization(
    tx: Tx,
    nip: str,
    cycle: str,
    activity_id: str,
    principal: Principal,
    reason: str = "",
    bound: Decimal = domain.DEFAULT_QUANTITY_BOUND,
) -> Skp:
    """Audited. Conflict `nothing_pending` when none waits; ValidationFailed for a quantity
    above the bound without `reason`, or one the verified logs have come to decide."""
    access.ensure(tx, principal.subject, nip, Action.DECIDE)
    before = existing(tx, nip, cycle)
    has_logs = store.has_logs(tx, before.key, activity_id)
    confirmed = domain.confirm_pending(
        before, activity_id, principal.subject, reason, has_logs, bound
    )
    skp = _save(tx, confirmed)
    _audit_realization(tx, principal, "realization.confirmed", before, skp, activity_id)
    _publish_realization(tx, skp, activity_id)
    return skp


def reject_realization(
    tx: Tx, nip: str, cycle: str, activity_id: str, principal: Principal, reason: str
) -> Skp:
    """Audited; nothing counted, so nothing is published, and the employee may propose
    afresh. Conflict `nothing_pending` when none waits."""
    access.ensure(tx, principal.subject, nip, Action.DECIDE)
    before = existing(tx, nip, cycle)
    skp = _save(tx, domain.reject_pending(before, activity_id, principal.subject, reason))
    _audit_realization(tx, principal, "realization.rejected", before, skp, activity_id)
    return skp


def _audit_realization(
    tx: Tx, principal: Principal, action: str, before: Skp, after: Skp, activity_id: str
) -> None:
    def state(skp: Skp) -> dict:
        realized, pending = skp.realization.get(activity_id), skp.pending.get(activity_id)
        return {
            "activity_id": activity_id,
            "realization": asdict(realized) if realized else None,
            "pending": asdict(pending) if pending else None,
        }

    audit.record(tx, principal.actor, action, "skp", after.key, state(before), state(after))


def _publish_realization(tx: Tx, skp: Skp, activity_id: str) -> None:
    tx.publish(events.REALIZATION_UPDATED, events.realization_updated(skp, activity_id))
    _publish_score(tx, skp)


def apply_log_output(
    tx: Tx,
    entry_id: str,
    nip: str,
    cycle: str,
    activity_id: str,
    quantity: Decimal,
    verified: bool,
    revision: int = 0,
    completes_output: bool = True,
) -> None:
    """A verified daily log entry that completes output adds it; a revoked verification
    takes it back; an ordinary entry (activity only) adds nothing. An older revision of
    the entry than the one recorded changes nothing, so a redelivered event is harmless."""
    key = domain.skp_key(nip, cycle)
    output = quantity if completes_output else Decimal(0)
    recorded = store.record_log_output(
        tx, entry_id, key, activity_id, output, verified, revision, completes_output
    )
    if not recorded:
        return
    skp = store.find_skp(tx, nip, cycle)
    if skp is None or skp.contract is None:
        return  # kept in log_output; counted once the SKP is approved
    if activity_id not in {a.id for a in skp.contract.activities}:
        return
    if not store.has_logs(tx, key, activity_id):
        return  # only activity logged so far: the realization stays as it is
    total = store.logged_quantity(tx, key, activity_id)
    held = skp.realization.get(activity_id)
    if held and held.quantity_source == "logs" and held.quantity == total:
        return  # nothing moved: no new score to publish
    skp = _save(tx, domain.with_logged_quantity(skp, activity_id, total))
    _publish_realization(tx, skp, activity_id)


def propose_achievement(tx: Tx, nip: str, cycle: str, achievement: Achievement) -> Skp:
    """It scores nothing until the supervisor approves it, so nothing is published.
    Conflict `not_approved` before the SKP is approved, or for an id already used."""
    return _save(tx, domain.propose(existing(tx, nip, cycle), achievement))


def decide_achievement(
    tx: Tx, nip: str, cycle: str, achievement_id: str, approve: bool, supervisor: str
) -> Skp:
    """The direct supervisor decides once (Conflict `already_decided`); the score is
    published either way."""
    access.ensure(tx, supervisor, nip, Action.DECIDE)
    skp = _save(tx, domain.decide(existing(tx, nip, cycle), achievement_id, approve, supervisor))
    _publish_score(tx, skp)
    return skp


def _save(tx: Tx, skp: Skp) -> Skp:
    """Count the revision up: no save overwrites one unread, and consumers keep the newest."""
    saved = replace(skp, revision=skp.revision + 1)
    store.save_skp(tx, saved)
    return saved


def today() -> date:
    """The service's notion of today (one place, so tests can move it)."""
    return date.today()


def _publish_score(tx: Tx, skp: Skp) -> None:
    breakdown = domain.score(skp, as_of=today())
    tx.publish(events.SCORE_UPDATED, events.score_updated(skp, breakdown))
