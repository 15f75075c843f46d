"""The drills' unit of people and the writes they keep making while something breaks.

Every write carries an Idempotency-Key and is retried, with the same key, until it gets
a definite answer: that is what a careful client does, and what lets the drill say of
each request whether it was applied. The ledger keeps the definite answers; the
expectations are computed from it alone.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta

import requests

from kinerja360.harness import Stack
from services.feedback.assignments import Person, generate_assignments
from tests.support import token, wait_for

UNIT = "drill-unit"
CYCLE = "2026"
ACTIVITY = "surat"
DIMENSIONS = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama")
STAFF_COUNT = 10
ENTRIES_PER_PERSON = 12
# a write that gets no definite answer in this long means the platform did not recover
ANSWER_DEADLINE_SECONDS = 180


def nip(index: int) -> str:
    return f"1980{index % 12 + 1:02d}{index % 27 + 1:02d}200501{1}{index + 1:03d}"


BOSS = nip(0)
STAFF = [nip(i) for i in range(1, STAFF_COUNT + 1)]


@dataclass(frozen=True)
class Write:
    """One request of the load: what it is, and what it changes once applied."""

    kind: str  # "response" or "verification"
    method: str
    path: str
    caller: str
    body: dict | None
    ratee: str = ""
    score: int = 0
    quantity: int = 0
    key: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass
class Ledger:
    """The definite answers: applied (2xx, or 409 already_applied) or refused (other 4xx)."""

    applied: list[Write] = field(default_factory=list)
    refused: list[tuple[Write, int, str]] = field(default_factory=list)
    retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expected_ratings(self) -> dict[str, tuple[int, float]]:
        """Per ratee: the number of applied responses and the mean of their scores."""
        scores: dict[str, list[int]] = defaultdict(list)
        for write in self.applied:
            if write.kind == "response":
                scores[write.ratee].append(write.score)
        return {ratee: (len(s), round(sum(s) / len(s), 2)) for ratee, s in scores.items()}

    def expected_output(self) -> dict[str, int]:
        """Per employee: the sum of the quantities of the entries verified."""
        totals: dict[str, int] = defaultdict(int)
        for write in self.applied:
            if write.kind == "verification":
                totals[write.ratee] += write.quantity
        return dict(totals)


class Client:
    """Calls through the gateway as the unit's people (tokens minted with the stack's key)."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.settings = stack.settings()
        self.local = threading.local()

    def headers(self, caller: str) -> dict:
        roles = ("hr",) if caller == "hr" else ("employee", "supervisor")
        return token(self.settings, caller, *roles)

    @property
    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def call(self, method: str, path: str, caller: str, body=None, **extra) -> requests.Response:
        return self.session.request(
            method,
            f"{self.stack.url()}/api/v1{path}",
            json=body,
            headers={**self.headers(caller), **extra.pop("headers", {})},
            timeout=20,
            **extra,
        )

    def send(self, write: Write, ledger: Ledger) -> None:
        """Until a definite answer: 2xx or 4xx. 5xx, 429 and broken connections are retried."""
        deadline = time.monotonic() + ANSWER_DEADLINE_SECONDS
        pause = 0.1
        while True:
            try:
                answer = self.call(
                    write.method,
                    write.path,
                    write.caller,
                    write.body,
                    headers={"Idempotency-Key": write.key},
                )
                if answer.status_code < 500 and answer.status_code != 429:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"no definite answer in {ANSWER_DEADLINE_SECONDS} s: {write}")
            with ledger.lock:
                ledger.retries += 1
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
        applied = answer.ok or (
            answer.status_code == 409 and _error_code(answer) == "already_applied"
        )
        with ledger.lock:
            if applied:
                ledger.applied.append(write)
            else:
                ledger.refused.append((write, answer.status_code, answer.text))


def _error_code(answer: requests.Response) -> str:
    try:
        return answer.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return ""


def run_load(client: Client, writes: list[Write], ledger: Ledger, pace: float = 0.3) -> None:
    """Send the writes from three callers at once, each pausing `pace` s between sends."""
    lanes = [writes[i::3] for i in range(3)]

    def lane(items: list[Write]) -> None:
        for write in items:
            client.send(write, ledger)
            time.sleep(pace)

    with ThreadPoolExecutor(max_workers=3) as pool:
        for future in [pool.submit(lane, items) for items in lanes]:
            future.result()


# -- the unit, set up once through the API --------------------------------------------


@dataclass
class Unit:
    """What the drills draw their writes from: open 360 assignments and pending entries."""

    round_id: str
    assignments: list[dict]  # each with id, rater, ratee
    entries: list[dict]  # each with id, nip, quantity
    taken_assignments: int = 0
    taken_entries: int = 0

    def next_writes(self, responses: int, verifications: int) -> list[Write]:
        """Fresh writes no drill has sent, responses and verifications interleaved."""
        chosen = self.assignments[self.taken_assignments : self.taken_assignments + responses]
        entries = self.entries[self.taken_entries : self.taken_entries + verifications]
        assert len(chosen) == responses and len(entries) == verifications, "unit used up"
        self.taken_assignments += responses
        self.taken_entries += verifications
        writes = [response_write(self.round_id, a) for a in chosen]
        writes += [
            Write(
                "verification",
                "POST",
                f"/logs/entries/{e['id']}/verify",
                BOSS,
                None,
                ratee=e["nip"],
                quantity=e["quantity"],
            )
            for e in entries
        ]
        writes.sort(key=lambda w: w.key)  # a mix of both kinds in every lane
        return writes


