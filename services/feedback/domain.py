"""360 feedback rules, pure: frameworks, rounds, and a rater's response.

Who rates whom is in assignments.py; what the ratee may see, in results.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from kinerja.anonymity import ANONYMOUS_GROUPS
from kinerja.errors import Conflict, Forbidden, ValidationFailed

KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
SCALES = ((0, 100), (1, 5))  # the regulation's 0-100, and 1-5 for custom frameworks
OPEN, CLOSED = "open", "closed"
PENDING, DRAFT, SUBMITTED, DECLINED = "pending", "draft", "submitted", "declined"
ACTIVE, NOMINATED, REMOVED, REFUSED = "active", "nominated", "removed", "refused"


@dataclass(frozen=True)
class Dimension:
    """A behaviour aspect or value, with anchors that describe its scale."""

    key: str
    name: str
    description: str
    anchors: dict[str, str] = field(default_factory=dict)  # score -> behaviour at that score
    structural_only: bool = False  # kepemimpinan is rated for structural positions only


@dataclass(frozen=True)
class Framework:
    """A competency framework; each change is a new version, earlier ones stay readable."""

    id: str
    version: int
    name: str
    scale_min: int
    scale_max: int
    dimensions: tuple[Dimension, ...]

    def dimensions_for(self, position_kind: str | None) -> list[Dimension]:
        structural = position_kind == "structural"
        return [d for d in self.dimensions if structural or not d.structural_only]


def check_framework(framework: Framework) -> None:
    fields: dict[str, list[str]] = {}
    if not KEY.match(framework.id):
        fields["id"] = ["lowercase letters, digits and _"]
    if (framework.scale_min, framework.scale_max) not in SCALES:
        fields["scale"] = ["0 to 100, or 1 to 5"]
    if not framework.dimensions:
        fields["dimensions"] = ["at least one dimension"]
    keys = [d.key for d in framework.dimensions]
    for index, key in enumerate(keys):
        if not KEY.match(key) or key in keys[:index]:
            fields[f"dimensions[{index}].key"] = ["unique, lowercase letters, digits and _"]
    if fields:
        raise ValidationFailed("the framework is not valid", fields)


def _dimension(key: str, name: str, description: str, structural_only: bool = False) -> Dimension:
    anchors = {
        "0": "tidak menunjukkan perilaku ini",
        "50": "kadang-kadang menunjukkan perilaku ini",
        "76": "menunjukkan perilaku ini secara konsisten",
        "91": "menjadi teladan bagi orang lain",
    }
    return Dimension(key, name, description, anchors, structural_only)


# Shipped: PP 46/2011's behaviour aspects (the field study's regime) and BerAKHLAK.
PP46 = Framework(
    "pp46",
    1,
    "Perilaku kerja PP 46/2011",
    0,
    100,
    (
        _dimension("orientasi_pelayanan", "Orientasi pelayanan", "Melayani dengan sikap yang baik"),
        _dimension("integritas", "Integritas", "Jujur, ikhlas dan tidak menyalahgunakan wewenang"),
        _dimension("komitmen", "Komitmen", "Mendahulukan kepentingan dinas"),
        _dimension("disiplin", "Disiplin", "Menaati peraturan dan jam kerja"),
        _dimension("kerja_sama", "Kerja sama", "Bekerja sama dengan rekan dan unit lain"),
        _dimension("kepemimpinan", "Kepemimpinan", "Memimpin dan membimbing bawahan", True),
    ),
)
BERAKHLAK = Framework(
    "berakhlak",
    1,
    "Nilai dasar BerAKHLAK",
    0,
    100,
    (
        _dimension(
            "berorientasi_pelayanan",
            "Berorientasi Pelayanan",
            "Memahami dan memenuhi kebutuhan masyarakat",
        ),
        _dimension("akuntabel", "Akuntabel", "Bertanggung jawab atas kepercayaan yang diberikan"),
        _dimension("kompeten", "Kompeten", "Terus belajar dan mengembangkan kapabilitas"),
        _dimension("harmonis", "Harmonis", "Saling peduli dan menghargai perbedaan"),
        _dimension("loyal", "Loyal", "Berdedikasi dan mengutamakan kepentingan bangsa"),
        _dimension("adaptif", "Adaptif", "Terus berinovasi dan antusias menghadapi perubahan"),
        _dimension("kolaboratif", "Kolaboratif", "Membangun kerja sama yang sinergis"),
    ),
)
SHIPPED = (PP46, BERAKHLAK)


@dataclass(frozen=True)
class Round:
    """A 360 round (putaran penilaian) for a cycle, with a deadline."""

    id: str
    cycle: str
    framework_id: str
    framework_version: int
    deadline: date
    peers_per_ratee: int = 3
    status: str = OPEN


def close(round_: Round) -> Round:
    if round_.status == CLOSED:
        raise Conflict("the round is closed already", code="round_closed")
    return replace(round_, status=CLOSED)


def ensure_open(round_: Round) -> None:
    if round_.status != OPEN:
        raise Conflict("the round is closed; responses can no longer change", code="round_closed")


def ensure_published(round_: Round) -> None:
    """Results are shown only once no answer can change, so no one can difference two
    views of them and learn one rater's answer."""
    if round_.status != CLOSED:
        raise Conflict("results are published when the round closes", code="round_open")


