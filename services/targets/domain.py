"""The SKP (Sasaran Kerja Pegawai, the yearly work targets) and its life, pure.

An employee drafts the SKP for a cycle and submits it; the direct supervisor
approves it (the year's contract) or returns it with notes. A change after
approval is a new version that needs approval again; earlier versions stay
as history. Realization builds up against the approved contract's activities:
from verified daily logs that complete output, from the supervisor, or from the
employee once the supervisor confirms it (until then it is pending and moves no
score); and extra tasks (tugas tambahan) and creativity (kreativitas) count once the
supervisor approves them. The regulation's arithmetic is in scoring.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from kinerja.errors import Conflict, NotFound, ValidationFailed
from services.targets import scoring

CYCLE = re.compile(r"^20\d\d$")
DRAFT, SUBMITTED, RETURNED, APPROVED, SUPERSEDED = (
    "draft",
    "submitted",
    "returned",
    "approved",
    "superseded",
)
EDITABLE = (DRAFT, RETURNED)
# What a supervisor sees of each report at a glance.
NOT_STARTED, REALIZATION_COMPLETE = "not_started", "realization_complete"
CREATIVITY_LEVELS = ("unit", "agency", "national")
PROPOSED, REJECTED = "proposed", "rejected"
# An employee's own realization waits for the supervisor (menunggu konfirmasi atasan).
AWAITING_CONFIRMATION = "pending"
# How far above its target a realized quantity may go without the supervisor's written
# reason, as a multiple of the target; the service reads its own from the environment.
DEFAULT_QUANTITY_BOUND = Decimal(2)


@dataclass(frozen=True)
class ActivityTarget:
    """One activity of the position (kegiatan tugas jabatan) and its yearly target."""

    id: str
    name: str
    quantity: Decimal
    unit: str
    months: Decimal
    quality: Decimal = Decimal(100)
    cost: Decimal | None = None
    credit_points: Decimal | None = None

    @property
    def has_cost(self) -> bool:
        return bool(self.cost)


@dataclass(frozen=True)
class SkpVersion:
    number: int
    status: str
    activities: tuple[ActivityTarget, ...]
    notes: str = ""
    decided_by: str | None = None


@dataclass(frozen=True)
class Realization:
    """What an activity achieved, as confirmed: quantity comes from verified logs or, without
    logs, by hand (the supervisor's, or the employee's once the supervisor confirms it)."""

    quantity: Decimal | None = None
    quantity_source: str | None = None  # "logs" or "manual"
    quality: Decimal | None = None
    months: Decimal | None = None
    cost: Decimal | None = None
    reason: str = ""  # the supervisor's written reason for a quantity above the bound


@dataclass(frozen=True)
class PendingRealization:
    """What the employee says an activity achieved: it moves no score until confirmed."""

    quantity: Decimal | None = None
    months: Decimal | None = None
    cost: Decimal | None = None
    proposed_by: str = ""
    status: str = AWAITING_CONFIRMATION  # or "rejected", with the supervisor's reason
    reason: str = ""
    decided_by: str | None = None

    @property
    def changes(self) -> dict:
        return {
            name: value
            for name in ("quantity", "months", "cost")
            if (value := getattr(self, name)) is not None
        }


@dataclass(frozen=True)
class Achievement:
    """An extra task (tugas tambahan) or a creativity (kreativitas), with its evidence."""

    id: str
    kind: str  # "extra_task" or "creativity"
    description: str
    evidence: str
    level: str | None = None  # creativity only: unit, agency or national
    status: str = PROPOSED
    decided_by: str | None = None


@dataclass(frozen=True)
class Skp:
    nip: str
    cycle: str
    versions: tuple[SkpVersion, ...]
    realization: dict[str, Realization] = field(default_factory=dict)
    pending: dict[str, PendingRealization] = field(default_factory=dict)
    achievements: tuple[Achievement, ...] = ()
    revision: int = 1  # optimistic concurrency: each saved change counts up

    @property
    def key(self) -> str:
        return skp_key(self.nip, self.cycle)

    @property
    def current(self) -> SkpVersion:
        return self.versions[-1]

    @property
    def contract(self) -> SkpVersion | None:
        """The approved version in force: the year's contract."""
        approved = [v for v in self.versions if v.status == APPROVED]
        return approved[-1] if approved else None

    @property
    def status(self) -> str:
        if self.contract and self.realization_complete:
            return REALIZATION_COMPLETE
        if self.current.status == SUPERSEDED:
            return APPROVED
        return self.current.status

    @property
    def realization_complete(self) -> bool:
        contract = self.contract
        return bool(contract) and all(
            _complete(activity, self.realization.get(activity.id))
            for activity in contract.activities
        )

    def activity(self, activity_id: str) -> ActivityTarget:
        contract = self.contract
        if contract is None:
            raise Conflict("the SKP has no approved version yet", code="not_approved")
        for activity in contract.activities:
            if activity.id == activity_id:
                return activity
        raise NotFound(f"activity {activity_id!r} is not in the approved SKP")


