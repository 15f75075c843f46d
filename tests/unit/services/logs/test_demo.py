"""The demo's daily logs carry the year's output to date, so the provisional scores read true."""

import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal

from gateway.demo import PEOPLE, SUPERVISOR_INDEX, nip
from services.logs.demo import STAFF, entries_csv
from services.targets import scoring
from services.targets.demo import activities_for


def test_the_logged_output_is_about_the_target_due_to_date():
    today = date(2026, 6, 30)
    logged: dict[tuple[str, str], int] = defaultdict(int)
    for row in csv.DictReader(io.StringIO(entries_csv(today))):
        logged[(row["nip"], row["activity_id"])] += int(row["quantity"])
    for index in STAFF:
        for activity in activities_for(PEOPLE[index][1]):
            share = scoring.elapsed_share(Decimal(activity["months"]), 2026, today)
            due = Decimal(activity["quantity"]) * share
            # between 85 % and 110 % of what is due, give or take a unit's rounding
            assert due * Decimal("0.85") - 1 <= logged[(nip(index), activity["id"])]
            assert logged[(nip(index), activity["id"])] <= due * Decimal("1.1") + 1


def test_the_head_of_the_unit_logs_nothing_and_so_is_not_yet_assessable():
    assert SUPERVISOR_INDEX not in STAFF
