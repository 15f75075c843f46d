"""HR: the directory. Units and employees (search), the CSV import checked row by row before
it is applied, and an account for an employee who has none.

The directory belongs to the gateway itself, so these pages call its commands and store in
process (as gateway/directory/api.py does), not over HTTP; their refusals (AppError,
ValidationError) become the ApiError a form knows how to show (refusals.as_api_error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from gateway.directory import commands as directory
from gateway.directory import queries as directory_queries
from gateway.directory.api import IMPORT_MAX_BYTES
from gateway.identity import commands as identity
from gateway.identity import queries as identity_queries
from gateway.identity.schemas import AccountIn
from gateway.ui import user
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form, decimal_text
from gateway.ui.pages import error_page, form_page, page
from gateway.ui.refusals import as_api_error, refusal_status
from kinerja.errors import AppError
from kinerja.web import service_context

PER_PAGE = 25
# A checked file rides along in the form so "Terapkan" needs no second upload; above this
# size the browser would carry too much and HR picks the file again instead.
CARRY_LIMIT = 400_000


# --- directory look-ups shared by the HR pages ---------------------------------------------------


def units() -> list:
    return directory_queries.list_units(service_context().db)


def unit_options() -> list[tuple[str, str]]:
    return [(unit.id, f"{unit.name} ({unit.id})") for unit in units()]


def head_counts(unit_ids: list[str]) -> dict[str, int]:
    """Active employees per unit (one count each, not the whole directory in memory)."""
    db = service_context().db
    return {
        unit_id: directory_queries.search_employees(db, unit_id, None, True, None, 1, 1)[1]
        for unit_id in unit_ids
    }


def busiest_unit() -> str:
    """The unit with the most active people: a useful first choice on HR's report pages."""
    counts = head_counts([unit.id for unit in units()])
    return max(counts, key=lambda unit_id: (counts[unit_id], unit_id), default="")


def employee_names() -> dict[str, str]:
    return {nip: e.name for nip, e in directory_queries.all_employees(service_context().db).items()}


# --- forms: what is typed, shared by the HR pages ------------------------------------------------


def as_number(text: str) -> object:
    """The typed number as a number; anything else as typed, for the service to refuse by
    name (the UI does not repeat its rules). A decimal comma is read as a point."""
    cleaned = decimal_text(text)
    for kind in (int, float):
        try:
            return kind(cleaned)
        except ValueError:
            continue
    return text


# --- the list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    q: str
    unit_id: str
    active: bool | None
    page: int

    @classmethod
    def from_args(cls, args) -> Search:
        active = {"ya": True, "tidak": False}.get(args.get("active", ""))
        number = args.get("page", "1")
        return cls(
            q=args.get("q", "").strip()[:100],
            unit_id=args.get("unit_id", ""),
            active=active,
            # ASCII and short: int() reads any script's digits and raises past 4300
            page=max(1, int(number))
            if number.isascii() and number.isdigit() and len(number) < 8
            else 1,
        )


@ui.route("/hr/directory")
@user.login_required("hr")
def hr_directory():
    search = Search.from_args(request.args)
    db = service_context().db
    employees, total = directory_queries.search_employees(
        db, search.unit_id or None, None, search.active, search.q or None, search.page, PER_PAGE
    )
    all_units = units()
    counts = head_counts([unit.id for unit in all_units])
    names = {unit.id: unit.name for unit in all_units}
    return page(
        "hr/directory.html",
        search=search,
        form=Form(values=dict(request.args)),
        units=all_units,
        unit_names=names,
        counts=counts,
        unit_options=[("", _("Semua unit"))] + unit_options(),
        employees=employees,
        has_account={
            e.nip: identity_queries.find_account(db, e.nip) is not None for e in employees
        },
        total=total,
        page_number=search.page,
        pages=max(1, math.ceil(total / PER_PAGE)),
    )


# --- the CSV import ------------------------------------------------------------------------------


@ui.before_app_request
def allow_large_imports() -> None:
    # As the API's import: a province's directory is more than the usual request limit. The
    # app's hooks run before the blueprint's CSRF check, which is the first to read the body.
    if request.endpoint == "ui.hr_directory_import":
        request.max_content_length = IMPORT_MAX_BYTES
        request.max_form_memory_size = CARRY_LIMIT * 2