def skp_key(nip: str, cycle: str) -> str:
    return f"{nip}:{cycle}"


def _complete(activity: ActivityTarget, realized: Realization | None) -> bool:
    if realized is None:
        return False
    needed = [realized.quantity, realized.quality, realized.months]
    if activity.has_cost:
        needed.append(realized.cost)
    return all(value is not None for value in needed)


# --- drafting and approval ------------------------------------------------------


def check_activities(activities: list[ActivityTarget]) -> None:
    fields: dict[str, list[str]] = {}
    if not activities:
        fields["activities"] = ["an SKP has at least one activity"]
    seen: set[str] = set()
    for index, activity in enumerate(activities):
        where = f"activities[{index}]"
        if activity.id in seen:
            fields[f"{where}.id"] = ["repeats another activity's id"]
        seen.add(activity.id)
        if activity.quantity <= 0:
            fields[f"{where}.quantity"] = ["the target quantity must be above 0"]
        if not 0 < activity.months <= 12:
            fields[f"{where}.months"] = ["the target time is 1 to 12 months"]
        if not 0 < activity.quality <= 100:
            fields[f"{where}.quality"] = ["the target quality is above 0 and at most 100"]
        if activity.cost is not None and activity.cost < 0:
            fields[f"{where}.cost"] = ["the cost cannot be negative"]
    if fields:
        raise ValidationFailed("the SKP's activities are not valid", fields)


def draft(nip: str, cycle: str, activities: list[ActivityTarget]) -> Skp:
    if not CYCLE.match(cycle):
        raise ValidationFailed("unknown cycle", {"cycle": ["a year such as 2026"]})
    check_activities(activities)
    return Skp(nip=nip, cycle=cycle, versions=(SkpVersion(1, DRAFT, tuple(activities)),))


def edit(skp: Skp, activities: list[ActivityTarget]) -> Skp:
    if skp.current.status not in EDITABLE:
        raise Conflict(
            f"a {skp.current.status} SKP cannot be edited in place; start a revision",
            code="not_editable",
        )
    check_activities(activities)
    return _with_current(skp, replace(skp.current, activities=tuple(activities)))


def submit(skp: Skp) -> Skp:
    if skp.current.status not in EDITABLE:
        raise Conflict(f"a {skp.current.status} SKP cannot be submitted", code="not_submittable")
    return _with_current(skp, replace(skp.current, status=SUBMITTED))


def approve(skp: Skp, supervisor: str) -> Skp:
    _awaiting_decision(skp)
    versions = tuple(
        replace(v, status=SUPERSEDED) if v.status == APPROVED else v for v in skp.versions[:-1]
    )
    approved = replace(skp.current, status=APPROVED, decided_by=supervisor, notes="")
    kept = {a.id for a in approved.activities}
    # realization follows the activities that stay in the new contract
    realization = {k: v for k, v in skp.realization.items() if k in kept}
    pending = {k: v for k, v in skp.pending.items() if k in kept}
    return replace(skp, versions=(*versions, approved), realization=realization, pending=pending)


