"""HTTP routes of the org directory."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint

from gateway.directory import commands, queries
from gateway.directory.domain import Employee, Unit
from gateway.directory.schemas import (
    AuditEntry,
    EmployeeIn,
    EmployeeOut,
    EmployeePage,
    EmployeePatch,
    EmployeeQuery,
    ImportFile,
    ImportQuery,
    ImportReport,
    UnitIn,
    UnitOut,
)
from kinerja import audit
from kinerja.auth import current_principal, requires
from kinerja.errors import NotFound
from kinerja.web import service_context, uploaded_text

blp = Blueprint("directory", __name__, url_prefix="/api/v1/directory", description="Org directory")

IMPORT_MAX_BYTES = 32 * 1024 * 1024  # a province's directory, with room to spare


@blp.route("/employees", methods=["GET"])
@blp.arguments(EmployeeQuery, location="query")
@blp.response(200, EmployeePage)
@requires()
def list_employees(query: dict):
    """Find employees by unit, supervisor, state or name."""
    items, total = queries.search_employees(
        service_context().db,
        query.get("unit_id"),
        query.get("supervisor_nip"),
        query.get("active"),
        query.get("q"),
        query["page"],
        query["per_page"],
    )
    return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}


@blp.route("/employees", methods=["POST"])
@blp.arguments(EmployeeIn)
@blp.response(201, EmployeeOut)
@requires("hr")
def create_employee(payload: dict):
    """Add an employee to the directory."""
    actor = current_principal().actor
    return service_context().uow(
        lambda tx: commands.create_employee(tx, Employee(**payload), actor)
    )


@blp.route("/employees/<string:nip>", methods=["GET"])
@blp.response(200, EmployeeOut)
@requires()
def get_employee(nip: str):
    employee = queries.get_employee(service_context().db, nip)
    if employee is None:
        raise NotFound(f"no employee with NIP {nip}")
    return employee


@blp.route("/employees/<string:nip>", methods=["PATCH"])
@blp.arguments(EmployeePatch(partial=True))
@blp.response(200, EmployeeOut)
@requires("hr")
def update_employee(changes: dict, nip: str):
    """Change some fields of an employee record."""
    actor = current_principal().actor
    return service_context().uow(lambda tx: commands.update_employee(tx, nip, changes, actor))


@blp.route("/employees/<string:nip>/deactivate", methods=["POST"])
@blp.response(200, EmployeeOut)
@requires("hr")
def deactivate_employee(nip: str):
    """Take an employee out of the active directory (their reports must move first)."""
    actor = current_principal().actor
    return service_context().uow(lambda tx: commands.deactivate_employee(tx, nip, actor))


@blp.route("/employees/<string:nip>/audit", methods=["GET"])
@blp.response(200, AuditEntry(many=True))
@requires("hr")
def employee_history(nip: str):
    """Who changed this record, when, and what it was before and after."""
    return audit.history(service_context().db, "employee", nip)


@blp.route("/units", methods=["GET"])
@blp.response(200, UnitOut(many=True))
@requires()
def list_units():
    return queries.list_units(service_context().db)


@blp.route("/units", methods=["POST"])
@blp.arguments(UnitIn)
@blp.response(201, UnitOut)
@requires("hr")
def create_or_update_unit(payload: dict):
    """Add a unit, or rename or move one (units form a tree)."""
    actor = current_principal().actor
    return service_context().uow(lambda tx: commands.upsert_unit(tx, Unit(**payload), actor))


@blp.before_app_request
def allow_large_imports():
    if request.endpoint == "directory.import_directory":
        request.max_content_length = IMPORT_MAX_BYTES


@blp.route("/imports", methods=["POST"])
@blp.arguments(ImportQuery, location="query")
@blp.arguments(ImportFile, location="files")
@blp.response(200, ImportReport)
@requires("hr")
def import_directory(options: dict, files: dict):
    """Import employees or units from CSV; rejected rows are listed line by line.

    Without `partial`, one rejected row means nothing is imported (422).
    """
    text = uploaded_text(files)
    context = service_context()
    return commands.import_csv(
        context.uow,
        text,
        current_principal().actor,
        partial=options["partial"],
        dry_run=options["dry_run"],
    )
