"""Printouts: the SKP form and the yearly appraisal form (PP 46/2011) as PDF, and a page
listing them.

The services decide who may read what: the forms are built from what their APIs answer to
the logged-in user, and a refusal (403) is shown as the error page, before anything is
read from the directory. The directory (names, rank, position, unit, the reporting line)
is the gateway's own and read in-process.

From the top: the people on a form (from the directory), the rows of the SKP form and of the
appraisal form (pure functions of the APIs' answers), the list page's rows, then the views,
which fetch, assemble and render.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pymongo.database import Database

from gateway.directory import queries as directory
from gateway.ui import api, charts, printing, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, page
from gateway.ui.views.employee_results import METHODS
from gateway.ui.vocabulary import RATER_GROUPS, skp_status
from kinerja.predicates import predicate as predicate_of
from kinerja.web import service_context

# Path segments passed on to the services' URLs: never a dot segment or a separator.
SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
YEAR = re.compile(r"^\d{4}$")
CYCLES_WITHOUT_ROUNDS = 2  # this year and the last, when no 360 round names a cycle
REPORTS_LISTED = 200  # direct reports on the list page; a unit head has a few dozen at most

# Pangkat by golongan ruang (PP 99/2000): the form prints both, the directory holds the
# golongan. Proper names, not translated.
RANKS = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
# The behaviour aspects of PP 46/2011 in the form's order; kepemimpinan only for
# structural positions (the API leaves it out for others).
ASPECTS = {
    "orientasi_pelayanan": _l("Orientasi pelayanan"),
    "integritas": _l("Integritas"),
    "komitmen": _l("Komitmen"),
    "disiplin": _l("Disiplin"),
    "kerja_sama": _l("Kerja sama"),
    "kepemimpinan": _l("Kepemimpinan"),
}
COMBINED = _l("Nilai gabungan")
CREATIVITY_LEVELS = {
    "unit": _l("bermanfaat bagi unit kerja"),
    "agency": _l("bermanfaat bagi organisasi"),
    "national": _l("bermanfaat bagi negara"),
}


# --- the people on a form ---------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A civil servant as a form prints them; only the NIP when the directory lacks them."""

    nip: str
    name: str = ""
    rank: str = ""  # pangkat, golongan ruang
    position: str = ""
    units: tuple[str, ...] = ()  # the unit and the units above it, nearest first
    supervisor_nip: str | None = None

    @property
    def unit(self) -> str:
        return ", ".join(self.units)

    @property
    def agency(self) -> str:
        """The top of the unit tree: the instansi that heads the form."""
        return self.units[-1] if self.units else ""


def rank_of(golongan: str) -> str:
    """'Pengatur, II/c'; the golongan alone when it has no pangkat."""
    pangkat = RANKS.get(golongan)
    return f"{pangkat}, {golongan}" if pangkat else golongan


def unit_path(db: Database, unit_id: str | None) -> list[str]:
    """The unit's name and its parents', nearest first (a broken tree stops the walk)."""
    names, seen = [], set()
    while unit_id and unit_id not in seen:
        seen.add(unit_id)
        unit = directory.get_unit(db, unit_id)
        if unit is None:
            break
        names.append(unit.name)
        unit_id = unit.parent_id
    return names


def person(db: Database, nip: str | None) -> Person | None:
    if not nip:
        return None
    employee = directory.get_employee(db, nip)
    if employee is None:
        return Person(nip=nip)
    return Person(
        nip=nip,
        name=employee.name,
        rank=rank_of(employee.golongan),
        position=employee.position,
        units=tuple(unit_path(db, employee.unit_id)),
        supervisor_nip=employee.supervisor_nip,
    )


@dataclass(frozen=True)
class Signatories:
    """Who appears on a form: the employee, the appraiser (pejabat penilai) and the
    appraiser's superior (atasan pejabat penilai), and the agency that heads it."""

    employee: Person
    appraiser: Person | None
    appraiser_superior: Person | None
    agency: str


def signatories(db: Database, nip: str, appraiser_nip: str | None = None) -> Signatories:
    """The appraiser is who acted on the record (approved the SKP, finalized the score),
    else the employee's superior in the directory."""
    employee = person(db, nip) or Person(nip=nip)
    appraiser = person(db, appraiser_nip or employee.supervisor_nip)
    superior = person(db, appraiser.supervisor_nip) if appraiser else None
    return Signatories(employee, appraiser, superior, employee.agency)