def return_for_changes(skp: Skp, supervisor: str, notes: str) -> Skp:
    _awaiting_decision(skp)
    if not notes.strip():
        raise ValidationFailed("say what should change", {"notes": ["required when returning"]})
    returned = replace(skp.current, status=RETURNED, decided_by=supervisor, notes=notes)
    return _with_current(skp, returned)


def start_revision(skp: Skp) -> Skp:
    """A change after approval: a new draft version; the approved one stays in force."""
    if skp.current.status != APPROVED:
        raise Conflict(
            "only an approved SKP is revised; edit the draft instead", code="no_revision"
        )
    revision = SkpVersion(skp.current.number + 1, DRAFT, skp.current.activities)
    return replace(skp, versions=(*skp.versions, revision))


def _awaiting_decision(skp: Skp) -> None:
    if skp.current.status != SUBMITTED:
        raise Conflict(
            f"the SKP is {skp.current.status}, not waiting for approval", code="not_submitted"
        )


def _with_current(skp: Skp, version: SkpVersion) -> Skp:
    return replace(skp, versions=(*skp.versions[:-1], version))


# --- who may do what --------------------------------------------------------------


# --- realization --------------------------------------------------------------------


def realize(
    skp: Skp,
    activity_id: str,
    changes: dict,
    by_supervisor: bool,
    has_logs: bool,
    bound: Decimal = DEFAULT_QUANTITY_BOUND,
    proposed_by: str = "",
) -> Skp:
    """Record realization. The supervisor's counts at once; the employee's waits for the
    supervisor's confirmation, so no score moves on the employee's word alone. Quality is
    the supervisor's assessment; quantity comes from verified logs, typed in only for an
    activity that has none."""
    activity = skp.activity(activity_id)
    fields = realization_problems(activity, changes, by_supervisor, has_logs)
    if by_supervisor:
        changes = {**changes, "reason": (changes.get("reason") or "").strip()}
        fields |= bound_problems(activity, changes.get("quantity"), changes["reason"], bound)
    if fields:
        raise ValidationFailed("the realization cannot be recorded", fields)
    if not by_supervisor:
        held = skp.pending.get(activity_id)
        # a second proposal adds to one still waiting; after a rejection it starts afresh
        base = held.changes if held and held.status == AWAITING_CONFIRMATION else {}
        proposal = PendingRealization(**{**base, **changes}, proposed_by=proposed_by)
        return replace(skp, pending={**skp.pending, activity_id: proposal})
    return _confirmed(skp, activity_id, changes)


def realization_problems(
    activity: ActivityTarget, changes: dict, by_supervisor: bool, has_logs: bool
) -> dict[str, list[str]]:
    """Each broken rule of a realization, by field."""
    fields: dict[str, list[str]] = {}
    if "quality" in changes and not by_supervisor:
        fields["quality"] = ["realized quality is assessed by the supervisor"]
    if "reason" in changes and not by_supervisor:
        fields["reason"] = ["the reason is the supervisor's, given when confirming"]
    if "quantity" in changes and has_logs:
        fields["quantity"] = ["this activity's quantity comes from its verified daily logs"]
    if "cost" in changes and not activity.has_cost:
        fields["cost"] = ["this activity has no cost target"]
    if changes.get("quantity") is not None and changes["quantity"] < 0:
        fields["quantity"] = ["cannot be negative (0: not carried out)"]
    if changes.get("months") is not None and changes["months"] <= 0:
        fields["months"] = ["realized time must be above 0 months"]
    if changes.get("cost") is not None and changes["cost"] <= 0 and activity.has_cost:
        fields["cost"] = ["realized cost must be above 0"]
    if changes.get("quality") is not None and not 0 <= changes["quality"] <= 100:
        fields["quality"] = ["between 0 and 100"]
    return fields


def bound_problems(
    activity: ActivityTarget, quantity: Decimal | None, reason: str | None, bound: Decimal
) -> dict[str, list[str]]:
    """A quantity above `bound` times the target stands only with the supervisor's reason."""
    if quantity is None or quantity <= bound * activity.quantity or (reason or "").strip():
        return {}
    return {
        "reason": [
            f"quantity_above_bound: {quantity} is more than {bound} times the target "
            f"({activity.quantity} {activity.unit}); the supervisor's written reason is required"
        ]
    }