def response_write(round_id: str, assignment: dict) -> Write:
    score = 55 + (int(assignment["id"], 16) % 40)
    return Write(
        "response",
        "POST",
        f"/feedback/rounds/{round_id}/assignments/{assignment['id']}/submit",
        assignment["rater"],
        {"scores": dict.fromkeys(DIMENSIONS, score)},
        ratee=assignment["ratee"],
        score=score,
    )


def working_days_before(today: date, count: int) -> list[date]:
    days, current = [], today
    while len(days) < count:
        if current.weekday() < 5:
            days.append(current)
        current -= timedelta(days=1)
    return days


def set_up_unit(client: Client) -> Unit:
    """A supervisor and ten staff with approved SKPs, pending log entries and a 360 round."""
    people = [(BOSS, None, "Kepala Subbagian")] + [(n, BOSS, "Pengadministrasi") for n in STAFF]
    ok(client.call("POST", "/directory/units", "hr", {"id": UNIT, "name": "Unit Latihan"}))
    for number, supervisor, position in people:
        employee = {
            "nip": number,
            "name": f"Pegawai {number[-3:]}",
            "unit_id": UNIT,
            "golongan": "III/a",
            "position_kind": "functional",
            "education": "S-1",
            "position": position,
            "supervisor_nip": supervisor,
        }
        ok(client.call("POST", "/directory/employees", "hr", employee))
    rules = {"max_working_days_back": 60, "max_minutes_per_day": 1440, "min_description_length": 5}
    ok(client.call("PUT", "/logs/rules", "hr", rules))
    activity = {"id": ACTIVITY, "name": "Surat", "quantity": 5000, "unit": "surat", "months": 12}
    for number in STAFF:
        skp = f"/targets/skps/{number}/{CYCLE}"
        ok(client.call("POST", "/targets/skps", number, {"cycle": CYCLE, "activities": [activity]}))
        ok(client.call("POST", f"{skp}/submit", number))
        wait_for(
            lambda skp=skp: client.call("POST", f"{skp}/approve", BOSS).ok,
            timeout=60,
            message="targets to learn the unit's org chart",
        )
    entries = []
    for index, number in enumerate(STAFF):
        for day_index, day in enumerate(working_days_before(date.today(), ENTRIES_PER_PERSON)):
            quantity = 1 + (index + day_index) % 3
            entry = {
                "date": day.isoformat(),
                "activity_id": ACTIVITY,
                "completes_output": True,  # each entry registers its letters: output
                "quantity": quantity,
                "description": f"Mengagendakan {quantity} surat masuk ({day.isoformat()})",
                "minutes": 30,
            }
            written = wait_for(
                lambda entry=entry, number=number: _written(client, number, entry),
                timeout=60,
                message="logs to learn the approved SKP",
            )
            entries.append({"id": written["id"], "nip": number, "quantity": quantity})
    return Unit(*_open_round(client), entries=entries)


def _written(client: Client, number: str, entry: dict) -> dict | None:
    answer = client.call("POST", "/logs/entries", number, entry)
    return answer.json() if answer.status_code == 201 else None


def _open_round(client: Client) -> tuple[str, list[dict]]:
    """Open the round once feedback knows the whole unit (the directory arrives by events)."""
    persons = [Person(BOSS, None, UNIT)] + [Person(n, BOSS, UNIT) for n in STAFF]
    expected = len(generate_assignments(persons, 3))
    for attempt in range(60):
        round_id = f"latihan-{attempt}"
        body = {"id": round_id, "cycle": CYCLE, "deadline": "2030-12-31", "unit_id": UNIT}
        ok(client.call("POST", "/feedback/rounds", "hr", body))
        assignments = client.call("GET", f"/feedback/rounds/{round_id}/assignments", "hr").json()
        if len(assignments) == expected:
            # self-ratings last: the drills draw the others first
            assignments.sort(key=lambda a: (a["group"] == "self", a["id"]))
            return round_id, assignments
        ok(client.call("POST", f"/feedback/rounds/{round_id}/close", "hr"))
        time.sleep(1)
    raise AssertionError("feedback never learned the whole unit")


def ok(answer: requests.Response) -> requests.Response:
    assert answer.ok, f"{answer.request.method} {answer.url}: {answer.status_code} {answer.text}"
    return answer


# -- what the platform reflects -------------------------------------------------------


def reflected_ratings(client: Client, round_id: str, ratees) -> dict[str, tuple[int, float]]:
    """Per ratee, what the appraisal service counts: responses and the mean score."""
    found = {}
    for ratee in ratees:
        summary = ok(
            client.call("GET", f"/appraisal/rounds/{round_id}/ratees/{ratee}/ratings", "hr")
        ).json()
        if summary["responses"]:
            found[ratee] = (summary["responses"], summary["mean_by_dimension"][DIMENSIONS[0]])
    return found


def reflected_output(client: Client) -> dict[str, int]:
    """Per employee, the realized quantity the targets service counts from verified logs."""
    found = {}
    for number in STAFF:
        skp = ok(client.call("GET", f"/targets/skps/{number}/{CYCLE}", number)).json()
        quantity = (skp.get("realization", {}).get(ACTIVITY) or {}).get("quantity")
        if quantity:
            found[number] = int(quantity)
    return found
