"""Kinerja360's load profile: a working day in the demo unit, through the gateway's API.

- Employees (most users) log daily work against the activities of their approved SKP,
  read their month and its recap, read their scores, and give or revise their 360 ratings.
- Supervisors work through the verification queue (one at a time, in batches, now and then
  a rejection with the reason), read the team overview the web UI builds, and log their own day.
- HR reads the dashboards: round completion and reminders, the scores list, the unit
  distribution, the cycle's reliability and the unit's workload.

Every response is checked (catch_response): anything but the expected status is a failure.
A 409 that a real user could also meet (a supervisor verified the entry the employee was
editing) counts as done and is listed in the summary, never hidden among successes.

Each simulated person logs in once (one login per account, shared by users acting as the
same person, renewed before the 15-minute token runs out): the gateway allows 10 logins a
minute per account. Run it with `make load`, or `locust -f load/locustfile.py -H URL` against
a stack started with `--demo`; `--report-dir DIR` writes summary.md and summary.json there.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import gevent.lock
from locust import HttpUser, between, events, task
from locust.exception import RescheduleTask
from locust.runners import WorkerRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from load import plan, summary  # noqa: E402

NOTES: Counter = Counter()  # expected non-2xx outcomes and skipped steps, for the summary
CONFLICT = object()  # what `call` returns for an expected 409


@events.init_command_line_parser.add_listener
def _options(parser):
    parser.add_argument(
        "--report-dir", default="", help="write summary.md and summary.json here when quitting"
    )


WALL: dict[str, float] = {}  # when the test started and stopped, for requests/s


@events.test_start.add_listener
def _started(**_kwargs):
    WALL["start"] = time.time()


@events.test_stop.add_listener
def _stopped(**_kwargs):
    WALL["stop"] = time.time()


@events.quitting.add_listener
def _write_summary(environment, **_kwargs):
    options = environment.parsed_options
    if not options or not options.report_dir or isinstance(environment.runner, WorkerRunner):
        return
    meta = {
        "users": options.num_users,
        "spawn_rate": options.spawn_rate,
        "run_time": f"{options.run_time} s" if options.run_time else "until stopped",
        "host": environment.host,
    }
    if "start" in WALL:
        meta["wall_seconds"] = WALL.get("stop", time.time()) - WALL["start"]
    exceptions = environment.runner.exceptions if environment.runner else {}
    summary.write(Path(options.report_dir), environment.stats, meta, NOTES, exceptions)


# --- one login per person -------------------------------------------------------------------


class Account:
    """A person the users act as: the token, who they are, and what they have logged."""

    def __init__(self, username: str):
        self.username = username
        self.lock = gevent.lock.Semaphore()
        self.token: str | None = None
        self.expires = 0.0
        self.nip = ""
        self.skps: dict[str, list[dict]] = {}  # cycle -> approved activities ([] if none)
        self.minutes: dict[date, int] = {}  # day -> minutes logged (withdrawn not counted)
        self.months: set[str] = set()  # months whose entries are in `minutes`
        self.entries: dict[str, dict] = {}  # my entries seen: id -> entry
        self.claimed: set[str] = set()  # entries a user acting as this supervisor took


ACCOUNTS: dict[str, Account] = {}
_EMPLOYEES = itertools.cycle(plan.employee_accounts())
_SUPERVISORS = itertools.cycle(plan.supervisor_accounts())
SHARED: dict[str, object] = {}  # the rules, frameworks and rounds: read once per process
_SHARED_LOCK = gevent.lock.Semaphore()


def account(username: str) -> Account:
    return ACCOUNTS.setdefault(username, Account(username))


def error_code(response) -> str:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return ""


class KinerjaUser(HttpUser):
    abstract = True
    me: Account

    def on_start(self):
        self.rng = random.Random()
        self.log_in()
        if not self.me.nip:
            self.me.nip = self.call("GET /auth/me")["subject"]  # the NIP (HR: the account)

    def log_in(self) -> None:
        with self.me.lock:
            if self.me.token and time.time() < self.me.expires - 60:
                return
            body = self.call(
                "POST /auth/login",
                auth=False,
                json={"username": self.me.username, "password": plan.DEMO_PASSWORD},
            )
            self.me.token = body["access_token"]
            self.me.expires = time.time() + body.get("expires_in", 900)

    def call(
        self,
        endpoint: str,
        at: dict | None = None,
        expect: tuple[int, ...] = (200,),
        conflicts: tuple[str, ...] = (),
        check=None,
        auth: bool = True,
        **kwargs,
    ):
        """One request to an endpoint of plan.ENDPOINTS (`at` fills its path), judged: the
        body on an expected status, CONFLICT on an expected 409; anything else is recorded
        as a failure and ends the task (RescheduleTask)."""
        method, template = plan.ENDPOINTS[endpoint]
        name = endpoint.split(" ", 1)[1]
        if auth:
            if time.time() > self.me.expires - 60:
                self.log_in()
            kwargs["headers"] = {"Authorization": f"Bearer {self.me.token}"}
        path = template.format(**(at or {}))
        with self.client.request(
            method, path, name=name, catch_response=True, **kwargs
        ) as response:
            status = response.status_code
            if status in expect:
                try:
                    body = response.json() if response.content else None
                except ValueError:
                    problem = f"{status} but not JSON: {response.text[:200]}"
                else:
                    problem = check(body) if check else None
                if not problem:
                    response.success()
                    return body
            elif status == 409 and error_code(response) in conflicts:
                response.success()
                NOTES[f"{endpoint}: 409 {error_code(response)}"] += 1
                return CONFLICT
            elif status == 0:  # no answer: the connection's error says why
                problem = f"no response: {response.error!r}"
            else:
                problem = f"{status} {response.text[:300]}"
            response.failure(problem)
            # ends the task; in on_start it ends the user, and locust lists it with this text
            raise RescheduleTask(f"{endpoint}: {problem[:200]}")

    def shared(self, key: str, load):
        """Read once per process: the log rules, the frameworks, the rounds, the units."""
        with _SHARED_LOCK:
            if key not in SHARED:
                SHARED[key] = load()
            return SHARED[key]

    # --- what everyone reads --------------------------------------------------------------------

    def rules(self) -> plan.Rules:
        def load():
            body = self.call("GET /logs/rules")
            return plan.Rules(**{k: body[k] for k in plan.Rules.__dataclass_fields__})

        return self.shared("rules", load)

    def open_round(self) -> dict | None:
        """The open 360 round of the latest cycle, the one closing soonest if there are
        several (as the web UI picks it for a cycle)."""
        rounds = self.shared("rounds", lambda: self.call("GET /feedback/rounds"))
        return plan.current_round(rounds)

    def cycle(self) -> str:
        """The appraisal cycle the dashboards and scores are read for: the open round's
        (the demo's data is for the year it was first loaded), else this year."""
        round_ = self.open_round()
        return round_["cycle"] if round_ else str(date.today().year)

    def this_month(self) -> str:
        return date.today().strftime("%Y-%m")

    # --- my own daily log (employees; supervisors for their own day) ----------------------------

    def activities(self, cycle: str) -> list[dict]:
        """The activities of my approved SKP for the cycle (the contract in force)."""
        if cycle not in self.me.skps:
            skp = self.call(
                "GET /targets/skps/{nip}/{cycle}",
                at={"nip": self.me.nip, "cycle": cycle},
                expect=(200, 404),  # 404: no SKP for this cycle (yet)
            )
            if "error" in skp:
                NOTES["GET /targets/skps/{nip}/{cycle}: 404, no SKP for the cycle"] += 1
            contract = skp.get("contract") if "error" not in skp else None
            self.me.skps[cycle] = (contract or {}).get("activities", [])
        return self.me.skps[cycle]

    def read_month(self, month: str) -> list[dict]:
        entries = self.call("GET /logs/entries", params={"month": month})
        if month not in self.me.months:
            self.me.months.add(month)
            for entry in entries:
                if entry["status"] != "withdrawn":
                    day = date.fromisoformat(entry["date"])
                    self.me.minutes[day] = self.me.minutes.get(day, 0) + entry["minutes"]
        for entry in entries:
            self.me.entries[entry["id"]] = entry
        return entries

    def writable_days(self) -> list[date]:
        days = plan.writable_days(date.today(), self.rules())
        days = [d for d in days if self.activities(str(d.year))]
        for month in plan.months_of(days):
            if month not in self.me.months:
                self.read_month(month)
        return days

    def log_work(self) -> None:
        days = self.writable_days()
        if not days:
            NOTES["a day not logged: no approved SKP covers the days open to logging"] += 1
            return
        slot = plan.choose_slot(self.me.minutes, days, self.rules(), self.rng)
        if slot is None:
            self.withdraw_one(days)
            return
        day, minutes = slot
        activity = self.rng.choice(self.activities(str(day.year)))
        self.me.minutes[day] = self.me.minutes.get(day, 0) + minutes  # taken before the call
        try:
            entry = self.call(
                "POST /logs/entries",
                expect=(201,),
                json=plan.entry_body(
                    day, activity, minutes, self.rng, self.rules().min_description_length
                ),
            )
        except RescheduleTask:
            self.me.minutes[day] -= minutes
            raise
        self.me.entries[entry["id"]] = entry

    def withdraw_one(self, days: list[date]) -> None:
        """Every open day is full: take back one of my unverified entries on one of them."""
        open_days = {d.isoformat() for d in days}
        mine = [
            e
            for e in self.me.entries.values()
            if e["status"] in ("pending", "rejected") and e["date"] in open_days
        ]
        if not mine:
            NOTES["a day not logged: every open day full, nothing left to withdraw"] += 1
            return
        entry = self.rng.choice(mine)
        done = self.call(
            "DELETE /logs/entries/{id}",
            at={"entry_id": entry["id"]},
            conflicts=("not_withdrawable",),  # verified meanwhile
        )
        if done is not CONFLICT:
            day = date.fromisoformat(entry["date"])
            self.me.minutes[day] = self.me.minutes.get(day, 0) - entry["minutes"]
            self.me.entries[entry["id"]] = done


class EmployeeUser(KinerjaUser):
    weight = 8
    wait_time = between(1, 4)

    def on_start(self):
        self.me = account(next(_EMPLOYEES))
        super().on_start()

    @task(6)
    def log_a_day(self):
        self.log_work()

    @task(4)
    def read_my_month(self):
        self.read_month(self.this_month())

    @task(2)
    def read_my_recap(self):
        self.call(
            "GET /logs/employees/{nip}/recap",
            at={"nip": self.me.nip},
            params={"month": self.this_month()},
        )

    @task(2)
    def fix_an_entry(self):
        """Open the log, then rewrite a rejected entry (it waits for verification again) or
        add detail to a pending one, while its day is open to editing. An edit is checked
        against the rules in force, minutes included: entries the rules would now refuse
        (written before HR lowered a limit) are left alone, as their minutes are not edited."""
        rules = self.rules()
        open_days = plan.writable_days(date.today(), rules)
        for month in plan.months_of(open_days):
            self.read_month(month)
        mine = [
            e
            for e in self.me.entries.values()
            if date.fromisoformat(e["date"]) in open_days
            and self.activities(e["date"][:4])
            and e["minutes"] <= rules.max_minutes_per_day
            and self.me.minutes.get(date.fromisoformat(e["date"]), 0) <= rules.max_minutes_per_day
        ]
        rejected = [e for e in mine if e["status"] == "rejected"]
        pending = [e for e in mine if e["status"] == "pending"]
        if not (rejected or pending):
            return
        entry = self.rng.choice(rejected or pending)
        activities = {a["id"]: a for a in self.activities(entry["date"][:4])}
        edited = self.call(
            "PATCH /logs/entries/{id}",
            at={"entry_id": entry["id"]},
            conflicts=("not_editable",),  # the supervisor verified it meanwhile
            json=plan.amended_body(
                entry,
                activities.get(entry["activity_id"]),
                self.rng,
                self.rules().min_description_length,
            ),
        )
        if edited is not CONFLICT:
            self.me.entries[edited["id"]] = edited

    @task(3)
    def read_my_scores(self):
        at = {"nip": self.me.nip, "cycle": self.cycle()}
        self.call("GET /appraisal/cycles/{cycle}/scores/{nip}", at=at)
        if self.activities(self.cycle()) and self.rng.random() < 0.5:
            self.call("GET /targets/skps/{nip}/{cycle}/score", at=at)

    @task(3)
    def rate_a_colleague(self):
        round_ = self.open_round()
        if round_ is None:
            NOTES["no open 360 round: no rating given"] += 1
            return
        mine = self.call("GET /feedback/rounds/{id}/my-assignments", at={"round_id": round_["id"]})
        open_ = [a for a in mine if a["status"] in ("pending", "draft", "submitted")]
        if not open_:
            return
        assignment = self.rng.choice(open_)
        scale = self.scale(round_["framework_id"])
        at = {"round_id": round_["id"], "response_id": assignment["id"]}
        # two users acting as one person may both answer: the second meets the first's answer
        conflicts = ("already_submitted", "not_submitted", "not_draftable", "conflict")
        dimensions = assignment["dimensions"]
        if assignment["status"] == "submitted":
            body = plan.rating_body(dimensions, scale, self.rng)
            self.call("PUT /feedback/.../response", at=at, conflicts=conflicts, json=body)
        elif assignment["status"] == "pending" and self.rng.random() < 0.3:
            body = plan.rating_body(dimensions, scale, self.rng, complete=False)
            self.call("PUT /feedback/.../draft", at=at, conflicts=conflicts, json=body)
        else:
            body = plan.rating_body(dimensions, scale, self.rng)
            self.call("POST /feedback/.../submit", at=at, conflicts=conflicts, json=body)

    def scale(self, framework_id: str) -> tuple[int, int]:
        frameworks = self.shared("frameworks", lambda: self.call("GET /feedback/frameworks"))
        framework = next(f for f in frameworks if f["id"] == framework_id)
        return framework["scale_min"], framework["scale_max"]


class SupervisorUser(KinerjaUser):
    weight = 2
    wait_time = between(1, 4)

    def on_start(self):
        self.me = account(next(_SUPERVISORS))
        super().on_start()
        self.team = self.call(
            "GET /directory/employees",
            params={"supervisor_nip": self.me.nip, "active": "true", "per_page": 500},
        )["items"]

    def queue(self) -> list[dict]:
        """My reports' pending entries that no other user acting as me has taken."""
        waiting = self.call("GET /logs/verification-queue")
        return [e for e in waiting if e["id"] not in self.me.claimed]

    def take(self, entries: list[dict]) -> list[str]:
        ids = [e["id"] for e in entries]
        self.me.claimed.update(ids)
        return ids

    @task(4)
    def verify_one(self):
        waiting = self.queue()
        if not waiting:
            return
        (entry_id,) = self.take([self.rng.choice(waiting[:10])])
        self.call(
            "POST /logs/entries/{id}/verify",
            at={"entry_id": entry_id},
            conflicts=("not_pending",),  # withdrawn by the employee meanwhile
        )

    @task(2)
    def verify_a_batch(self):
        waiting = self.queue()
        if not waiting:
            return
        ids = self.take(waiting[: self.rng.randint(2, 10)])

        def check(body):
            refused = body["refused"]
            gone = {k for k, v in refused.items() if "not waiting for verification" in v}
            if gone:
                NOTES["POST /logs/entries/verify: refused, no longer pending"] += len(gone)
            unexpected = {k: v for k, v in refused.items() if k not in gone}
            return f"refused: {unexpected}" if unexpected else None

        self.call("POST /logs/entries/verify", json={"entry_ids": ids}, check=check)

    @task(1)
    def reject_one(self):
        waiting = self.queue()
        if not waiting:
            return
        (entry_id,) = self.take([self.rng.choice(waiting)])
        self.call(
            "POST /logs/entries/{id}/reject",
            at={"entry_id": entry_id},
            conflicts=("not_pending",),
            json={"reason": self.rng.choice(plan.REJECT_REASONS)},
        )

    @task(2)
    def team_overview(self):
        """What the web UI's team page reads: SKP status, the queue, each report's month,
        the open round's completion and the scores."""
        cycle, month = self.cycle(), self.this_month()
        self.call(
            "GET /targets/teams/{nip}/skps",
            at={"supervisor_nip": self.me.nip},
            params={"cycle": cycle},
        )
        self.call("GET /logs/verification-queue")
        for member in self.team:
            self.call(
                "GET /logs/employees/{nip}/recap",
                at={"nip": member["nip"]},
                params={"month": month},
            )
        round_ = self.open_round()
        if round_:
            self.call("GET /feedback/rounds/{id}/completion", at={"round_id": round_["id"]})
        self.call("GET /appraisal/cycles/{cycle}/scores", at={"cycle": cycle})

    @task(1)
    def read_a_reports_month(self):
        if not self.team:
            return
        member = self.rng.choice(self.team)
        self.call("GET /logs/entries", params={"month": self.this_month(), "nip": member["nip"]})

    @task(1)
    def log_my_own_day(self):
        if self.activities(self.cycle()):  # the Kepala's and Sekretaris's SKPs are not in the demo
            self.log_work()


class HrUser(KinerjaUser):
    weight = 1
    wait_time = between(2, 6)

    def on_start(self):
        self.me = account(plan.HR_ACCOUNT)
        super().on_start()
        units = self.shared("units", lambda: self.call("GET /directory/units"))
        self.units = [u["id"] for u in units]

    @task(3)
    def round_completion(self):
        round_ = self.open_round()
        if round_ is None:
            NOTES["no open 360 round: no completion read"] += 1
            return
        at = {"round_id": round_["id"]}
        self.call("GET /feedback/rounds/{id}/completion", at=at)
        if self.rng.random() < 0.3:
            self.call("GET /feedback/rounds/{id}/reminders", at=at, params={"within_days": 30})

    @task(3)
    def scores_list(self):
        params = {"unit_id": self.rng.choice(self.units)} if self.rng.random() < 0.4 else {}
        self.call("GET /appraisal/cycles/{cycle}/scores", at={"cycle": self.cycle()}, params=params)

    @task(2)
    def unit_distribution(self):
        self.call(
            "GET /appraisal/units/{unit}/cycles/{cycle}/distribution",
            at={"unit_id": self.rng.choice(self.units), "cycle": self.cycle()},
        )

    @task(1)
    def reliability(self):
        self.call("GET /appraisal/cycles/{cycle}/reliability", at={"cycle": self.cycle()})

    @task(1)
    def workload(self):
        today = date.today()
        self.call(
            "GET /logs/workload",
            params={
                "unit_id": self.rng.choice(self.units),
                "from": today.replace(day=1).isoformat(),
                "to": today.isoformat(),
            },
        )