def period_of(cycle: str) -> tuple[date, date] | None:
    """A yearly cycle's appraisal period (jangka waktu penilaian): the calendar year."""
    if not YEAR.match(cycle):
        return None
    year = int(cycle)
    return date(year, 1, 1), date(year, 12, 31)


def predicate(score: float | None) -> str | None:
    """The PP 46/2011 predicate (sebutan), by the same banding as the final score."""
    return None if score is None else predicate_of(Decimal(str(score)))


# --- the SKP form -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measures:
    """An activity's four aspects, as targeted or as realized."""

    quantity: float | None
    unit: str
    quality: float | None
    months: float | None
    cost: float | None


@dataclass(frozen=True)
class SkpRow:
    number: int
    name: str
    credit_points: float | None
    target: Measures
    realized: Measures | None = None
    total: float | None = None  # penghitungan: the sum of the aspect scores
    score: float | None = None  # nilai capaian SKP of the activity
    assumed: tuple[str, ...] = ()  # aspects not recorded yet, taken at their target
    assessable: bool = True  # False: no realization yet during the year (belum dapat dinilai)
    due: float | None = None  # during the year: the quantity due to date, when pro-rated
    flags: tuple[str, ...] = ()  # waktu_negatif, biaya_negatif: PP 46's negative scores


@dataclass(frozen=True)
class SkpForm:
    nip: str
    cycle: str
    status: str
    approved: bool  # the rows are the approved contract, not a draft
    version: int
    revising: bool  # a newer version waits for approval; the contract is what is printed
    decided_by: str | None
    rows: tuple[SkpRow, ...]
    realized: bool  # some realization is recorded: the achievement half is printed
    complete: bool  # every activity's realization is recorded
    extra_tasks: int = 0
    extra_tasks_points: float = 0.0
    creativity: str | None = None
    creativity_points: float = 0.0
    score: float | None = None
    prorated_to: str | None = None  # during the year: the date the targets are pro-rated to

    @property
    def has_cost(self) -> bool:
        return any(row.target.cost is not None for row in self.rows)

    @property
    def has_credit_points(self) -> bool:
        return any(row.credit_points is not None for row in self.rows)

    @property
    def predicate(self) -> str | None:
        """Only for the year's score: a provisional one is no appraisal to band."""
        return predicate(self.score) if self.complete else None

    @property
    def status_label(self) -> str:
        return skp_status(self.status)

    @property
    def creativity_label(self) -> str | None:
        if not self.creativity:
            return None
        return str(CREATIVITY_LEVELS.get(self.creativity, self.creativity))


def _measures(values: Mapping, unit: str) -> Measures:
    return Measures(
        quantity=values.get("quantity"),
        unit=unit,
        quality=values.get("quality"),
        months=values.get("months"),
        cost=values.get("cost"),
    )


def skp_rows(version: Mapping, score: Mapping | None) -> tuple[SkpRow, ...]:
    """One row per activity: its target, and with a score its realization and scores."""
    scored = {a["activity"]["id"]: a for a in (score or {}).get("activities", [])}
    rows = []
    for number, activity in enumerate(version.get("activities", []), start=1):
        row = SkpRow(
            number=number,
            name=activity["name"],
            credit_points=activity.get("credit_points"),
            target=_measures(activity, activity["unit"]),
        )
        achieved = scored.get(activity["id"])
        if achieved is not None and achieved.get("score") is None:
            row = replace(row, assessable=False)
        elif achieved is not None:
            share = achieved.get("share", 1)
            row = replace(
                row,
                realized=_measures(achieved["realization"], activity["unit"]),
                total=achieved["score"]["total"],
                score=achieved["score"]["score"],
                assumed=tuple(achieved.get("assumed", ())),
                due=achieved["target"]["quantity"] if share < 1 else None,
                flags=tuple(achieved.get("flags", ())),
            )
        rows.append(row)
    return tuple(rows)


