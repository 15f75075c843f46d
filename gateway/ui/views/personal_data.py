"""Personal data (UU 27/2022). Everyone: download everything the platform holds about me
as one JSON file (gateway/privacy, each service checking it is mine). HR: the retention
period (months after a cycle ends that its daily logs and raw 360 answers are kept), a
dry run of the purge with its counts per service, then the purge itself; both audited.

In process (gateway/privacy, as its API does); the services through the fan-out with the
user's own token.
"""

from __future__ import annotations

import json

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from gateway.privacy import api as privacy_api
from gateway.privacy import commands, queries, store
from gateway.privacy.domain import cut_off
from gateway.privacy.schemas import RetentionIn
from gateway.ui import user
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import form_page
from gateway.ui.refusals import as_api_error, refusal_status
from gateway.upstream import upstream_urls
from kinerja.errors import AppError, Conflict
from kinerja.web import service_context

SERVICE_NAMES = {
    "targets": "SKP",
    "logs": "Log harian",
    "feedback": "Penilaian 360",
    "appraisal": "Penilaian kinerja",
}


@ui.route("/me/personal-data")
@user.login_required()
def my_personal_data():
    """The export as a file download; a part missing is named inside it."""
    context = service_context()
    nip = user.current_user().subject
    urls = upstream_urls(context.settings)
    export = queries.export(context.db, urls, nip, user.access_token())
    return Response(
        json.dumps(export, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{queries.filename(nip)}"'},
    )


@ui.route("/hr/retention", methods=["GET", "POST"])
@user.login_required("hr")
def hr_retention():
    context = service_context()
    period = store.retention(context.db)
    form = Form(values={"months": str(period.months) if period else ""})
    run, status = None, None
    if request.method == "POST":
        form = Form.posted(request.form)
        actor = user.current_user().actor
        action = form.value("action")
        try:
            if action == "save":
                fields = RetentionIn().load({"months": _whole(form.value("months"))})
                context.uow(lambda tx: commands.set_retention(tx, fields["months"], actor))
                flash(_("Masa retensi disimpan."))
                return redirect(url_for("ui.hr_retention"))
            if period is None:
                raise Conflict("set a retention period first", code="retention_not_set")
            run = commands.run_purge(
                context.uow,
                upstream_urls(context.settings),
                cut_off(privacy_api.today(), period.months),
                action != "purge",
                user.access_token(),
                actor,
            )
        except (AppError, ValidationError) as error:
            refusal = as_api_error(error)
            form, status = form.refused(refusal), refusal_status(refusal)
    return form_page(
        "hr/retention.html",
        form,
        status,
        period=period,
        cut_off=cut_off(privacy_api.today(), period.months) if period else None,
        run=run,
        names=SERVICE_NAMES,
    )


def _whole(text: object) -> object:
    """A typed whole number as a number, anything else as typed (the schema refuses it)."""
    text = str(text).strip()
    return int(text) if text.isdigit() else text
