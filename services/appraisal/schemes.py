"""HR's weighting schemes: what a scheme holds, the rules it must keep, and whom it applies to.

Pure: no Flask, pymongo or kombu. A scheme is HR's policy for combining rater groups
(SCORING.md step 3); the SKP/behaviour split is the regulation's (DOMAIN.md, 60/40). The
default scheme applies to everyone no other scheme names; the others apply to the units
or position kinds they list, a unit naming an employee more precisely than a position kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from decimal import Decimal

from kinerja.anonymity import (
    DEFAULT_MIN_RATERS,
    SELF,
    SUPERIOR,
    floor_of,
)
from kinerja.errors import Conflict, ValidationFailed
from services.appraisal.combination import GROUPS, Scheme
from services.appraisal.domain import DEFAULT_SKP_SHARE

DEFAULT_ID = "default"
# PP 46/2011 fixes the split: 60 % SKP, 40 % behaviour. It is the regulation's, not HR's.
SKP_SHARE = DEFAULT_SKP_SHARE
SCHEME_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
POSITION_KINDS = ("structural", "functional")
MAX_MIN_RATERS = 20


@dataclass(frozen=True)
class WeightingScheme:
    """One version of an HR weighting scheme."""

    id: str
    name: str
    weights: dict[str, float]
    min_raters: dict[str, int]
    bias_correction: bool
    skp_share: Decimal
    unit_ids: tuple[str, ...] = ()
    position_kinds: tuple[str, ...] = ()
    version: int = 0  # 0: the built-in default, never saved by anyone
    updated_by: str | None = None
    updated_at: str | None = None

    @property
    def ref(self) -> str:
        """How a score names the scheme version it was computed with."""
        return f"{self.id}@v{self.version}"

    def combination_scheme(self) -> Scheme:
        return Scheme(
            weights=dict(self.weights),
            min_raters=dict(self.min_raters),
            bias_correction=self.bias_correction,
        )


BUILT_IN_DEFAULT = WeightingScheme(
    id=DEFAULT_ID,
    name="Bawaan: atasan 50%, rekan kerja 25%, bawahan 25%",
    weights={"superior": 0.5, "peer": 0.25, "subordinate": 0.25, "self": 0.0},
    min_raters=dict(DEFAULT_MIN_RATERS),
    bias_correction=True,
    skp_share=SKP_SHARE,
)


# What HR edits; id and version are the store's, updated_by and updated_at the command's.
_EDITABLE = (
    "name",
    "weights",
    "min_raters",
    "bias_correction",
    "skp_share",
    "unit_ids",
    "position_kinds",
)


def draft(scheme_id: str, fields: Mapping[str, object], current: WeightingScheme | None):
    """The next version of a scheme from HR's fields, over the current version if any."""
    base = current or replace(BUILT_IN_DEFAULT, id=scheme_id, name="")
    changes = {k: v for k, v in fields.items() if k in _EDITABLE}
    if "weights" in changes:
        changes["weights"] = {g: float(changes["weights"].get(g, 0.0)) for g in GROUPS}
    if "min_raters" in changes:
        changes["min_raters"] = {**DEFAULT_MIN_RATERS, **changes["min_raters"]}
    for key in ("unit_ids", "position_kinds"):
        if key in changes:
            changes[key] = tuple(sorted(set(changes[key])))
    # a stored version from before the split was fixed does not carry its share forward
    changes["skp_share"] = Decimal(str(changes.get("skp_share", SKP_SHARE)))
    return replace(base, id=scheme_id, version=base.version + 1, **changes)


def check_id_unused(scheme_id: str, last_saved_version: int) -> None:
    """A new scheme takes an id no scheme ever had: a retired one's versions stay the
    record of the scores computed with them (`<id>@v<n>`), so its id is not reused."""
    if last_saved_version:
        raise Conflict(
            "this id belonged to a retired scheme; give the new scheme another id",
            {"id": [f"{scheme_id} was retired at version {last_saved_version}"]},
            code="retired_id",
        )


