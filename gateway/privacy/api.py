"""HTTP routes of personal data: the employee's export, HR's retention period and purge."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_smorest import Blueprint

from gateway.privacy import commands, queries, store
from gateway.privacy.domain import cut_off
from gateway.privacy.schemas import ExportOut, PurgeRunIn, PurgeRunOut, RetentionIn, RetentionOut
from gateway.upstream import upstream_urls
from kinerja.auth import current_principal, requires
from kinerja.errors import Conflict
from kinerja.web import service_context

blp = Blueprint("privacy", __name__, url_prefix="/api/v1", description="Personal data (UU 27/2022)")


def today() -> date:
    """The gateway's notion of today (one place, so tests can move it)."""
    return date.today()


def _token() -> str:
    """The caller's own token, passed on: each service decides on it for itself."""
    return request.headers["Authorization"].partition(" ")[2].strip()


def download(export: dict, nip: str) -> tuple[dict, int, dict]:
    """The export as a file to save, not a page to show."""
    disposition = f'attachment; filename="{queries.filename(nip)}"'
    return export, 200, {"Content-Disposition": disposition, "Cache-Control": "no-store"}


@blp.route("/me/personal-data", methods=["GET"])
@blp.response(200, ExportOut)
@requires()
def my_personal_data():
    """Everything the platform holds about me, as one JSON file: each service's part
    (each checks that it is mine), and the parts missing, named."""
    context = service_context()
    nip = current_principal().subject
    urls = upstream_urls(context.settings)
    return download(queries.export(context.db, urls, nip, _token()), nip)


@blp.route("/retention", methods=["GET"])
@blp.response(200, RetentionOut)
@requires("hr")
def get_retention():
    """The retention period in force and today's cut-off; months None until HR sets it."""
    period = store.retention(service_context().db)
    if period is None:
        return {"months": None, "cut_off": None}
    return {**period.__dict__, "cut_off": cut_off(today(), period.months)}


@blp.route("/retention", methods=["PUT"])
@blp.arguments(RetentionIn)
@blp.response(200, RetentionOut)
@requires("hr")
def set_retention(payload: dict):
    """Set how many months after a cycle ends its logs and raw 360 answers are kept
    (audited)."""
    actor = current_principal().actor
    period = service_context().uow(lambda tx: commands.set_retention(tx, payload["months"], actor))
    return {**period.__dict__, "cut_off": cut_off(today(), period.months)}


@blp.route("/retention/purge", methods=["POST"])
@blp.arguments(PurgeRunIn)
@blp.response(200, PurgeRunOut)
@requires("hr")
def purge(payload: dict):
    """Count (dry run, the default) or purge what the retention period expired, in every
    service that owns such data; audited with who, when, the cut-off and the counts."""
    context = service_context()
    period = store.retention(context.db)
    if period is None:
        raise Conflict("set a retention period first", code="retention_not_set")
    urls = upstream_urls(context.settings)
    cut, actor = cut_off(today(), period.months), current_principal().actor
    return commands.run_purge(context.uow, urls, cut, payload["dry_run"], _token(), actor)
