"""Demo daily logs: two months of the unit's work, mostly verified, with an uneven load."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, timedelta
from decimal import Decimal

from gateway.demo import PEOPLE, SUPERVISOR_INDEX, nip
from services.targets import scoring
from services.targets.demo import RETURNED, STILL_DRAFT, activities_for

WORKING_DAYS = 40  # two months
LEFT_PENDING = 3  # the newest days wait in the supervisor's queue
VERIFY_BATCH = 100  # well under the 500 one call may take, and the gateway's timeout
STAFF = [i for i in range(SUPERVISOR_INDEX + 1, len(PEOPLE)) if i not in STILL_DRAFT | RETURNED]


def _days(today: date) -> list[date]:
    """Weekdays before today, within this year: the year's SKP is what the logs count for."""
    days, current = [], today
    while len(days) < WORKING_DAYS:
        current -= timedelta(days=1)
        if current.year != today.year:
            break
        if current.weekday() < 5:
            days.append(current)
    return sorted(days)


def _minutes(index: int) -> int:
    """An uneven load, as the field study found: some carry far more than others."""
    return (480, 420, 300, 180, 90)[index % 5]


def entries_csv(today: date) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["nip", "date", "activity_id", "description", "quantity", "minutes"])
    days = _days(today)
    for index in STAFF:
        activities = activities_for(PEOPLE[index][1])
        for number, day in enumerate(days):
            activity = activities[number % len(activities)]
            turns = len(range(number % len(activities), len(days), len(activities)))
            daily = _output(activity, index, number // len(activities), turns, today)
            writer.writerow(
                [
                    nip(index),
                    day.isoformat(),
                    activity["id"],
                    f"{activity['name']} ({daily} {activity['unit']}), hari ke-{number + 1}",
                    daily,
                    _minutes(index),
                ]
            )
    return out.getvalue()


# Some keep ahead of the year's pace, some fall behind (a fraction of the output due to date).
PACE = (Decimal("1.05"), Decimal("0.95"), Decimal("1.1"), Decimal("0.85"), Decimal(1))


def _output(activity: dict, index: int, turn: int, turns: int, today: date) -> int:
    """The demo's two months of logs stand for the year's output to date: the activity's
    target pro-rated to today (as the SKP score counts it) at the employee's pace, spread
    over the activity's turns in whole units, so the provisional scores read as a real year."""
    share = scoring.elapsed_share(Decimal(activity["months"]), today.year, today)
    due = Decimal(activity["quantity"]) * share * PACE[index % len(PACE)]
    return round(due * (turn + 1) / turns) - round(due * turn / turns)


def _wait_for_approved_skps(client, owner: str) -> None:
    """The logs service learns approved SKPs from the targets service's events."""
    headers = {"Authorization": f"Bearer {client.token(owner, ['employee'])}"}
    activity = activities_for(PEOPLE[STAFF[-1]][1])[0]["id"]
    probe = {
        "date": date.today().isoformat(),
        "activity_id": activity,
        "description": "x",
        "quantity": 0,
        "minutes": 0,
    }
    for _ in range(300):
        answer = client.post("/api/v1/logs/entries", json=probe, headers=headers, accept=(201, 422))
        fields = answer.json()["error"]["fields"] if answer.status_code == 422 else {}
        if "activity_id" not in fields:
            return
        time.sleep(0.1)
    raise RuntimeError("the logs service did not learn the approved SKPs in time")


def load(client) -> str:
    today = date.today()
    _wait_for_approved_skps(client, nip(STAFF[-1]))
    report = client.post(
        "/api/v1/logs/imports", files={"file": ("logs.csv", entries_csv(today))}
    ).json()
    kasubag = {
        "Authorization": f"Bearer {client.token(nip(SUPERVISOR_INDEX), ['employee', 'supervisor'])}"
    }
    queue = client.get("/api/v1/logs/verification-queue", headers=kasubag).json()
    recent = set(_days(today)[-LEFT_PENDING:])
    to_verify = [e["id"] for e in queue if date.fromisoformat(e["date"]) not in recent]
    for start in range(0, len(to_verify), VERIFY_BATCH):
        batch = to_verify[start : start + VERIFY_BATCH]
        client.post("/api/v1/logs/entries/verify", json={"entry_ids": batch}, headers=kasubag)
    return (
        f"{report['written']} daily log entries over {WORKING_DAYS} working days, "
        f"{len(to_verify)} verified"
    )