def skp_form(skp: Mapping, score: Mapping | None) -> SkpForm:
    """The approved contract when there is one (with its realization and scores), else the
    version being drafted."""
    contract, current = skp.get("contract"), skp["current"]
    version = contract or current
    realized = bool(contract) and bool(skp.get("realization")) and score is not None
    score = score if realized else None
    return SkpForm(
        nip=skp["nip"],
        cycle=skp["cycle"],
        status=skp["status"],
        approved=contract is not None,
        version=version["number"],
        revising=contract is not None and current["number"] != contract["number"],
        decided_by=version.get("decided_by") if contract else None,
        rows=skp_rows(version, score),
        realized=realized,
        complete=bool(score and score.get("complete")),
        extra_tasks=(score or {}).get("extra_tasks", 0),
        extra_tasks_points=(score or {}).get("extra_tasks_points", 0.0),
        creativity=(score or {}).get("creativity"),
        creativity_points=(score or {}).get("creativity_points", 0.0),
        score=(score or {}).get("skp_score"),
        prorated_to=(score or {}).get("as_of") if (score or {}).get("prorated") else None,
    )


# --- the appraisal form -------------------------------------------------------------------------


@dataclass(frozen=True)
class AspectRow:
    key: str
    label: str
    score: float
    predicate: str


@dataclass(frozen=True)
class Objection:
    """An objection (keberatan) and, once decided, the decision of the appraiser's superior."""

    reason: str
    filed_on: str
    outcome: str | None = None  # "confirmed" or "changed"; None while it waits
    why: str = ""
    decided_by: str | None = None
    decided_on: str | None = None
    previous_final_score: float | None = None


@dataclass(frozen=True)
class AppraisalForm:
    nip: str
    cycle: str
    finalized: bool
    finalized_on: str | None
    finalized_by: str | None
    skp_score: float | None
    skp_share: float
    aspects: tuple[AspectRow, ...]
    behaviour_score: float | None
    final_score: float | None
    objection: Objection | None
    skp_complete: bool
    pending: bool  # inputs changed and the service has yet to recompute
    skp_prorated_to: str | None = None
    provisional_final_score: float | None = None  # printed as provisional, with no predicate

    @property
    def provisional(self) -> bool:
        return not self.finalized

    @property
    def behaviour_share(self) -> float:
        return 1 - self.skp_share

    @property
    def aspects_total(self) -> float | None:
        return sum(a.score for a in self.aspects) if self.aspects else None

    @property
    def skp_part(self) -> float | None:
        return None if self.skp_score is None else self.skp_score * self.skp_share

    @property
    def behaviour_part(self) -> float | None:
        if self.behaviour_score is None:
            return None
        return self.behaviour_score * self.behaviour_share

    @property
    def predicate(self) -> str | None:
        return predicate(self.final_score)


def aspect_order(keys: Iterable[str]) -> list[str]:
    """PP 46/2011's aspects in the form's order, any other framework's after them."""
    keys = list(keys)
    known = [k for k in ASPECTS if k in keys]
    return known + sorted(k for k in keys if k not in ASPECTS)


def aspect_label(key: str) -> str:
    return str(ASPECTS.get(key) or key.replace("_", " ").capitalize())


def aspect_rows(dimensions: Mapping[str, float]) -> tuple[AspectRow, ...]:
    return tuple(
        AspectRow(key, aspect_label(key), dimensions[key], predicate(dimensions[key]))
        for key in aspect_order(dimensions)
    )


def objection_of(record: Mapping | None) -> Objection | None:
    if not record:
        return None
    return Objection(
        reason=record.get("reason", ""),
        filed_on=record.get("filed_on", ""),
        outcome=record.get("outcome"),
        why=record.get("why", ""),
        decided_by=record.get("decided_by"),
        decided_on=record.get("decided_on"),
        previous_final_score=record.get("previous_final_score"),
    )


def appraisal_form(score: Mapping) -> AppraisalForm:
    """The locked record's scores once finalized (a decided objection may have changed the
    final score), else the provisional ones."""
    locked = score.get("finalized")
    source = locked or score
    return AppraisalForm(
        nip=score["nip"],
        cycle=score["cycle"],
        finalized=locked is not None,
        finalized_on=(locked or {}).get("finalized_on"),
        finalized_by=(locked or {}).get("finalized_by"),
        skp_score=source.get("skp_score"),
        skp_share=score["skp_share"],  # the scheme's, as the service scored with it
        aspects=aspect_rows(score.get("dimensions") or {}),
        behaviour_score=source.get("behaviour_score"),
        final_score=source.get("final_score"),
        objection=objection_of((locked or {}).get("objection")),
        skp_complete=bool(locked) or bool(score.get("skp_complete")),
        pending=bool(score.get("pending")),
        skp_prorated_to=None if locked else score.get("skp_prorated_to"),
        provisional_final_score=None if locked else score.get("provisional_final_score"),
    )


