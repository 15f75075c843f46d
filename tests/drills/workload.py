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

from kinerja360.harness import (
    GatewayClient,
    Stack,
    create_unit,
    ok,
    open_unit_round,
    series_nip,
    wait_for,
)

UNIT = "drill-unit"
CYCLE = "2026"
ACTIVITY = "surat"
DIMENSIONS = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama")
STAFF_COUNT = 10
ENTRIES_PER_PERSON = 12
# a write that gets no definite answer in this long means the platform did not recover
ANSWER_DEADLINE_SECONDS = 180


def nip(index: int) -> str:
    return series_nip(index, born="1980", appointed="200501")


BOSS = nip(0)
STAFF = [nip(i) for i in range(1, STAFF_COUNT + 1)]
PEOPLE = [(BOSS, None, "Kepala Subbagian")] + [(n, BOSS, "Pengadministrasi") for n in STAFF]


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


class Client(GatewayClient):
    """The harness's client, sending each write until it gets a definite answer."""

    def __init__(self, stack: Stack):
        super().__init__(stack.url(), stack.settings())
        self.stack = stack

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
                    timeout=20,
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
    create_unit(client, UNIT, "Unit Latihan", PEOPLE)
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
    round_id, assignments = open_unit_round(client, UNIT, PEOPLE, "latihan", CYCLE)
    # self-ratings last: the drills draw the others first
    assignments.sort(key=lambda a: (a["group"] == "self", a["id"]))
    return Unit(round_id, assignments, entries=entries)


def _written(client: Client, number: str, entry: dict) -> dict | None:
    answer = client.call("POST", "/logs/entries", number, entry)
    return answer.json() if answer.status_code == 201 else None


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
