"""What an employee, a unit head and HR read out of the scores. Pure.

Anonymity first (SCORING.md, "Anonymity in results"): which groups are shown is
kinerja.anonymity.shown_groups, as in every view: a peer or subordinate group below its
threshold is never shown; when each is below but the two together are not, they are shown
merged as "others" and only so. The composite per dimension already leaves hidden groups out.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from kinerja.anonymity import (
    ANONYMOUS_GROUPS,
    OTHERS,
    PEER,
    RATER_GROUPS,
    SELF,
    SUBORDINATE,
    shown_groups,
)
from services.appraisal.domain import LOWEST_PREDICATE, PREDICATES, FinalScore
from services.appraisal.provisional import ProvisionalScore

# A self score this far above (below) the others' marks a blind spot (a hidden strength).
GAP_POINTS = 5.0
STRENGTHS_SHOWN = 2
HISTOGRAM_FROM, HISTOGRAM_STEP, HISTOGRAM_BINS = 50, 5, 11  # 50–55, …, 100 and above


def visible_groups(
    score: ProvisionalScore, thresholds: Mapping[str, int]
) -> dict[str, dict[str, float]]:
    """Each group's means per dimension that may be shown (self aside, which the report
    shows on its own): the groups anonymity.shown_groups lets through under the scheme's
    minimum raters, the merged "others" among them."""
    sizes = {g: score.groups.get(g, {}).get("raters", 0) for g in RATER_GROUPS}
    shown = shown_groups(sizes, thresholds)
    visible = {
        group: score.group_dimensions[group]
        for group in RATER_GROUPS
        if group != SELF and group in shown and group in score.group_dimensions
    }
    if OTHERS in shown:
        visible[OTHERS] = _merged(score.group_dimensions, sizes)
    return visible


def breakdown_groups(groups: Mapping[str, dict]) -> dict[str, dict]:
    """The score's groups as its breakdown shows them to the supervisor and HR: a peer or
    subordinate group that does not count (below its floor) shows its size, never its
    means."""
    visible = {}
    for name, group in groups.items():
        hidden = name in ANONYMOUS_GROUPS and not group["counted"]
        visible[name] = {
            **group,
            "mean_raw": None if hidden else group["mean_raw"],
            "mean_adjusted": None if hidden else group["mean_adjusted"],
        }
    return visible


def _merged(means: Mapping[str, Mapping[str, float]], sizes: Mapping[str, int]):
    """The union of peers and subordinates: each group's mean weighted by its raters."""
    total = sum(sizes[g] for g in ANONYMOUS_GROUPS)
    dimensions = set(means.get(PEER, {})) | set(means.get(SUBORDINATE, {}))
    return {
        d: round(
            sum(means[g][d] * sizes[g] for g in ANONYMOUS_GROUPS if d in means.get(g, {})) / total,
            2,
        )
        for d in sorted(dimensions)
        if all(d in means.get(g, {}) for g in ANONYMOUS_GROUPS)
    }


def employee_report(score: ProvisionalScore, thresholds: Mapping[str, int]) -> dict:
    """Dimensions by rater group (the radar chart), self against others, strengths, blind spots."""
    others = score.dimensions
    own = score.group_dimensions.get(SELF, {})
    gaps = {d: round(own[d] - others[d], 2) for d in sorted(others) if d in own}
    ranked = sorted(others, key=lambda d: (-others[d], d))
    return {
        "nip": score.nip,
        "cycle": score.cycle,
        "dimensions": sorted(others),
        "groups": visible_groups(score, thresholds),
        "others": others,
        "self": own,
        "self_gap": gaps,
        "strengths": ranked[:STRENGTHS_SHOWN],
        "development_areas": list(reversed(ranked[-STRENGTHS_SHOWN:])) if others else [],
        "blind_spots": [d for d, gap in gaps.items() if gap >= GAP_POINTS],
        "hidden_strengths": [d for d, gap in gaps.items() if gap <= -GAP_POINTS],
    }


