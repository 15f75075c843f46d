"""What the load profile sends, pure: who acts, which days and minutes a log entry may take,
the bodies of its writes, and the endpoints it calls (the names its figures are grouped by).

Kept apart from the locustfile (no locust, no gevent) so tests/integration/test_load_profile.py can
check these bodies against the services' own schemas and log rules without a stack.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from kinerja360.demo.gateway import EMPLOYEE_INDEX, PEOPLE, SUPERVISOR_INDEX, nip
from services.logs.domain import LogRules as Rules  # the rules in force (GET /logs/rules)
from services.logs.domain import working_days_between

HR_ACCOUNT = "demo-hr"

# Every request the profile makes: its name in the figures -> (method, gateway path).
# The name keeps the path's template, so /entries/{id}/verify is one row however many ids.
ENDPOINTS = {
    "POST /auth/login": ("POST", "/api/v1/auth/login"),
    "GET /auth/me": ("GET", "/api/v1/auth/me"),
    "GET /directory/employees": ("GET", "/api/v1/directory/employees"),
    "GET /directory/units": ("GET", "/api/v1/directory/units"),
    "GET /targets/skps/{nip}/{cycle}": ("GET", "/api/v1/targets/skps/{nip}/{cycle}"),
    "GET /targets/skps/{nip}/{cycle}/score": ("GET", "/api/v1/targets/skps/{nip}/{cycle}/score"),
    "GET /targets/teams/{nip}/skps": ("GET", "/api/v1/targets/teams/{supervisor_nip}/skps"),
    "GET /logs/rules": ("GET", "/api/v1/logs/rules"),
    "GET /logs/entries": ("GET", "/api/v1/logs/entries"),
    "POST /logs/entries": ("POST", "/api/v1/logs/entries"),
    "PATCH /logs/entries/{id}": ("PATCH", "/api/v1/logs/entries/{entry_id}"),
    "DELETE /logs/entries/{id}": ("DELETE", "/api/v1/logs/entries/{entry_id}"),
    "GET /logs/employees/{nip}/recap": ("GET", "/api/v1/logs/employees/{nip}/recap"),
    "GET /logs/verification-queue": ("GET", "/api/v1/logs/verification-queue"),
    "POST /logs/entries/{id}/verify": ("POST", "/api/v1/logs/entries/{entry_id}/verify"),
    "POST /logs/entries/verify": ("POST", "/api/v1/logs/entries/verify"),
    "POST /logs/entries/{id}/reject": ("POST", "/api/v1/logs/entries/{entry_id}/reject"),
    "GET /logs/workload": ("GET", "/api/v1/logs/workload"),
    "GET /feedback/frameworks": ("GET", "/api/v1/feedback/frameworks"),
    "GET /feedback/rounds": ("GET", "/api/v1/feedback/rounds"),
    "GET /feedback/rounds/{id}/my-assignments": (
        "GET",
        "/api/v1/feedback/rounds/{round_id}/my-assignments",
    ),
    "PUT /feedback/.../draft": (
        "PUT",
        "/api/v1/feedback/rounds/{round_id}/assignments/{response_id}/draft",
    ),
    "POST /feedback/.../submit": (
        "POST",
        "/api/v1/feedback/rounds/{round_id}/assignments/{response_id}/submit",
    ),
    "PUT /feedback/.../response": (
        "PUT",
        "/api/v1/feedback/rounds/{round_id}/assignments/{response_id}/response",
    ),
    "GET /feedback/rounds/{id}/completion": (
        "GET",
        "/api/v1/feedback/rounds/{round_id}/completion",
    ),
    "GET /feedback/rounds/{id}/reminders": (
        "GET",
        "/api/v1/feedback/rounds/{round_id}/reminders",
    ),
    "GET /appraisal/cycles/{cycle}/scores/{nip}": (
        "GET",
        "/api/v1/appraisal/cycles/{cycle}/scores/{nip}",
    ),
    "GET /appraisal/cycles/{cycle}/scores": ("GET", "/api/v1/appraisal/cycles/{cycle}/scores"),
    "GET /appraisal/units/{unit}/cycles/{cycle}/distribution": (
        "GET",
        "/api/v1/appraisal/units/{unit_id}/cycles/{cycle}/distribution",
    ),
    "GET /appraisal/cycles/{cycle}/reliability": (
        "GET",
        "/api/v1/appraisal/cycles/{cycle}/reliability",
    ),
}

# The calls a run must have made for its figures to mean what the profile says.
CORE = (
    "POST /logs/entries",
    "GET /logs/entries",
    "GET /logs/verification-queue",
    "GET /appraisal/cycles/{cycle}/scores/{nip}",
    "GET /feedback/rounds/{id}/my-assignments",
    "GET /feedback/rounds/{id}/completion",
    "GET /appraisal/cycles/{cycle}/scores",
)


def group_of(name: str) -> str:
    """The service a request name belongs to: `GET /logs/entries` -> `logs`."""
    return name.split(" ", 1)[1].split("/")[1]


# --- who acts -----------------------------------------------------------------------------------


def username(index: int) -> str:
    """Demo accounts log in by NIP; two have names (the README's demo-employee, -supervisor)."""
    return {EMPLOYEE_INDEX: "demo-employee", SUPERVISOR_INDEX: "demo-supervisor"}.get(
        index, nip(index)
    )


def employee_accounts() -> list[str]:
    """The staff below the Kasubag, demo-employee first: each simulated employee takes the
    next one, so up to 20 employees are 20 different people. Two of them have no approved
    SKP in the demo (one returned, one draft): they read and rate but cannot log."""
    staff = [i for i in range(SUPERVISOR_INDEX + 1, len(PEOPLE)) if i != EMPLOYEE_INDEX]
    return [username(i) for i in [EMPLOYEE_INDEX, *staff]]


def supervisor_accounts() -> list[str]:
    """The Kasubag (20 reports) first, then the Sekretaris and the Kepala (one report each)."""
    return [username(i) for i in (SUPERVISOR_INDEX, SUPERVISOR_INDEX - 1, SUPERVISOR_INDEX - 2)]


# --- daily log entries --------------------------------------------------------------------------


def writable_days(today: date, rules: Rules) -> list[date]:
    """The working days an entry may be written for without the supervisor reopening one:
    today back to `max_working_days_back` working days ago; weekends are left out."""
    days, current = [], today
    while working_days_between(current, today) <= rules.max_working_days_back:
        if current.weekday() < 5:
            days.append(current)
        current -= timedelta(days=1)
    return sorted(days)


def months_of(days: list[date]) -> list[str]:
    return sorted({d.strftime("%Y-%m") for d in days})


ENTRY_MINUTES = (30, 45, 60, 60, 90, 120)
VERBS = ("Mengerjakan", "Menyelesaikan", "Melanjutkan", "Memeriksa", "Menindaklanjuti")


def choose_slot(
    minutes_by_day: dict[date, int], days: list[date], rules: Rules, rng: random.Random
) -> tuple[date, int] | None:
    """A day with room and the minutes to log on it; None when every day is full."""
    wanted = rng.choice(ENTRY_MINUTES)
    for minutes in sorted({wanted, 30, 15}, reverse=True):
        open_days = [
            d for d in days if minutes_by_day.get(d, 0) + minutes <= rules.max_minutes_per_day
        ]
        if open_days:
            return rng.choice(open_days), minutes
    return None


def _long_enough(text: str, min_length: int) -> str:
    while len(text) < min_length:
        text += ", sesuai rincian tugas"
    return text


OUTPUT_SHARE = 0.15  # of daily entries, the ones that complete output


def description(activity: dict, quantity: int, rng: random.Random, min_length: int = 20) -> str:
    """A text of its own every time (the service refuses the previous entry's text again),
    as long as the rules ask."""
    return _long_enough(
        f"{rng.choice(VERBS)} {activity['name'].lower()} ({quantity} {activity['unit']}), "
        f"catatan {uuid.uuid4().hex[:8]}",
        min_length,
    )


def entry_body(
    day: date, activity: dict, minutes: int, rng: random.Random, min_length: int = 20
) -> dict:
    quantity = rng.randint(1, 3)
    body = {
        "date": day.isoformat(),
        "activity_id": activity["id"],
        "description": description(activity, quantity, rng, min_length),
        "minutes": minutes,
    }
    if rng.random() < OUTPUT_SHARE:  # most days are activity; a few complete output
        body |= {"completes_output": True, "quantity": quantity}
    return body


def amended_body(
    entry: dict, activity: dict | None, rng: random.Random, min_length: int = 20
) -> dict:
    """The employee rewrites the text (after a rejection, or to say more)."""
    what = activity["name"].lower() if activity else entry["activity_id"]
    text = f"{rng.choice(VERBS)} {what}: rincian diperbaiki, catatan {uuid.uuid4().hex[:8]}"
    return {"description": _long_enough(text, min_length)}


REJECT_REASONS = (
    "Uraian terlalu umum; sebutkan nomor surat atau dokumen yang dikerjakan.",
    "Jumlah output tidak sesuai dengan waktu yang dicatat.",
)


# --- 360 ratings --------------------------------------------------------------------------------


def current_round(rounds: list[dict]) -> dict | None:
    """The open round of the latest cycle; of several, the one closing soonest."""
    open_ = [r for r in rounds if r["status"] == "open"]
    if not open_:
        return None
    latest = max(r["cycle"] for r in open_)
    return min((r for r in open_ if r["cycle"] == latest), key=lambda r: r["deadline"])


def rating_body(
    dimensions: list[dict], scale: tuple[int, int], rng: random.Random, complete: bool = True
) -> dict:
    """Scores for the ratee's dimensions on the framework's scale; a draft may leave some out."""
    low, high = scale
    keys = [d["key"] for d in dimensions]
    if not complete and len(keys) > 1:
        keys = rng.sample(keys, rng.randint(1, len(keys) - 1))
    centre = low + (high - low) * 0.8
    spread = (high - low) * 0.12
    scores = {k: int(min(high, max(low, round(rng.gauss(centre, spread))))) for k in keys}
    comment = rng.choice(("", "", "Konsisten membantu rekan kerja.", "Perlu lebih tepat waktu."))
    return {"scores": scores, "comment": comment}