@dataclass(frozen=True)
class RaterGroupRow:
    label: str
    raters: int
    counted: bool
    weight: float  # HR's, renormalized over the counted groups
    effective_weight: float | None  # the group mean's real share of the score
    mean_raw: float | None
    mean_adjusted: float | None


@dataclass(frozen=True)
class CombinationNote:
    """How the behaviour score was combined. The breakdown by rater group, with weights and
    reliability, is the supervisor's and HR's (the API leaves it out for the employee)."""

    scheme: str
    groups: tuple[RaterGroupRow, ...]
    reliability: float | None
    standard_error: float | None
    effective_raters: float | None

    @property
    def detailed(self) -> bool:
        return bool(self.groups)


def group_order(keys: Iterable[str]) -> list[str]:
    keys = list(keys)
    return [g for g in RATER_GROUPS if g in keys] + sorted(k for k in keys if k not in RATER_GROUPS)


def group_label(key: str) -> str:
    return str(RATER_GROUPS.get(key) or key)


def combination_note(score: Mapping) -> CombinationNote:
    groups = score.get("groups") or {}
    return CombinationNote(
        scheme=score.get("scheme", ""),
        groups=tuple(
            RaterGroupRow(
                label=group_label(key),
                raters=groups[key]["raters"],
                counted=groups[key]["counted"],
                weight=groups[key]["weight"],
                effective_weight=groups[key].get("effective_weight"),
                mean_raw=groups[key].get("mean_raw"),
                mean_adjusted=groups[key].get("mean_adjusted"),
            )
            for key in group_order(groups)
        ),
        reliability=score.get("reliability"),
        standard_error=score.get("standard_error"),
        effective_raters=score.get("effective_raters"),
    )


@dataclass(frozen=True)
class RadarData:
    """The 360 chart: each rater group's mean per aspect, self and the combined score."""

    axes: tuple[str, ...]  # aspect labels
    series: dict[str, dict[str, float]]  # series label → aspect label → mean

    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The chart's numbers as a table: one row per aspect, one column per series."""
        return [(axis, [values.get(axis) for values in self.series.values()]) for axis in self.axes]


def radar_data(report: Mapping | None) -> RadarData | None:
    """From the employee report; groups below their anonymity threshold are already out."""
    if not report or not report.get("dimensions"):
        return None
    keys = aspect_order(report["dimensions"])
    series: dict[str, dict[str, float]] = {}
    named = [(group_label(g), report["groups"][g]) for g in group_order(report.get("groups", {}))]
    for label, means in [*named, (group_label("self"), report.get("self") or {})]:
        if means:
            series[label] = {aspect_label(k): means[k] for k in keys if k in means}
    combined = report.get("others") or {}
    series[str(COMBINED)] = {aspect_label(k): combined[k] for k in keys if k in combined}
    return RadarData(tuple(aspect_label(k) for k in keys), series)


# --- the list of printouts ------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleLinks:
    """One cycle of one employee on the list: what exists to print."""

    cycle: str
    skp_status: str | None  # None: no SKP in this cycle
    appraisal_status: str | None  # None: no score in this cycle


def cycles_from_rounds(rounds: Iterable[Mapping], this_year: int) -> list[str]:
    """The cycles 360 rounds were held for, and this year; newest first."""
    held = {str(r["cycle"]) for r in rounds if r.get("cycle")}
    recent = {str(this_year - n) for n in range(CYCLES_WITHOUT_ROUNDS)}
    return sorted(held | {str(this_year)} if held else recent, reverse=True)


def skp_status_label(skp: Mapping | None) -> str | None:
    return None if skp is None else skp_status(skp["status"])


def appraisal_status_label(score: Mapping | None) -> str | None:
    if score is None:
        return None
    return _("Final") if score.get("finalized") else _("Sementara")


# --- views -------------------------------------------------------------------------------------


def _refusal(error: ApiError, missing: str):
    messages = {403: _("Anda tidak berhak mencetak formulir pegawai ini."), 404: missing}
    return error_page(error.status, messages.get(error.status, error.message))


