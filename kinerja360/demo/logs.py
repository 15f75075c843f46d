"""Demo daily logs: two months of the unit's work, mostly verified, with an uneven load;
most entries are activity, a few complete output."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

from kinerja360.demo.gateway import EMPLOYEE_INDEX, PEOPLE, SUPERVISOR_INDEX, nip
from kinerja360.demo.targets import HAND_RECORDED, RETURNED, STILL_DRAFT, activities_for

WORKING_DAYS = 40  # two months
LEFT_PENDING = 3  # the newest days wait in the supervisor's queue
REOPEN_THREADS = 4  # the supervisor's reopened days, a few at a time
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


MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def _minutes(index: int) -> int:
    """An uneven load, as the field study found: some carry far more than others."""
    return (480, 420, 300, 180, 90)[index % 5]


def _pace(index: int) -> Decimal:
    """How close each person keeps to the target's pace: all behind it, some more."""
    return Decimal(("0.95", "0.85", "0.9", "0.75", "0.8")[index % 5])


def _due(activity: dict, pace: Decimal, day: date) -> int:
    """The whole outputs finished by `day` at this pace of the yearly target."""
    year_so_far = Decimal(day.timetuple().tm_yday) / Decimal(
        date(day.year, 12, 31).timetuple().tm_yday
    )
    return int(Decimal(activity["quantity"]) * pace * year_so_far)


def _batch(activity: dict) -> int:
    """Outputs are finished in batches: a week's letters, one report at a time."""
    return max(1, activity["quantity"] // 48)


def _month_ends(first_logged: date) -> list[date]:
    """The last working day of each month of the year before the daily logs begin."""
    ends = []
    for month in range(1, first_logged.month):
        last = date(first_logged.year, month + 1, 1) - timedelta(days=1)
        while last.weekday() >= 5:
            last -= timedelta(days=1)
        ends.append(last)
    return ends


def logged_activities(index: int) -> list[dict]:
    """The activities a person logs daily; Rudi keeps the archive register by hand and
    enters its realization himself (left waiting for his supervisor, targets' demo)."""
    activities = activities_for(PEOPLE[index][1])
    if index == EMPLOYEE_INDEX:
        return [a for a in activities if a["id"] != HAND_RECORDED]
    return activities


def entries_csv(today: date, staff: Sequence[int] = STAFF) -> str:
    """Daily entries are activity; a few complete output (a batch of letters, a report), so
    each SKP's verified output to date stays at a plausible fraction of its yearly target.
    The months before the daily logs hold one entry per activity completing that month's
    output, as history is imported."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["nip", "date", "activity_id", "description", "completes_output", "quantity", "minutes"]
    )
    days = _days(today)
    for index in staff:
        activities, pace = logged_activities(index), _pace(index)
        counted = {a["id"]: 0 for a in activities}
        for month_end in _month_ends(days[0]):
            for activity in activities:
                done = _due(activity, pace, month_end) - counted[activity["id"]]
                if done > 0:
                    counted[activity["id"]] += done
                    text = f"{activity['name']}: {done} {activity['unit']} selesai bulan ini"
                    writer.writerow(
                        [
                            nip(index),
                            month_end.isoformat(),
                            activity["id"],
                            f"{text} ({MONTHS[month_end.month - 1]})",
                            "true",
                            done,
                            60,
                        ]
                    )
        for number, day in enumerate(days):
            activity = activities[number % len(activities)]
            done = _due(activity, pace, day) - counted[activity["id"]]
            if done >= _batch(activity):
                counted[activity["id"]] += done
                text = f"{activity['name']}: {done} {activity['unit']} selesai"
                completes, quantity = "true", done
            else:
                text = f"{activity['name']}: dikerjakan, belum selesai"
                completes, quantity = "", ""
            writer.writerow(
                [
                    nip(index),
                    day.isoformat(),
                    activity["id"],
                    f"{text}, hari ke-{number + 1}",
                    completes,
                    quantity,
                    _minutes(index),
                ]
            )
    return out.getvalue()


def _wait_for_approved_skps(client, owner: str) -> None:
    """The logs service learns approved SKPs from the targets service's events."""
    headers = {"Authorization": f"Bearer {client.token(owner, ['employee'])}"}
    activity = activities_for(PEOPLE[STAFF[-1]][1])[0]["id"]
    # refused whatever the SKP; the refusal names activity_id until the SKP is known
    probe = {
        "date": date.today().isoformat(),
        "activity_id": activity,
        "description": "x",
        "minutes": 0,
    }
    for _ in range(300):
        answer = client.post("/api/v1/logs/entries", json=probe, headers=headers, accept=(201, 422))
        fields = answer.json()["error"]["fields"] if answer.status_code == 422 else {}
        if "activity_id" not in fields:
            return
        time.sleep(0.1)
    raise RuntimeError("the logs service did not learn the approved SKPs in time")


def _reopen_history(client, kasubag: dict, index: int, rows: str, today: date) -> None:
    """The supervisor reopens the past days of an employee's history, as the API lets a late
    entry in: an import applies the days-back rule as POST /entries does."""
    window = set(_days(today)[-LEFT_PENDING:])
    days = {row["date"] for row in csv.DictReader(io.StringIO(rows))}
    path = f"/api/v1/logs/employees/{nip(index)}/reopened-days"
    with ThreadPoolExecutor(REOPEN_THREADS) as pool:
        list(
            pool.map(
                lambda day: client.post(path, accept=(204,), json={"date": day}, headers=kasubag),
                sorted(d for d in days if date.fromisoformat(d) not in window),
            )
        )


def load(client) -> str:
    today = date.today()
    _wait_for_approved_skps(client, nip(STAFF[-1]))
    kasubag = {
        "Authorization": f"Bearer {client.token(nip(SUPERVISOR_INDEX), ['employee', 'supervisor'])}"
    }
    # one import per employee: each a short request, however busy the machine
    written = 0
    for index in STAFF:
        rows = entries_csv(today, [index])
        _reopen_history(client, kasubag, index, rows, today)
        answer = client.post("/api/v1/logs/imports", files={"file": ("logs.csv", rows)})
        written += answer.json()["written"]
    queue = client.get("/api/v1/logs/verification-queue", headers=kasubag).json()
    recent = set(_days(today)[-LEFT_PENDING:])
    to_verify = [e["id"] for e in queue if date.fromisoformat(e["date"]) not in recent]
    for start in range(0, len(to_verify), VERIFY_BATCH):
        batch = to_verify[start : start + VERIFY_BATCH]
        client.post("/api/v1/logs/entries/verify", json={"entry_ids": batch}, headers=kasubag)
    return (
        f"{written} daily log entries over {WORKING_DAYS} working days, {len(to_verify)} verified"
    )