STRAIGHT_LINER = "straight_liner"


def anonymous_flags(flags: Iterable[str]) -> list[str]:
    """A score's flags without rater identities: "straight_liner:<rater>" names who rated
    the employee and how, so outside HR's own views a straight-liner is counted, not named
    (HR finds them in the cycle's reliability figures)."""
    return [STRAIGHT_LINER if f.startswith(f"{STRAIGHT_LINER}:") else f for f in flags]


def effective_final(score: ProvisionalScore, final: FinalScore | None):
    """The score that counts: the locked one once finalized, else the provisional one."""
    if final is not None:
        return final.final_score, final.predicate
    return score.final_score, score.predicate


def unit_distribution(
    scores: Sequence[ProvisionalScore],
    finals: Mapping[str, FinalScore],
    names: Mapping[str, str],
) -> dict:
    """For calibration: the spread of final scores and predicates, and who sits where."""
    members, values = [], []
    predicates = {name: 0 for _, name in PREDICATES} | {LOWEST_PREDICATE: 0}
    histogram = [0] * HISTOGRAM_BINS
    for score in scores:
        final, predicate = effective_final(score, finals.get(score.nip))
        if final is not None:
            values.append(float(final))
            predicates[predicate] += 1
            histogram[_bin(final)] += 1
        members.append(
            {
                "nip": score.nip,
                "name": names.get(score.nip, ""),
                "final_score": final,
                "predicate": predicate,
                "finalized": score.nip in finals,
                "reliability": score.reliability,
                "flags": anonymous_flags(score.flags),
            }
        )
    return {
        "employees": len(scores),
        "scored": len(values),
        "mean": round(statistics.fmean(values), 2) if values else None,
        "sd": round(statistics.stdev(values), 2) if len(values) > 1 else None,
        "predicates": predicates,
        "histogram": [
            {"from": HISTOGRAM_FROM + n * HISTOGRAM_STEP, "count": count}
            for n, count in enumerate(histogram)
        ],
        "members": members,
    }


def _bin(final: Decimal) -> int:
    # Clamped before dividing: an integer division of a huge Decimal (1E+300, a value
    # stored before the scale was enforced) needs more digits than the context holds.
    top = HISTOGRAM_FROM + HISTOGRAM_STEP * (HISTOGRAM_BINS - 1)
    clamped = min(max(Decimal(final), Decimal(HISTOGRAM_FROM)), Decimal(top))
    return int((clamped - HISTOGRAM_FROM) // HISTOGRAM_STEP)


EXPORT_COLUMNS = (
    "nip",
    "name",
    "unit_id",
    "skp_score",
    "behaviour_score",
    "final_score",
    "predicate",
    "finalized",
    "objection",
    "reliability",
    "flags",
    "scheme",
)


def export_csv(
    scores: Iterable[ProvisionalScore],
    finals: Mapping[str, FinalScore],
    names: Mapping[str, str],
) -> str:
    """HR's export: one row per employee, scores only (never a rater group's means, never a
    rater: the file leaves the system)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for score in scores:
        locked = finals.get(score.nip)
        final, predicate = effective_final(score, locked)
        objection = (locked.objection or {}) if locked else {}
        writer.writerow(
            [
                score.nip,
                _safe_cell(names.get(score.nip, "")),
                score.unit_id or "",
                _cell(locked.skp_score if locked else score.skp_score),
                _cell(locked.behaviour_score if locked else score.behaviour_score),
                _cell(final),
                predicate or "",
                "yes" if locked else "no",
                objection.get("outcome", "filed" if objection else ""),
                "" if score.reliability is None else score.reliability,
                " ".join(anonymous_flags(score.flags)),
                score.scheme,
            ]
        )
    return out.getvalue()


def _cell(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _safe_cell(text: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheets (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
