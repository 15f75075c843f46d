"""What people do in a 360 round, one function per command: each runs in one
transaction and publishes through the outbox what the appraisal service needs.

HR's commands (frameworks, rounds, assignments) check no role here: the API's
`requires("hr")` does. A rater's and a supervisor's acts are checked here, in the
transaction. Every change to a round's assignments or answers needs the round open
(Conflict `round_closed`).
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from kinerja import access, audit, directory_replica
from kinerja.access import Action
from kinerja.errors import Conflict, NotFound, ValidationFailed
from kinerja.mongo import Tx
from services.feedback import assignments, domain, events, store
from services.feedback.domain import Framework, Response, Round


def create_framework(tx: Tx, draft: Framework, actor: str) -> Framework:
    """A new framework, or the next version of an existing one: rounds already opened
    keep the version they were opened with. ValidationFailed for a bad id, scale or keys."""
    latest = store.latest_framework(tx, draft.id)
    framework = replace(draft, version=latest.version + 1 if latest else 1)
    domain.check_framework(framework)
    store.insert_framework(tx, framework)
    audit.record(
        tx,
        actor,
        "framework.saved",
        "framework",
        framework.id,
        None,
        {"version": framework.version, "name": framework.name},
    )
    return framework


def open_round(tx: Tx, draft: Round, unit_id: str | None, actor: str) -> tuple[Round, int]:
    """The round at its framework's latest version, with assignments generated from the
    directory copy (one unit's active people, or everyone), and their count. ValidationFailed
    for an unknown framework, Conflict for a used id. Audited; publishes ROUND_OPENED."""
    framework = store.latest_framework(tx, draft.framework_id)
    if framework is None:
        raise ValidationFailed("unknown framework", {"framework_id": [draft.framework_id]})
    if store.find_round(tx, draft.id) is not None:
        raise Conflict("a round with this id exists", {"id": ["already used"]})
    round_ = replace(draft, framework_version=framework.version)
    people = [
        assignments.Person(e["nip"], e.get("supervisor_nip"), e.get("unit_id", ""))
        for e in directory_replica.active_employees(tx)
        if unit_id is None or e.get("unit_id") == unit_id
    ]
    generated = assignments.generate_assignments(people, round_.peers_per_ratee)
    store.insert_round(tx, round_)
    store.insert_responses(
        tx,
        [
            Response(
                id=uuid.uuid4().hex, round_id=round_.id, rater=a.rater, ratee=a.ratee, group=a.group
            )
            for a in generated
        ],
    )
    audit.record(tx, actor, "round.opened", "round", round_.id, None, {"unit_id": unit_id})
    tx.publish(events.ROUND_OPENED, events.round_changed(round_, len(generated)))
    return round_, len(generated)


def close_round(tx: Tx, round_id: str, actor: str) -> Round:
    """Freeze the round (Conflict `round_closed` if closed already): its results may be
    shown and its peers' and subordinates' answers enter the scores (ROUND_CLOSED)."""
    closed = domain.close(existing_round(tx, round_id))
    store.save_round(tx, closed)
    audit.record(tx, actor, "round.closed", "round", round_id, None, None)
    count = len(store.responses(tx, round_id, state=domain.ACTIVE))
    tx.publish(events.ROUND_CLOSED, events.round_changed(closed, count))
    return closed


def add_assignment(
    tx: Tx, round_id: str, rater: str, ratee: str, group: str, actor: str
) -> Response:
    """HR's assignment by hand. ValidationFailed for a NIP that is not an active employee
    of the directory copy or a group that does not fit (self exactly when rater is ratee);
    Conflict `already_assigned` when the pair is already active or nominated, also under
    concurrent adds (the unique key). A removed or refused pair is asked again on its own
    record. Audited; nothing is published until it is answered."""
    round_ = existing_round(tx, round_id)
    domain.ensure_open(round_)
    _ensure_active(tx, {"rater": rater, "ratee": ratee})
    wanted = assignments.Assignment(rater, ratee, group)
    return _assign(tx, round_id, wanted, domain.ACTIVE, "hr", actor, field="rater")


def remove_assignment(tx: Tx, round_id: str, response_id: str, actor: str) -> Response:
    """HR takes an assignment out of the round (audited); a submitted answer is withdrawn
    from the scores (RESPONSE_WITHDRAWN). Removed already: answered as it is, nothing
    changed, audited or published. NotFound for an id not in this round."""
    domain.ensure_open(existing_round(tx, round_id))
    response, stamp = existing_response(tx, round_id, response_id)
    removed = domain.remove(response)
    if removed == response:
        return response
    store.save_response(tx, removed, stamp)
    audit.record(tx, actor, "assignment.removed", "assignment", response_id, None, None)
    if response.status == domain.SUBMITTED:
        tx.publish(events.RESPONSE_WITHDRAWN, events.response_changed(removed))
    return removed


def nominate_peer(tx: Tx, round_id: str, ratee: str, peer: str) -> Response:
    """An employee rated in this round asks an active colleague to rate them; their
    supervisor decides. The ratee is the caller (the API's token), so nobody nominates for
    someone else. Forbidden `not_a_ratee` for a caller the round does not rate; otherwise
    refused as add_assignment refuses, by the field `peer`."""
    round_ = existing_round(tx, round_id)
    domain.ensure_open(round_)
    _ensure_active(tx, {"peer": peer})
    rated = store.responses(tx, round_id, ratee=ratee, state=domain.ACTIVE)
    assignments.check_nominator(bool(rated))
    wanted = assignments.Assignment(peer, ratee, "peer")
    return _assign(tx, round_id, wanted, domain.NOMINATED, "nomination", ratee, field="peer")


def _ensure_active(tx: Tx, nips: dict[str, str]) -> None:
    """Each NIP (by the request's field) an active employee of the directory copy; an
    unknown and an inactive one are refused alike."""
    fields = {
        field: [f"{nip} is not an active employee"]
        for field, nip in nips.items()
        if not (directory_replica.find_employee(tx, nip) or {}).get("active", False)
    }
    if fields:
        raise ValidationFailed("not an active employee", fields)


def _assign(
    tx: Tx,
    round_id: str,
    wanted: assignments.Assignment,
    state: str,
    source: str,
    actor: str,
    field: str,
) -> Response:
    """The pair's record in `state`: a new one, or the removed or refused one asked again."""
    held = store.find_pair(tx, round_id, wanted.rater, wanted.ratee)
    live = held is not None and held[0].state in (domain.ACTIVE, domain.NOMINATED)
    assignments.check_manual_assignment([wanted] if live else [], wanted, field)
    if held is None:
        response = Response(
            id=uuid.uuid4().hex,
            round_id=round_id,
            rater=wanted.rater,
            ratee=wanted.ratee,
            group=wanted.group,
            state=state,
            source=source,
        )
        try:
            store.insert_responses(tx, [response])
        except store.PairTaken:  # a concurrent request stored it since the read above
            raise assignments.already_assigned(field) from None
    else:
        response = domain.reassign(held[0], wanted.group, state, source)
        store.save_response(tx, response, held[1])
    audit.record(
        tx,
        actor,
        "assignment.added",
        "assignment",
        response.id,
        None,
        {"rater": wanted.rater, "ratee": wanted.ratee, "group": wanted.group, "state": state},
    )
    return response


def decide_nomination(
    tx: Tx, round_id: str, response_id: str, approve: bool, supervisor: str
) -> Response:
    """The ratee's direct supervisor only (Forbidden otherwise) makes a nomination an active
    assignment, or refuses it; Conflict `not_nominated` when it is not waiting. Audited."""
    domain.ensure_open(existing_round(tx, round_id))
    response, stamp = existing_response(tx, round_id, response_id)
    access.ensure(tx, supervisor, response.ratee, Action.DECIDE)
    decided = domain.decide_nomination(response, approve)
    store.save_response(tx, decided, stamp)
    audit.record(
        tx,
        supervisor,
        "nomination.approved" if approve else "nomination.refused",
        "assignment",
        response_id,
        {"state": response.state},
        {"state": decided.state},
    )
    return decided


def answer(
    tx: Tx,
    round_id: str,
    response_id: str,
    rater: str,
    action: str,
    scores: dict | None = None,
    comment: str = "",
    reason: str = "",
) -> Response:
    """Draft, submit, revise or decline a response to one's own active assignment
    (Forbidden otherwise). Scores fit the version the round was opened with, every
    dimension on submit and revise (ValidationFailed); Conflict for a step the status
    does not allow. Submit and revise publish; a decline publishes a withdrawal only
    when an answer had been submitted."""
    round_ = existing_round(tx, round_id)
    domain.ensure_open(round_)
    response, stamp = existing_response(tx, round_id, response_id)
    domain.ensure_rater(response, rater)
    if action == "decline":
        changed = domain.decline(response, reason)
    else:
        framework = store.framework_version(tx, round_.framework_id, round_.framework_version)
        dimensions = framework.dimensions_for(_position_kind(tx, response.ratee))
        domain.check_scores(scores or {}, framework, dimensions, complete=action != "draft")
        step = {"draft": domain.save_draft, "submit": domain.submit, "revise": domain.revise}
        changed = step[action](response, scores or {}, comment)
    store.save_response(tx, changed, stamp)
    published = {
        "submit": events.RESPONSE_SUBMITTED,
        "revise": events.RESPONSE_REVISED,
        "decline": events.RESPONSE_WITHDRAWN if response.status == domain.SUBMITTED else None,
    }.get(action)
    if published:
        tx.publish(published, events.response_changed(changed))
    return changed


def dimensions_for(db, round_: Round, ratee: str) -> list:
    """The dimensions this ratee is rated on in this round (kepemimpinan only for a
    structural position, by the directory copy). A Database or a Tx."""
    framework = store.framework_version(db, round_.framework_id, round_.framework_version)
    return framework.dimensions_for(_position_kind(db, ratee))


def _position_kind(db_or_tx, nip: str) -> str | None:
    employee = directory_replica.find_employee(db_or_tx, nip) or {}
    return employee.get("position_kind")


def existing_round(db_or_tx, round_id: str) -> Round:
    """NotFound (404) for an unknown round. A Database or a Tx."""
    round_ = store.find_round(db_or_tx, round_id)
    if round_ is None:
        raise NotFound(f"no round {round_id}")
    return round_


def existing_response(tx: Tx, round_id: str, response_id: str) -> tuple[Response, int]:
    """The response and its change stamp; NotFound also for a response of another round,
    so a URL cannot reach an assignment through the wrong round."""
    found = store.find_response(tx, response_id)
    if found is None or found[0].round_id != round_id:
        raise NotFound(f"no assignment {response_id} in round {round_id}")
    return found