def days_left(round_: Round, today: date) -> int:
    return (round_.deadline - today).days


def reminders_due(round_: Round, today: date, within_days: int) -> bool:
    """Raters are reminded while the round is open and its deadline is near."""
    return round_.status == OPEN and days_left(round_, today) <= within_days


@dataclass(frozen=True)
class Response:
    """One assignment (a rater for a ratee) and the rater's answer to it."""

    id: str
    round_id: str
    rater: str
    ratee: str
    group: str
    state: str = ACTIVE  # active, nominated (waiting for the supervisor), removed, refused
    source: str = "generated"  # generated, hr, nomination
    status: str = PENDING  # pending, draft, submitted, declined
    scores: dict[str, Decimal] = field(default_factory=dict)
    comment: str = ""
    decline_reason: str = ""
    revision: int = 0  # counts submissions and revisions; 0 until submitted


def check_scores(
    scores: dict[str, Decimal], framework: Framework, dimensions: list[Dimension], complete: bool
) -> None:
    """Every score on the framework's scale, for a dimension the ratee is rated on."""
    allowed = {d.key for d in dimensions}
    fields: dict[str, list[str]] = {}
    for key, score in scores.items():
        if key not in allowed:
            fields[f"scores.{key}"] = [f"not a dimension of {framework.id} for this ratee"]
        elif not framework.scale_min <= score <= framework.scale_max:
            fields[f"scores.{key}"] = [f"between {framework.scale_min} and {framework.scale_max}"]
    missing = sorted(allowed - set(scores))
    if complete and missing:
        fields["scores"] = [f"missing: {', '.join(missing)}"]
    if fields:
        raise ValidationFailed("the scores do not fit the framework", fields)


def ensure_rater(response: Response, caller: str) -> None:
    if response.rater != caller or response.state != ACTIVE:
        raise Forbidden("this assignment is not yours")


def save_draft(response: Response, scores: dict, comment: str) -> Response:
    if response.status in (SUBMITTED, DECLINED):
        raise Conflict(f"the response is {response.status}", code="not_draftable")
    return replace(response, status=DRAFT, scores=scores, comment=comment)


def submit(response: Response, scores: dict, comment: str) -> Response:
    if response.status == SUBMITTED:
        raise Conflict("submitted already; revise it instead", code="already_submitted")
    if response.status == DECLINED:
        raise Conflict("declined; ask HR to restore the assignment", code="declined")
    return replace(
        response, status=SUBMITTED, scores=scores, comment=comment, revision=response.revision + 1
    )


def revise(response: Response, scores: dict, comment: str) -> Response:
    if response.status != SUBMITTED:
        raise Conflict("only a submitted response is revised", code="not_submitted")
    return replace(response, scores=scores, comment=comment, revision=response.revision + 1)


def decline(response: Response, reason: str) -> Response:
    if not reason.strip():
        raise ValidationFailed("say why", {"reason": ["required, e.g. a conflict of interest"]})
    if response.status == DECLINED:
        raise Conflict("declined already", code="declined")
    return replace(
        response,
        status=DECLINED,
        decline_reason=reason,
        scores={},
        comment="",
        revision=response.revision + 1,
    )


def remove(response: Response) -> Response:
    """Out of the round; removed already, it is returned as it is (a repeat changes nothing)."""
    if response.state == REMOVED:
        return response
    return replace(response, state=REMOVED, revision=response.revision + 1)


def reassign(response: Response, group: str, state: str, source: str) -> Response:
    """A removed or refused pair asked again: the same record, unanswered, its revision
    kept, so its next answer is newer than any withdrawal the appraisal service holds for
    this rater, ratee and round (it keeps one rating per pair)."""
    return replace(
        response,
        group=group,
        state=state,
        source=source,
        status=PENDING,
        scores={},
        comment="",
        decline_reason="",
    )


