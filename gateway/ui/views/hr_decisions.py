"""HR: how the appraisers decide. Per supervisor (pejabat penilai), of the behaviour
proposals they decided in a cycle: how many they adopted, how many they replaced with their
own aspect scores, how many departed beyond the proposal's uncertainty, and how far and in
which direction (decided minus proposed).

The appraisal service's `/cycles/{cycle}/supervisor-decisions`.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import request

from gateway.ui import api, user
from gateway.ui.api import ApiError
from gateway.ui.blueprint import ui
from gateway.ui.forms import Form
from gateway.ui.pages import error_page, page
from gateway.ui.views.hr_rounds import known_cycles


@ui.route("/hr/decisions")
@user.login_required("hr")
def hr_decisions():
    cycles = known_cycles()
    cycle = request.args.get("cycle") or cycles[0]
    try:
        report = api.get("appraisal", f"cycles/{quote(cycle, safe='')}/supervisor-decisions")
    except ApiError as error:
        return error_page(error.status, error.message)
    return page(
        "hr/decisions.html",
        form=Form(values={"cycle": cycle}),
        cycle_options=[(c, c) for c in cycles],
        cycle=cycle,
        rows=report["supervisors"],
    )