def check(scheme: WeightingScheme, others: Iterable[WeightingScheme]) -> None:
    """Every rule a scheme keeps, each broken one named by its field, all at once."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not SCHEME_ID.fullmatch(scheme.id):
        fail("id", "lowercase letters, digits and '-', at most 64")
    if not scheme.name.strip():
        fail("name", "a scheme needs a name")
    for group, weight in scheme.weights.items():
        if group not in GROUPS:
            fail(f"weights.{group}", f"unknown group; use one of {', '.join(GROUPS)}")
        elif weight < 0 or weight > 1:
            fail(f"weights.{group}", "a weight is between 0 and 1")
    if scheme.weights.get(SELF, 0.0) != 0:
        fail("weights.self", "self ratings never enter the score; they show as the self gap")
    if not scheme.weights.get(SUPERIOR, 0.0) > 0:
        # the direct superior is the pejabat penilai: their rating always counts
        fail(f"weights.{SUPERIOR}", "the direct superior's weight is above 0")
    for group, count in scheme.min_raters.items():
        if group not in GROUPS or group == SELF:
            fail(f"min_raters.{group}", "only superior, peer and subordinate have a minimum")
        elif not 1 <= count <= MAX_MIN_RATERS:
            fail(f"min_raters.{group}", f"between 1 and {MAX_MIN_RATERS}")
        elif count < floor_of(group):
            fail(
                f"min_raters.{group}",
                f"at least {floor_of(group)}, so that no single rater can be read back",
            )
    if scheme.skp_share != SKP_SHARE:
        fail("skp_share", f"fixed at {SKP_SHARE} by PP 46/2011 (60 % SKP, 40 % behaviour)")
    for kind in scheme.position_kinds:
        if kind not in POSITION_KINDS:
            fail("position_kinds", f"unknown position kind {kind!r}")
    if scheme.id == DEFAULT_ID and (scheme.unit_ids or scheme.position_kinds):
        fail("unit_ids", "the default scheme applies to everyone no other scheme names")
    if scheme.id != DEFAULT_ID and not (scheme.unit_ids or scheme.position_kinds):
        fail("unit_ids", "name the units or position kinds this scheme applies to")
    if errors:
        raise ValidationFailed("the weighting scheme is invalid", errors)
    _check_no_overlap(scheme, others)


def _check_no_overlap(scheme: WeightingScheme, others: Iterable[WeightingScheme]) -> None:
    """Two schemes naming the same unit (or position kind) would make the choice arbitrary."""
    for other in others:
        if other.id == scheme.id:
            continue
        units = set(scheme.unit_ids) & set(other.unit_ids)
        kinds = set(scheme.position_kinds) & set(other.position_kinds)
        if units or kinds:
            field = "unit_ids" if units else "position_kinds"
            taken = ", ".join(sorted(units or kinds))
            raise Conflict(
                f"scheme {other.id!r} applies to {taken} already",
                {field: [f"{taken} belongs to scheme {other.id!r}"]},
                code="scheme_overlap",
            )


def with_default(schemes: Iterable[WeightingScheme]) -> list[WeightingScheme]:
    """The saved schemes, with the built-in default until HR saves a default of its own."""
    schemes = list(schemes)
    if not any(s.id == DEFAULT_ID for s in schemes):
        schemes.insert(0, BUILT_IN_DEFAULT)
    return schemes


def scheme_for(schemes: Iterable[WeightingScheme], employee: Mapping | None) -> WeightingScheme:
    """The scheme naming the employee's unit, else their position kind, else the default."""
    schemes = with_default(schemes)
    employee = employee or {}
    for scheme in schemes:
        if employee.get("unit_id") in scheme.unit_ids:
            return scheme
    for scheme in schemes:
        if employee.get("position_kind") in scheme.position_kinds:
            return scheme
    return next(s for s in schemes if s.id == DEFAULT_ID)


def replacing(schemes: Iterable[WeightingScheme], proposed: WeightingScheme):
    """The scheme set as it would be with `proposed` saved: for the preview and the save."""
    return [s for s in with_default(schemes) if s.id != proposed.id] + [proposed]


def as_json(scheme: WeightingScheme) -> dict:
    """The scheme as the API answers it and the audit trail records it."""
    doc = asdict(scheme)
    doc["unit_ids"] = list(scheme.unit_ids)
    doc["position_kinds"] = list(scheme.position_kinds)
    doc["ref"] = scheme.ref
    return doc