def decide_nomination(response: Response, approve: bool) -> Response:
    if response.state != NOMINATED:
        raise Conflict("not a nomination waiting for a decision", code="not_nominated")
    return replace(response, state=ACTIVE if approve else REFUSED)


# --- completion ----------------------------------------------------------------------


def response_rate(key: str, responses: list[Response]) -> dict:
    """Of the assignments, how many were answered and how many declined."""
    submitted = sum(r.status == SUBMITTED for r in responses)
    declined = sum(r.status == DECLINED for r in responses)
    return _rate(key, (len(responses), submitted, declined))


def response_rates(responses: list[Response], key: Callable[[Response], str]) -> list[dict]:
    """The response rate per value of `key` (ratee, rater, unit), in key order."""
    return [response_rate(k, v) for k, v in sorted(_grouped(responses, key).items())]


def completion(round_id: str, responses: list[Response], unit_of: Callable[[str], str]) -> dict:
    """HR's completion of a round: exact rates overall and by ratee, rater and the ratee's unit."""
    return {
        "round": response_rate(round_id, responses),
        "by_ratee": response_rates(responses, lambda r: r.ratee),
        "by_rater": response_rates(responses, lambda r: r.rater),
        "by_unit": response_rates(responses, lambda r: unit_of(r.ratee)),
    }


def completion_without_raters(
    round_id: str,
    responses: list[Response],
    thresholds_of: Callable[[str], Mapping[str, int]],
    unit_of: Callable[[str], str],
) -> dict:
    """Completion as anyone but HR reads it: no figure moves with one anonymous answer.

    Reading it before and after one submission would otherwise tell who rated whom. So
    the anonymous groups' answers and declines count per ratee in whole steps of the
    group's floor (`thresholds_of(ratee)`, the ratee's anonymity policy); the rounds' and
    units' figures are sums of those, never finer; and raters are listed only for the
    answers of one known person (the superior's, the self rating).
    """
    tallies = {
        ratee: _coarse_tally(theirs, thresholds_of(ratee))
        for ratee, theirs in _grouped(responses, lambda r: r.ratee).items()
    }
    by_unit: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for ratee, tally in tallies.items():
        by_unit[unit_of(ratee)].append(tally)
    known = [r for r in responses if r.group not in ANONYMOUS_GROUPS]
    return {
        "round": _rate(round_id, _summed(list(tallies.values()))),
        "by_ratee": [_rate(ratee, tally) for ratee, tally in sorted(tallies.items())],
        "by_rater": response_rates(known, lambda r: r.rater),
        "by_unit": [_rate(unit, _summed(sums)) for unit, sums in sorted(by_unit.items())],
    }


def _coarse_tally(responses: list[Response], thresholds: Mapping[str, int]) -> tuple[int, int, int]:
    """(assigned, submitted, declined) of one ratee, anonymous groups' answers coarsened."""
    submitted = sum(r.status == SUBMITTED for r in responses if r.group not in ANONYMOUS_GROUPS)
    declined = sum(r.status == DECLINED for r in responses if r.group not in ANONYMOUS_GROUPS)
    for group in ANONYMOUS_GROUPS:
        step = thresholds[group]
        theirs = [r for r in responses if r.group == group]
        submitted += sum(r.status == SUBMITTED for r in theirs) // step * step
        declined += sum(r.status == DECLINED for r in theirs) // step * step
    return len(responses), submitted, declined


def _summed(tallies) -> tuple[int, int, int]:
    assigned, submitted, declined = zip(*tallies, strict=True) if tallies else ((), (), ())
    return sum(assigned), sum(submitted), sum(declined)


def _rate(key: str, tally: tuple[int, int, int]) -> dict:
    assigned, submitted, declined = tally
    return {
        "key": key,
        "assigned": assigned,
        "submitted": submitted,
        "declined": declined,
        "rate": submitted / assigned if assigned else 0.0,
    }


def _grouped(
    responses: list[Response], key: Callable[[Response], str]
) -> dict[str, list[Response]]:
    grouped: dict[str, list[Response]] = defaultdict(list)
    for response in responses:
        grouped[key(response)].append(response)
    return grouped


def waiting_by_rater(responses: list[Response]) -> dict[str, int]:
    """How many ratings each rater still has to give (not yet submitted nor declined)."""
    waiting: dict[str, int] = defaultdict(int)
    for response in responses:
        if response.status in (PENDING, DRAFT):
            waiting[response.rater] += 1
    return dict(sorted(waiting.items()))