def confirm_pending(
    skp: Skp,
    activity_id: str,
    supervisor: str,
    reason: str = "",
    has_logs: bool = False,
    bound: Decimal = DEFAULT_QUANTITY_BOUND,
) -> Skp:
    """The supervisor confirms the employee's realization: from now on it counts."""
    activity = skp.activity(activity_id)
    held = _awaiting(skp, activity_id)
    changes = held.changes
    fields = realization_problems(activity, changes, True, has_logs)
    fields |= bound_problems(activity, changes.get("quantity"), reason, bound)
    if fields:
        raise ValidationFailed("the realization cannot be confirmed", fields)
    pending = {k: v for k, v in skp.pending.items() if k != activity_id}
    confirmed = _confirmed(skp, activity_id, {**changes, "reason": reason.strip()})
    return replace(confirmed, pending=pending)


def reject_pending(skp: Skp, activity_id: str, supervisor: str, reason: str) -> Skp:
    """The supervisor refuses the employee's realization, saying why; nothing counts."""
    skp.activity(activity_id)
    held = _awaiting(skp, activity_id)
    if not reason.strip():
        raise ValidationFailed("say why", {"reason": ["required when rejecting"]})
    rejected = replace(held, status=REJECTED, reason=reason.strip(), decided_by=supervisor)
    return replace(skp, pending={**skp.pending, activity_id: rejected})


def _awaiting(skp: Skp, activity_id: str) -> PendingRealization:
    held = skp.pending.get(activity_id)
    if held is None or held.status != AWAITING_CONFIRMATION:
        raise Conflict(
            "no realization of this activity waits for confirmation", code="nothing_pending"
        )
    return held


def _confirmed(skp: Skp, activity_id: str, changes: dict) -> Skp:
    current = skp.realization.get(activity_id, Realization())
    if "quantity" in changes:
        changes = {**changes, "quantity_source": "manual"}
    if "quantity" not in changes:  # the reason belongs to the quantity it explains
        changes = {k: v for k, v in changes.items() if k != "reason"}
    updated = replace(current, **changes)
    return replace(skp, realization={**skp.realization, activity_id: updated})


def with_logged_quantity(skp: Skp, activity_id: str, quantity: Decimal) -> Skp:
    """The activity's realized quantity is the sum of its verified log output."""
    current = skp.realization.get(activity_id, Realization())
    updated = replace(current, quantity=quantity, quantity_source="logs", reason="")
    return replace(skp, realization={**skp.realization, activity_id: updated})


# --- extra tasks and creativity -------------------------------------------------------


def propose(skp: Skp, achievement: Achievement) -> Skp:
    if skp.contract is None:
        raise Conflict("record extra tasks once the SKP is approved", code="not_approved")
    if achievement.kind == "creativity" and achievement.level not in CREATIVITY_LEVELS:
        raise ValidationFailed("unknown creativity level", {"level": list(CREATIVITY_LEVELS)})
    if achievement.kind == "extra_task" and achievement.level is not None:
        raise ValidationFailed("only creativity has a level", {"level": ["leave it out"]})
    if any(a.id == achievement.id for a in skp.achievements):
        raise Conflict("an achievement with this id exists", {"id": ["already recorded"]})
    return replace(skp, achievements=(*skp.achievements, achievement))


def decide(skp: Skp, achievement_id: str, approved: bool, supervisor: str) -> Skp:
    found = [a for a in skp.achievements if a.id == achievement_id]
    if not found:
        raise NotFound(f"no extra task or creativity {achievement_id!r}")
    if found[0].status != PROPOSED:
        raise Conflict(f"already {found[0].status}", code="already_decided")
    decided = replace(found[0], status="approved" if approved else REJECTED, decided_by=supervisor)
    return replace(
        skp, achievements=tuple(decided if a.id == achievement_id else a for a in skp.achievements)
    )


