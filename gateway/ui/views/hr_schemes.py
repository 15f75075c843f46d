"""HR: the weighting schemes that combine rater groups into the behaviour score (the
SKP/behaviour split is the regulation's, 60/40: shown, not edited). A scheme is edited,
previewed against a cycle ("Pratinjau": every score and predicate the change would move, and
each group's effective weight beside its policy weight) and only then saved ("Simpan") with
the version the edit started from; each scheme's history says who changed what, when.

The appraisal service's `/schemes`, `/schemes/{id}/preview`, `/schemes/{id}/versions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, form_page, page
from gateway.ui.refusals import refusal_status, refuse
from gateway.ui.views.hr_directory import as_number, unit_options
from gateway.ui.views.hr_rounds import known_cycles
from gateway.ui.vocabulary import rater_group_in_text
from kinerja.anonymity import DEFAULT_MIN_RATERS, RATER_GROUPS

DEFAULT_ID = "default"
MINIMUM_GROUPS = tuple(DEFAULT_MIN_RATERS)  # self has no minimum: it never counts
POSITION_KINDS = {"structural": _l("struktural"), "functional": _l("fungsional")}
LISTS = ("unit_ids", "position_kinds")
# A new scheme starts from the platform's built-in policy.
NEW_SCHEME = {
    "version": 0,
    "name": "",
    "weights": {"superior": 0.5, "peer": 0.25, "subordinate": 0.25, "self": 0.0},
    "min_raters": {"superior": 1, "peer": 3, "subordinate": 3},
    "bias_correction": True,
    "unit_ids": [],
    "position_kinds": [],
}


def group_names() -> dict[str, str]:
    """The four groups a scheme weights, named as in a sentence ("bobot rekan kerja")."""
    return {group: rater_group_in_text(group) for group in RATER_GROUPS}


def field_names() -> list[str]:
    """Every input of the editor, as the service names its fields (not the hidden version:
    a refusal of it is said above the form)."""
    return [
        "name",
        "bias_correction",
        *LISTS,
        *(f"weights.{g}" for g in RATER_GROUPS),
        *(f"min_raters.{g}" for g in MINIMUM_GROUPS),
    ]


def scheme_values(scheme: Mapping) -> dict:
    """A saved scheme as the editor's inputs show it."""
    values = {
        "version": str(scheme["version"]),
        "name": scheme["name"],
        "bias_correction": "on" if scheme["bias_correction"] else "",
        "unit_ids": list(scheme["unit_ids"]),
        "position_kinds": list(scheme["position_kinds"]),
    }
    values.update({f"weights.{g}": _plain(scheme["weights"].get(g, 0)) for g in RATER_GROUPS})
    values.update({f"min_raters.{g}": str(scheme["min_raters"].get(g, "")) for g in MINIMUM_GROUPS})
    return values


def _plain(number: float) -> str:
    return f"{number:g}"


def posted_values(form: MultiDict) -> dict:
    """What was typed; each checkbox group a list, whether none, one or several are ticked."""
    posted = Form.posted(form)
    return {**posted.values, **{name: posted.values_of(name) for name in LISTS}}


def scheme_body(values: Mapping) -> dict:
    """The request: numbers where they read as numbers, anything else as typed so the service
    names the field it refuses."""
    return {
        "version": as_number(values.get("version", "")),
        "name": values.get("name", "").strip(),
        "weights": {g: as_number(values.get(f"weights.{g}", "")) for g in RATER_GROUPS},
        "min_raters": {g: as_number(values.get(f"min_raters.{g}", "")) for g in MINIMUM_GROUPS},
        "bias_correction": bool(values.get("bias_correction")),
        "unit_ids": list(values.get("unit_ids", [])),
        "position_kinds": list(values.get("position_kinds", [])),
    }


# --- the history ---------------------------------------------------------------------------------


def _described(scheme: Mapping) -> dict[str, str]:
    """A version's settings as labelled text, to compare one version with the one before."""
    described = {
        _("nama"): scheme["name"],
        _("koreksi bias"): _("ya") if scheme["bias_correction"] else _("tidak"),
        _("porsi SKP"): _plain(scheme["skp_share"]),
        _("unit"): ", ".join(scheme["unit_ids"]) or "—",
        _("jenis jabatan"): ", ".join(
            str(POSITION_KINDS.get(k, k)) for k in scheme["position_kinds"]
        )
        or "—",
    }
    for group in RATER_GROUPS:
        described[_("bobot %(group)s", group=rater_group_in_text(group))] = _plain(
            scheme["weights"].get(group, 0)
        )
    for group in MINIMUM_GROUPS:
        described[_("minimum %(group)s", group=rater_group_in_text(group))] = str(
            scheme["min_raters"].get(group, "")
        )
    return described


def changes(older: Mapping | None, newer: Mapping) -> list[tuple[str, str, str]]:
    """(setting, before, after) for each setting that differs; everything for a first version."""
    after = _described(newer)
    before = _described(older) if older else {}
    return [
        (label, before.get(label, ""), value)
        for label, value in after.items()
        if before.get(label) != value
    ]