def rejected_lines(fields: dict) -> list[dict]:
    """{"line 4": {"nip": [...]}} (an import refused whole) as rows like the report's."""
    rows = []
    for key, problems in fields.items():
        number = key.removeprefix("line ").strip()
        rows.append({"row": int(number) if number.isdigit() else 0, "fields": problems})
    return sorted(rows, key=lambda row: row["row"])


def uploaded_csv() -> str | None:
    """The chosen file's text, or the text a checked run carried along; None when neither."""
    upload = request.files.get("file")
    if upload and upload.filename:
        return upload.read().decode("utf-8-sig")
    return request.form.get("csv_text") or None


@ui.route("/hr/directory/import", methods=["GET", "POST"])
@user.login_required("hr")
def hr_directory_import():
    if request.method == "GET":
        return form_page("hr/import.html", Form())
    form = Form.posted(request.form)
    form.values.pop("csv_text", None)
    partial = "partial" in request.form
    try:
        text = uploaded_csv()
    except UnicodeDecodeError:
        form.errors["file"] = [_("Berkas bukan teks UTF-8.")]
        return form_page("hr/import.html", form)
    if not text:
        form.errors["file"] = [_("Pilih berkas CSV.")]
        return form_page("hr/import.html", form)
    checking = request.form.get("mode") == "check"
    context = service_context()
    try:
        # A check lists every row's fate, so it always runs as a partial dry run.
        report = directory.import_csv(
            context.uow,
            text,
            user.current_user().actor,
            partial=partial or checking,
            dry_run=checking,
        )
    except AppError as error:
        if error.code == "import_rejected":
            form.message = _("Ada baris yang ditolak; tidak ada yang diimpor.")
            return form_page(
                "hr/import.html", form, status=422, rejected=rejected_lines(error.fields)
            )
        refusal = as_api_error(error)
        return form_page("hr/import.html", form.refused(refusal), refusal_status(refusal))
    if checking:
        carry = text if len(text) <= CARRY_LIMIT else None
        return form_page("hr/import.html", form, report=report, checked=True, carry=carry)
    summary = _(
        "Impor selesai: %(created)s dibuat, %(updated)s diperbarui, %(same)s tetap.",
        created=report["created"],
        updated=report["updated"],
        same=report["unchanged"],
    )
    if report["rejected"]:
        # the refused rows must stay on screen, so no redirect here
        return form_page("hr/import.html", Form(), report=report, done=summary)
    flash(summary)
    return redirect(url_for("ui.hr_directory"))


# --- an account for an employee ----------------------------------------------------------------


@ui.route("/hr/directory/employees/<nip>/account", methods=["GET", "POST"])
@user.login_required("hr")
def hr_employee_account(nip: str):
    context = service_context()
    employee = directory_queries.get_employee(context.db, nip)
    if employee is None:
        return error_page(404, _("Pegawai dengan NIP ini tidak ada."))
    existing = identity_queries.find_account(context.db, nip)
    if request.method == "GET":
        form = Form(values={"username": nip, "email": employee.email or ""})
        return form_page("hr/account.html", form, employee=employee, existing=existing)
    form = Form.posted(request.form)
    password = form.values.pop("password", "")  # never sent back to the browser
    try:
        fields = AccountIn().load(
            {
                "username": form.value("username").strip(),
                "password": password,
                "email": form.value("email").strip() or None,
                "nip": nip,
            }
        )
        actor = user.current_user().actor
        account = context.uow(lambda tx: identity.create_account(tx, actor=actor, **fields))
    except (AppError, ValidationError) as error:
        refusal = as_api_error(error)
        return form_page(
            "hr/account.html",
            form.refused(refusal),
            status=refusal_status(refusal),
            employee=employee,
            existing=existing,
        )
    flash(
        _("Akun %(username)s dibuat untuk %(name)s.", username=account.username, name=employee.name)
    )
    return redirect(url_for("ui.hr_directory", q=nip))
