"""The demo's daily logs read like a real unit's: mostly activity, output at a plausible pace."""

import csv
import io
from collections import defaultdict
from datetime import date

from kinerja360.demo import logs as demo
from kinerja360.demo.gateway import EMPLOYEE_INDEX, nip
from kinerja360.demo.targets import HAND_RECORDED, activities_for

EARLY_DECEMBER = date(2026, 12, 7)


def rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(demo.entries_csv(EARLY_DECEMBER))))


def test_most_daily_entries_are_activity_and_only_a_few_complete_output():
    first = demo._days(EARLY_DECEMBER)[0].isoformat()
    daily = [row for row in rows() if row["date"] >= first]
    completing = [row for row in daily if row["completes_output"] == "true"]
    assert len(completing) < 0.25 * len(daily)
    assert all(row["quantity"] == "" for row in daily if row["completes_output"] != "true")
    assert all(int(row["quantity"]) > 0 for row in completing)


def test_no_activity_runs_ahead_of_its_yearly_target():
    output = defaultdict(int)
    for row in rows():
        if row["completes_output"] == "true":
            output[(row["nip"], row["activity_id"])] += int(row["quantity"])
    shares = []
    for index in demo.STAFF:
        for activity in demo.logged_activities(index):
            share = output[(nip(index), activity["id"])] / activity["quantity"]
            assert share <= 1, (index, activity["id"], share)
            shares.append(share)
    plausible = [share for share in shares if 0.5 <= share <= 0.95]
    assert len(plausible) > 0.8 * len(shares)


def test_the_hand_recorded_activity_has_no_logs():
    rudi = nip(EMPLOYEE_INDEX)
    assert HAND_RECORDED in {a["id"] for a in activities_for("Pengadministrasi Umum")}
    assert not [r for r in rows() if r["nip"] == rudi and r["activity_id"] == HAND_RECORDED]