def when(stamp: str | None) -> str:
    if not stamp:
        return "—"
    try:
        return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return stamp


def history(versions: list[dict]) -> list[dict]:
    """Newest first, each with who, when and what changed from the version before it."""
    oldest_first = sorted(versions, key=lambda v: v["version"])
    entries = [
        {
            "version": version["version"],
            "who": version.get("updated_by") or "—",
            "when": when(version.get("updated_at")),
            "changes": changes(oldest_first[i - 1] if i else None, version),
        }
        for i, version in enumerate(oldest_first)
    ]
    return entries[::-1]


# --- the pages ---------------------------------------------------------------------------------


@ui.route("/hr/schemes")
@user.login_required("hr")
def hr_schemes():
    new_id = request.args.get("new", "").strip().lower()
    if new_id:  # "Skema baru": the editor of a scheme that does not exist yet
        return redirect(url_for("ui.hr_scheme_edit", scheme_id=new_id))
    try:
        schemes = api.get("appraisal", "schemes")
    except ApiError as error:
        return error_page(error.status, error.message)
    rows = [{**scheme, "applies_to": applies_to(scheme)} for scheme in schemes]
    return page("hr/schemes.html", schemes=rows, groups=group_names(), form=Form())


def applies_to(scheme: Mapping) -> str:
    if scheme["id"] == DEFAULT_ID:
        return _("semua yang tidak disebut skema lain")
    kinds = [str(POSITION_KINDS.get(kind, kind)) for kind in scheme["position_kinds"]]
    return ", ".join([*scheme["unit_ids"], *kinds])


def _editor(scheme_id: str, form: Form, status: int | None = None, preview: dict | None = None):
    try:
        saved = {s["id"]: s for s in api.get("appraisal", "schemes")}
        versions = (
            api.get("appraisal", f"schemes/{quote(scheme_id, safe='')}/versions")
            if scheme_id in saved
            else []
        )
    except ApiError as error:
        return error_page(error.status, error.message)
    cycles = known_cycles()
    if not form.values:
        form.values = {**scheme_values(saved.get(scheme_id, NEW_SCHEME)), "cycle": cycles[0]}
    return form_page(
        "hr/scheme_edit.html",
        form,
        status,
        scheme_id=scheme_id,
        is_new=scheme_id not in saved,
        is_default=scheme_id == DEFAULT_ID,
        groups=group_names(),
        minimum_groups=MINIMUM_GROUPS,
        unit_choices=unit_options(),
        kind_choices=list(POSITION_KINDS.items()),
        cycle_options=[(c, c) for c in cycles],
        preview=preview,
        history=history(versions),
    )


@ui.route("/hr/schemes/<scheme_id>", methods=["GET", "POST"])
@user.login_required("hr")
def hr_scheme_edit(scheme_id: str):
    if request.method == "GET":
        return _editor(scheme_id, Form())
    form = Form(values=posted_values(request.form))
    body = scheme_body(form.values)
    path = f"schemes/{quote(scheme_id, safe='')}"
    if request.form.get("action") != "save":  # Pratinjau; also what an unnamed submit does
        try:
            preview = api.call(
                "POST",
                "appraisal",
                f"{path}/preview",
                params={"cycle": form.value("cycle")},
                json=body,
            ).json()
        except ApiError as error:
            status = refuse(form, error, shown=[*field_names(), "cycle"])
            return _editor(scheme_id, form, status)
        return _editor(scheme_id, form, preview=preview)
    try:
        saved = api.send("PUT", "appraisal", path, body)
    except ApiError as error:
        status = refuse(form, error, shown=field_names())
        if error.code == "stale_version":
            form.message = _(
                "Skema ini sudah diubah orang lain sejak Anda membukanya (%(detail)s). "
                "Muat ulang halaman, lalu ulangi perubahan Anda.",
                detail=form.error("version") or error.message,
            )
        return _editor(scheme_id, form, status)
    flash(
        _(
            "Skema %(id)s disimpan sebagai versi %(version)s; semua siklus dihitung ulang.",
            id=saved["id"],
            version=saved["version"],
        )
    )
    return redirect(url_for("ui.hr_scheme_edit", scheme_id=scheme_id))


@ui.route("/hr/schemes/<scheme_id>/retire", methods=["POST"])
@user.login_required("hr")
def hr_scheme_retire(scheme_id: str):
    """Its units and position kinds fall back to the default scheme."""
    try:
        api.call(
            "DELETE",
            "appraisal",
            f"schemes/{quote(scheme_id, safe='')}",
            params={"version": request.form.get("version", "")},
        )
    except ApiError as error:
        # the editor as saved, with the refusal above it
        return _editor(scheme_id, Form(message=error.message), refusal_status(error))
    flash(
        _("Skema %(id)s dipensiunkan; unit dan jabatannya kembali ke skema bawaan.", id=scheme_id)
    )
    return redirect(url_for("ui.hr_schemes"))