# --- the score -------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityBreakdown:
    activity: ActivityTarget
    # what it is scored against: the yearly target, or during the year the target due to date
    target: scoring.Target | None
    realization: scoring.Realization | None
    score: scoring.ActivityScore | None  # None: not yet assessable (belum dapat dinilai)
    assumed: tuple[str, ...]  # aspects not yet recorded, taken at their target for now
    share: Decimal  # of the yearly target due by the score's date (1: the whole year's)
    flags: tuple[str, ...] = ()  # the regulation's negative time or cost scores


@dataclass(frozen=True)
class ScoreBreakdown:
    activities: tuple[ActivityBreakdown, ...]
    extra_tasks: int
    creativity: str | None
    total: scoring.SkpScore | None  # None: no activity can be assessed yet
    complete: bool
    as_of: date
    prorated: bool  # some activity is scored against its target pro-rated to as_of

    @property
    def provisional(self) -> bool:
        """Not the year's score yet: some activity's realization is still to come."""
        return not self.complete


def score(
    skp: Skp,
    overrides: dict[str, dict] | None = None,
    extra_tasks: int | None = None,
    creativity: str | None = None,
    *,
    as_of: date,
) -> ScoreBreakdown:
    """The SKP score of the contract with its realization as of a date.

    While the cycle's year runs, an activity whose realization is not complete is scored
    against its target pro-rated to `as_of`, and one with no output yet is not assessable
    (it does not enter the mean as a 0); quality, time and cost not yet recorded are taken
    at their target for now, and said so. Once the year is over the regulation applies as
    written: an activity not carried out scores 0 and counts. Overrides answer a what-if
    without storing anything.
    """
    contract = skp.contract
    if contract is None:
        raise Conflict("the SKP has no approved version to score yet", code="not_approved")
    overrides = overrides or {}
    year_over = as_of.year > int(skp.cycle)
    rows = []
    for activity in contract.activities:
        realized = replace(
            skp.realization.get(activity.id, Realization()), **overrides.get(activity.id, {})
        )
        rows.append(_activity_breakdown(activity, realized, int(skp.cycle), as_of, year_over))
    approved = [a for a in skp.achievements if a.status == "approved"]
    tasks = (
        extra_tasks if extra_tasks is not None else sum(a.kind == "extra_task" for a in approved)
    )
    level = creativity if creativity is not None else _highest_creativity(approved)
    total = scoring.mean_of_assessable([r.score for r in rows], tasks, level)
    return ScoreBreakdown(
        tuple(rows),
        tasks,
        level,
        total,
        complete=skp.realization_complete,
        as_of=as_of,
        prorated=any(r.share < 1 for r in rows),
    )


def _activity_breakdown(
    activity: ActivityTarget, realized: Realization, year: int, as_of: date, year_over: bool
) -> ActivityBreakdown:
    yearly = scoring.Target(
        quantity=activity.quantity,
        quality=activity.quality,
        months=activity.months,
        cost=activity.cost if activity.has_cost else None,
    )
    finished = _complete(activity, realized)
    share = (
        Decimal(1) if year_over or finished else scoring.elapsed_share(activity.months, year, as_of)
    )
    target = yearly if share == 1 else scoring.prorated_target(yearly, share)
    if target is None or (not year_over and not realized.quantity):
        # nothing due yet, or no output yet: not assessable, never a 0 during the year
        return ActivityBreakdown(activity, target, None, None, (), share)
    assumed, values = [], {}
    for aspect, fallback in (
        ("quality", target.quality),
        ("months", target.months),
        ("cost", target.cost if target.has_cost else None),
    ):
        value = getattr(realized, aspect)
        if value is None and fallback is not None:
            assumed.append(aspect)
            value = fallback
        values[aspect] = value
    realization = scoring.Realization(quantity=realized.quantity or Decimal(0), **values)
    result = scoring.score_activity(target, realization)
    return ActivityBreakdown(
        activity,
        target,
        realization,
        result,
        tuple(assumed),
        share,
        scoring.negative_aspects(result),
    )


def _highest_creativity(approved: list[Achievement]) -> str | None:
    levels = [a.level for a in approved if a.kind == "creativity"]
    return max(levels, key=CREATIVITY_LEVELS.index) if levels else None