def _optional(service: str, path: str) -> dict | None:
    """What a service holds, or None when it has none or will not give it yet (404, 409)."""
    try:
        return api.get(service, path)
    except ApiError as error:
        if error.status in (404, 409):
            return None
        raise


def _valid(*segments: str) -> bool:
    return all(SAFE_SEGMENT.match(s) for s in segments)


@ui.route("/print/skp/<nip>/<cycle>.pdf")
@user.login_required()
def print_skp(nip: str, cycle: str):
    if not _valid(nip, cycle):
        return error_page(404, _("Formulir tidak ditemukan."))
    try:
        skp = api.get("targets", f"skps/{nip}/{cycle}")
        score = _optional("targets", f"skps/{nip}/{cycle}/score") if skp["contract"] else None
    except ApiError as error:
        return _refusal(error, _("Belum ada SKP untuk siklus ini."))
    form = skp_form(skp, score)
    people = signatories(service_context().db, nip, form.decided_by)
    return printing.pdf_response(
        "skp.html",
        f"skp-{nip}-{cycle}.pdf",
        form=form,
        people=people,
        period=period_of(cycle),
        mark=None if form.approved else _("DRAF"),
    )


@ui.route("/print/appraisal/<nip>/<cycle>.pdf")
@user.login_required()
def print_appraisal(nip: str, cycle: str):
    if not _valid(nip, cycle):
        return error_page(404, _("Formulir tidak ditemukan."))
    base = f"cycles/{cycle}/scores/{nip}"
    try:
        score = api.get("appraisal", base)
        report = _optional("appraisal", f"{base}/report")
        adjustment = _optional("appraisal", f"{base}/adjustment")
    except ApiError as error:
        return _refusal(error, _("Belum ada nilai prestasi kerja untuk siklus ini."))
    form = appraisal_form(score)
    db = service_context().db
    people = signatories(db, nip, form.finalized_by)
    objection = form.objection
    radar = radar_data(report)
    chart = (
        charts.radar(_("Perilaku kerja menurut kelompok penilai"), radar.axes, radar.series)
        if radar
        else None
    )
    return printing.pdf_response(
        "appraisal.html",
        f"penilaian-{nip}-{cycle}.pdf",
        form=form,
        people=people,
        period=period_of(cycle),
        note=combination_note(score),
        radar=radar,
        chart=chart,
        decided_by=person(db, objection.decided_by) if objection else None,
        predicate=predicate,
        adjustment=adjustment,
        methods=METHODS,
        mark=_("SEMENTARA") if form.provisional else None,
    )


@ui.route("/print")
@user.login_required()
def printouts():
    me = user.current_user()
    db = service_context().db
    try:
        rounds = api.get("feedback", "rounds")
    except ApiError:
        rounds = []  # the list still offers this year's forms
    cycles = cycles_from_rounds(rounds, date.today().year)
    employee = directory.get_employee(db, me.subject)
    own_cycles = [_cycle_links(me.subject, cycle) for cycle in cycles] if employee else []
    reports, _total = directory.search_employees(
        db, None, me.subject, True, None, 1, REPORTS_LISTED
    )
    form = Form(values={"nip": request.args.get("nip", "").strip()})
    other = None
    if form.value("nip") and me.has_any(["supervisor", "hr"]):
        if _valid(form.value("nip")):
            other = person(db, form.value("nip"))
        else:
            form.errors["nip"] = [_("NIP tidak sah")]
    return page(
        "print/index.html",
        cycles=cycles,
        own_nip=me.subject if employee else None,
        own_cycles=own_cycles,
        reports=reports,
        other=other,
        form=form,
        may_print_others=me.has_any(["supervisor", "hr"]),
    )


def _cycle_links(nip: str, cycle: str) -> CycleLinks:
    """Whether the SKP and the score exist, so the list links only to what can be printed."""
    try:
        skp = _optional("targets", f"skps/{nip}/{cycle}")
        score = _optional("appraisal", f"cycles/{cycle}/scores/{nip}")
    except ApiError:
        unknown = _("tidak diketahui")  # a service is down: link anyway, the PDF will say
        return CycleLinks(cycle, unknown, unknown)
    return CycleLinks(cycle, skp_status_label(skp), appraisal_status_label(score))
