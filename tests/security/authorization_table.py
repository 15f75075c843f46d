"""Who may call what: every operation of the merged OpenAPI document, by caller.

One row per operation (method + path template, as /api/openapi.json names it), one
outcome per caller column:

    none              no token at all; the path filled as for employee-own
    employee-own      demo-employee (Rudi Hartono, staff) on his own records
    employee-other    demo-employee on a colleague's records (Wulan Sari, same team)
    supervisor-team   demo-supervisor (Budi Santoso, the Kasubag) on his direct report's
                      records (Rudi); where the caller is the actor (a rating to give, an
                      entry to write) on his own
    supervisor-other  demo-supervisor on records outside his team: his own superior's
                      (Rahmawati Sari, the Sekretaris), her team, her unit (sekretariat);
                      for daily-log entries his own entry, which he may never verify
    hr                demo-hr
    ops               demo-ops
    superior          Rahmawati Sari, the supervisor's superior (atasan pejabat penilai),
                      on Rudi's records, two levels down: she sees his SKP, daily logs,
                      360 results and score breakdown and decides his objection, nothing
                      else (kinerja/access.py)

Outcomes: A allow (the answer is neither 401 nor 403 nor 5xx), D deny (401 without a
token, 403 with one), "-" not walked. 404 is never a denial here: nothing hides existence
behind it. Where a path names a person (a NIP, a cycle), the caller's rights are checked
before the record is looked up, so a denied caller gets 403 whether or not it exists (the
2099 rows: the allowed caller gets 404, everyone else 403). Where it names an entry or an
assignment by its random id, the id is looked up first and the owner checked after: a 404
for an id nobody was given tells nothing about anyone. Public operations (login, refresh)
are walked without a token only.

Walking the table must not change what the demo stack's other tests read, so an allowed
write is sent so that it fails after the authorization check: for an operation guarded by
its role only, a body its checks refuse (422; roles are checked before the body is
parsed, kinerja.auth.install_access_checks); for one that checks ownership, a valid body
against something that cannot change (cycle 2099 that has no SKP: 404; an entry already
verified, a finalized score, a closed round, the default scheme: 409) or a body the
domain refuses after the ownership check (scores for a dimension that does not exist,
a description under the rules' minimum: 422). The few allowed calls that do succeed
store nothing (previews, what-ifs, reads) or something no other test reads (Rudi's day
2020-01-06 reopened).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kinerja360.demo.gateway import nip

CALLERS = (
    "none",
    "employee-own",
    "employee-other",
    "supervisor-team",
    "supervisor-other",
    "hr",
    "ops",
    "superior",
)

RUDI, WULAN, BUDI, RAHMA = nip(8), nip(9), nip(2), nip(1)

# Who calls in each column (a username for conftest's login), None: no token.
USERNAMES = {
    "none": None,
    "employee-own": "demo-employee",
    "employee-other": "demo-employee",
    "supervisor-team": "demo-supervisor",
    "supervisor-other": "demo-supervisor",
    "hr": "demo-hr",
    "ops": "demo-ops",
    "superior": RAHMA,  # every demo person logs in with their NIP
}

# What a path parameter means in each column; values name entries of the demo ids
# (tests/security/test_authorization.py collects them from the stack) or are literal.
_TEAM_VIEW = {
    "nip": "rudi",
    "ratee": "rudi",
    "ratee_id": "rudi",
    "supervisor_nip": "budi",
    "unit_id": "subbag-umpeg",
    "entry_id": "rudi_verified_entry",
    "response_id": "rudi_rates",
}
DEFAULTS = {
    "none": _TEAM_VIEW,
    "employee-own": {**_TEAM_VIEW, "supervisor_nip": "rudi"},
    "employee-other": {
        **_TEAM_VIEW,
        "nip": "wulan",
        "ratee": "wulan",
        "ratee_id": "wulan",
        "entry_id": "wulan_pending_entry",
        "response_id": "wulan_rates",
        "unit_id": "sekretariat",
    },
    "supervisor-team": {**_TEAM_VIEW, "response_id": "budi_rates"},
    "supervisor-other": {
        **_TEAM_VIEW,
        "nip": "rahma",
        "ratee": "rahma",
        "ratee_id": "rahma",
        "supervisor_nip": "rahma",
        "unit_id": "sekretariat",
        "entry_id": "budi_withdrawn_entry",
        "response_id": "wulan_rates",
    },
    "hr": _TEAM_VIEW,
    "ops": _TEAM_VIEW,
    "superior": {**_TEAM_VIEW, "response_id": "rahma_rates"},
}
COMMON = {
    "cycle": "2026",
    "round_id": "2026-berakhlak",
    "scheme_id": "default",
    "activity_id": "agenda-surat",
    "achievement_id": "uji-otorisasi",
}

A, D, S = "allow", "deny", "-"
PUBLIC = (A, S, S, S, S, S, S, S)
ANY_TOKEN = (D, A, A, A, A, A, A, A)
HR_ONLY = (D, D, D, D, D, A, D, D)


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    outcomes: tuple[str, ...]
    # per path parameter or query field: a value, or {caller: value}; see resolve()
    params: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    json: object = None  # a body, or a function of the demo ids returning one
    files: Callable[[dict], dict] | None = None

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def service(self) -> str:
        return self.path.split("/")[3]

    def outcome(self, caller: str) -> str:
        return self.outcomes[CALLERS.index(caller)]

    def request(self, caller: str, ids: dict) -> dict:
        """requests.request keyword arguments (but the base URL) for one caller."""
        names = re.findall(r"{(\w+)}", self.path)
        values = {
            name: resolve(
                self.params.get(name, DEFAULTS[caller].get(name, COMMON.get(name))), caller, ids
            )
            for name in names
        }
        missing = [name for name, value in values.items() if value is None]
        assert not missing, f"{self.operation}: no value for {missing}"
        kwargs: dict = {"method": self.method, "url": self.path.format(**values)}
        if self.query:
            kwargs["params"] = {k: resolve(v, caller, ids) for k, v in self.query.items()}
        if self.json is not None:
            kwargs["json"] = self.json(ids) if callable(self.json) else self.json
        if self.files is not None:
            kwargs["files"] = self.files(ids)
        return kwargs


def resolve(value, caller: str, ids: dict):
    if isinstance(value, dict):
        value = value.get(caller, value.get("*"))
    if isinstance(value, str) and value in ids:
        return ids[value]
    return value


def rule(method: str, path: str, *outcomes: str, **options) -> Rule:
    if len(outcomes) == 1 and isinstance(outcomes[0], tuple):
        outcomes = outcomes[0]
    assert len(outcomes) == len(CALLERS), f"{method} {path}: {len(outcomes)} outcomes"
    return Rule(method, path, tuple(outcomes), **options)


# --- bodies ------------------------------------------------------------------------------------

ACTIVITY = {"id": "uji", "name": "Uji otorisasi", "quantity": 1, "unit": "laporan", "months": 12}
WEIGHTS = {"superior": 0.5, "peer": 0.3, "subordinate": 0.2, "self": 0}
NO_DIMENSION = {"scores": {"bukan-dimensi": 50}}  # 422 after the rater check
NO_REASON = {"reason": " "}  # 422 after the rater check
APPROVE = {"approve": True}
TOO_SHORT = {"description": "terlalu pendek"}  # under the rules' 20 characters: 422
CSV_HEADER = "nip,date,activity_id,description,quantity,minutes\n"

T = "/api/v1/targets"
SKP = T + "/skps/{nip}/{cycle}"
L = "/api/v1/logs"
F = "/api/v1/feedback"
ROUND = F + "/rounds/{round_id}"
AP = "/api/v1/appraisal"
SCORE = AP + "/cycles/{cycle}/scores/{nip}"
NO_SKP = {"cycle": "2099"}  # nobody has an SKP for 2099: an allowed caller gets 404

# fmt: off
TABLE = [
    #     method  path                                  none emp  emp-o sup  sup-o hr  ops superior
    # --- SKP targets ---
    rule("POST",  T + "/score-preview",                 ANY_TOKEN, json={
        "activities": [{"target": {"quantity": 12, "quality": 100, "months": 12, "cost": 0},
                        "realization": {"quantity": 12, "quality": 90, "months": 10, "cost": 0}}]}),
    rule("POST",  T + "/skps",                          D, A, A, A, A, D, D, A,
         json={"cycle": "not-a-year", "activities": []}),
    rule("GET",   SKP,                                  D, A, D, A, D, A, D, A),
    rule("GET",   SKP + "/versions",                    D, A, D, A, D, A, D, A),
    rule("GET",   SKP + "/score",                       D, A, D, A, D, A, D, A),
    rule("POST",  SKP + "/what-if",                     D, A, D, A, D, A, D, A, json={}),
    rule("PUT",   SKP + "/draft",                       D, A, D, D, D, D, D, D,
         params=NO_SKP, json={"activities": [ACTIVITY]}),
    rule("POST",  SKP + "/submit",                      D, A, D, D, D, D, D, D, params=NO_SKP),
    rule("POST",  SKP + "/revisions",                   D, A, D, D, D, D, D, D, params=NO_SKP),
    rule("POST",  SKP + "/approve",                     D, D, D, A, D, D, D, D, params=NO_SKP),
    rule("POST",  SKP + "/return",                      D, D, D, A, D, D, D, D, params=NO_SKP,
         json={"notes": "Uji otorisasi"}),
    rule("PATCH", SKP + "/activities/{activity_id}/realization",
                                                        D, A, D, A, D, D, D, D, params=NO_SKP,
         json={"months": 10}),
    rule("POST",  SKP + "/activities/{activity_id}/realization/confirm",
                                                        D, D, D, A, D, D, D, D, params=NO_SKP,
         json={}),
    rule("POST",  SKP + "/activities/{activity_id}/realization/reject",
                                                        D, D, D, A, D, D, D, D, params=NO_SKP,
         json={"reason": "Uji otorisasi"}),
    rule("POST",  SKP + "/extra-tasks",                 D, A, D, D, D, D, D, D, params=NO_SKP,
         json={"id": "uji", "description": "Uji", "evidence": "Uji"}),
    rule("POST",  SKP + "/creativity",                  D, A, D, D, D, D, D, D, params=NO_SKP,
         json={"id": "uji", "description": "Uji", "evidence": "Uji", "level": "unit"}),
    rule("POST",  SKP + "/achievements/{achievement_id}/decision",
                                                        D, D, D, A, D, D, D, D, params=NO_SKP,
         json={"approve": True}),
    rule("GET",   T + "/teams/{supervisor_nip}/skps",   D, A, D, A, D, A, D, D,
         query={"cycle": "2026"}),
    # personal data: the export is the employee's own, nobody else's (access.EXPORT_OWN_DATA)
    rule("GET",   T + "/personal-data/{nip}",           D, A, D, D, D, D, D, D),
    # --- daily logs ---
    rule("POST",  L + "/entries",                       D, A, A, A, A, D, D, A, json={
        "date": "2099-01-05", "activity_id": "agenda-surat",
        "description": "Uji otorisasi tanggal yang akan datang", "completes_output": True,
        "quantity": 1, "minutes": 30}),
    rule("GET",   L + "/entries",                       D, A, D, A, D, A, D, A,
         query={"month": "last_month", "nip": {"*": "rudi", "employee-other": "wulan",
                                               "supervisor-other": "rahma"}}),
    rule("PATCH", L + "/entries/{entry_id}",            D, A, D, D, A, D, D, D, json=TOO_SHORT),
    rule("DELETE", L + "/entries/{entry_id}",           D, A, D, D, A, D, D, D),
    rule("GET",   L + "/verification-queue",            D, D, D, A, A, D, D, A),
    rule("POST",  L + "/entries/{entry_id}/verify",     D, D, D, A, D, D, D, D),
    rule("POST",  L + "/entries/{entry_id}/reject",     D, D, D, A, D, D, D, D,
         json={"reason": "Uji otorisasi"}),
    rule("POST",  L + "/entries/{entry_id}/revoke",     D, D, D, A, D, D, D, D,
         params={"entry_id": {"*": "rudi_pending_entry",
                              "supervisor-other": "budi_withdrawn_entry"}}),
    # per-entry refusals come back in a 200 (test_bulk_verification_refuses_...)
    rule("POST",  L + "/entries/verify",                D, D, D, A, A, D, D, A,
         json=lambda ids: {"entry_ids": [ids["rudi_verified_entry"]]}),
    rule("POST",  L + "/employees/{nip}/reopened-days", D, D, D, A, D, D, D, D,
         json={"date": "2020-01-06"}),
    rule("GET",   L + "/employees/{nip}/recap",         D, A, D, A, D, A, D, A,
         query={"month": "last_month"}),
    rule("GET",   L + "/workload",                      D, D, D, A, D, A, D, D,
         query={"unit_id": {"*": "subbag-umpeg", "supervisor-other": "sekretariat"},
                "from": "2026-01-01", "to": "2026-12-31"}),
    rule("GET",   L + "/workload/settings",             ANY_TOKEN),
    rule("PUT",   L + "/workload/settings",             HR_ONLY,
         json={"effective_hours_per_year": -1, "working_days_per_year": 0}),
    rule("GET",   L + "/rules",                         ANY_TOKEN),
    rule("PUT",   L + "/rules",                         HR_ONLY, json={
        "max_working_days_back": -1, "max_minutes_per_day": 0, "min_description_length": -1}),
    # an employee's rows for someone else are refused row by row (test below)
    rule("POST",  L + "/imports",                       D, A, A, A, A, A, D, A, files=lambda ids: {
        "file": ("uji.csv", CSV_HEADER + f"{ids['rudi']},2099-01-05,agenda-surat,"
                 "Uji otorisasi tanggal yang akan datang,1,30\n")}),
    rule("GET",   L + "/personal-data/{nip}",           D, A, D, D, D, D, D, D),
    rule("POST",  L + "/retention/purge",               HR_ONLY, json={"cut_off": "never"}),
    # --- 360 feedback ---
    rule("GET",   F + "/frameworks",                    ANY_TOKEN),
    rule("POST",  F + "/frameworks",                    HR_ONLY, json={
        "id": "uji-otorisasi", "name": "Uji", "scale_min": 5, "scale_max": 1, "dimensions": []}),
    rule("GET",   F + "/rounds",                        ANY_TOKEN),
    rule("POST",  F + "/rounds",                        HR_ONLY, json={
        "id": "2026-berakhlak", "cycle": "2026", "framework_id": "berakhlak",
        "deadline": "2026-12-31"}),
    rule("POST",  ROUND + "/close",                     HR_ONLY,
         params={"round_id": "2026-perilaku"}),
    rule("GET",   ROUND + "/assignments",               HR_ONLY),
    rule("POST",  ROUND + "/assignments",               HR_ONLY,
         json=lambda ids: {"rater": ids["no_such_nip"], "ratee": ids["rudi"], "group": "peer"}),
    rule("DELETE", ROUND + "/assignments/{response_id}", HR_ONLY,
         params={"response_id": "no-such-assignment"}),
    rule("GET",   ROUND + "/my-assignments",            D, A, A, A, A, D, D, A),
    # the caller's own assignment (the rater's); scores for no dimension or no reason: 422
    rule("PUT",   ROUND + "/assignments/{response_id}/draft",
                                                        D, A, D, A, D, D, D, A, json=NO_DIMENSION),
    rule("POST",  ROUND + "/assignments/{response_id}/submit",
                                                        D, A, D, A, D, D, D, A, json=NO_DIMENSION),
    rule("PUT",   ROUND + "/assignments/{response_id}/response",
                                                        D, A, D, A, D, D, D, A, json=NO_DIMENSION),
    rule("POST",  ROUND + "/assignments/{response_id}/decline",
                                                        D, A, D, A, D, D, D, A, json=NO_REASON),
    rule("POST",  ROUND + "/nominations",               D, A, A, A, A, D, D, A,
         json=lambda ids: {"peer": ids["no_such_nip"]}),
    # an assignment rating a team member (not a nomination: 409) or the supervisor's superior
    rule("POST",  ROUND + "/nominations/{response_id}/decision",
                                                        D, D, D, A, D, D, D, D, json=APPROVE,
         params={"response_id": {"*": "rudi_rated", "supervisor-other": "rahma_rated"}}),
    rule("GET",   ROUND + "/completion",                D, D, D, A, A, A, D, A),
    rule("GET",   ROUND + "/reminders",                 HR_ONLY),
    rule("GET",   ROUND + "/results/{ratee}",           D, A, D, A, D, A, D, A,
         params={"round_id": "2026-perilaku"}),
    rule("GET",   F + "/personal-data/{nip}",           D, A, D, D, D, D, D, D),
    rule("POST",  F + "/retention/purge",               HR_ONLY, json={"cut_off": "never"}),
    # --- appraisal ---
    rule("GET",   AP + "/rounds/{round_id}/ratees/{ratee_id}/ratings", HR_ONLY,
         params={"round_id": "2026-perilaku"}),
    rule("GET",   AP + "/cycles/{cycle}/scores",        D, D, D, A, A, A, D, A),
    rule("GET",   SCORE,                                D, A, D, A, D, A, D, A),
    rule("GET",   SCORE + "/adjustment",                D, A, D, A, D, A, D, A),
    rule("GET",   AP + "/personal-data/{nip}",          D, A, D, D, D, D, D, D),
    rule("POST",  AP + "/retention/purge",              HR_ONLY, json={"cut_off": "never"}),
    rule("GET",   SCORE + "/report",                    D, A, D, A, D, A, D, A,
         params={"cycle": "2025"}),
    # 2025 is finalized already (409); 2026 has no locked score to object to (404)
    rule("POST",  SCORE + "/finalize",                  D, D, D, A, D, D, D, D,
         params={"cycle": "2025"}),
    rule("POST",  SCORE + "/objection",                 D, A, D, D, D, D, D, D,
         json={"reason": "Uji otorisasi"}),
    rule("POST",  SCORE + "/objection/decision",        D, D, D, D, D, D, D, A,
         params={"cycle": "2025"}, json={"reason": "Uji otorisasi: keputusan atas keberatan"}),
    # the behaviour decision: the employee reads their own; only the direct supervisor
    # decides (2025 is finalized: 409 after the check); HR reads the report per supervisor
    rule("GET",   SCORE + "/decision",                  D, A, D, A, D, A, D, A,
         params={"cycle": "2025"}),
    rule("PUT",   SCORE + "/decision",                  D, D, D, A, D, D, D, D,
         params={"cycle": "2025"}, json={"kind": "adopted"}),
    rule("GET",   AP + "/cycles/{cycle}/supervisor-decisions", HR_ONLY),
    rule("GET",   AP + "/units/{unit_id}/cycles/{cycle}/distribution",
                                                        D, D, D, A, D, A, D, D),
    rule("GET",   AP + "/cycles/{cycle}/export.csv",    HR_ONLY, params={"cycle": "2025"}),
    rule("GET",   AP + "/cycles/{cycle}/reliability",   HR_ONLY, params={"cycle": "2025"}),
    rule("GET",   AP + "/schemes",                      HR_ONLY),
    rule("GET",   AP + "/schemes/{scheme_id}/versions", HR_ONLY),
    rule("POST",  AP + "/schemes/{scheme_id}/preview",  HR_ONLY, query={"cycle": "2025"},
         json={"version": 2, "name": "Uji otorisasi", "weights": WEIGHTS}),
    rule("PUT",   AP + "/schemes/{scheme_id}",          HR_ONLY,  # version 0 is stale: 409
         json={"version": 0, "name": "Uji otorisasi", "weights": WEIGHTS}),
    rule("DELETE", AP + "/schemes/{scheme_id}",         HR_ONLY,  # the default stays: 409
         query={"version": 1}),
    # --- gateway: identity ---
    rule("POST",  "/api/v1/auth/login",                 PUBLIC, json={}),
    rule("POST",  "/api/v1/auth/refresh",               PUBLIC, json={}),
    rule("GET",   "/api/v1/auth/me",                    ANY_TOKEN),
    rule("POST",  "/api/v1/auth/logout",                ANY_TOKEN, json={"refresh_token": 5}),
    rule("POST",  "/api/v1/auth/password",              ANY_TOKEN, json={}),
    rule("POST",  "/api/v1/auth/accounts",              HR_ONLY, json={}),
    # --- gateway: directory ---
    rule("GET",   "/api/v1/directory/employees",        ANY_TOKEN),
    rule("POST",  "/api/v1/directory/employees",        HR_ONLY, json={}),
    rule("GET",   "/api/v1/directory/employees/{nip}",  ANY_TOKEN),
    rule("PATCH", "/api/v1/directory/employees/{nip}",  HR_ONLY, json={"bogus": 1}),
    rule("GET",   "/api/v1/directory/employees/{nip}/audit", HR_ONLY),
    rule("POST",  "/api/v1/directory/employees/{nip}/deactivate", HR_ONLY,
         params={"nip": "no_such_nip"}),
    rule("POST",  "/api/v1/directory/imports",          HR_ONLY, query={"dry_run": "true"},
         files=lambda ids: {"file": ("uji.csv", "bukan,kepala,yang,dikenal\n")}),
    rule("GET",   "/api/v1/directory/units",            ANY_TOKEN),
    rule("POST",  "/api/v1/directory/units",            HR_ONLY, json={}),
    # --- gateway: personal data ---
    rule("GET",   "/api/v1/me/personal-data",           ANY_TOKEN),
    rule("GET",   "/api/v1/retention",                  HR_ONLY),
    rule("PUT",   "/api/v1/retention",                  HR_ONLY, json={"months": 0}),
    rule("POST",  "/api/v1/retention/purge",            HR_ONLY, json={"dry_run": "maybe"}),
]
# fmt: on

SERVICE_PREFIXES = tuple(f"/api/v1/{s}/" for s in ("targets", "logs", "feedback", "appraisal"))


def by_operation() -> dict[str, Rule]:
    rows: dict[str, Rule] = {}
    for row in TABLE:
        assert row.operation not in rows, f"{row.operation} is in the table twice"
        rows[row.operation] = row
    return rows


def cells() -> list[tuple[Rule, str]]:
    """Every walked (row, caller) pair."""
    return [(row, caller) for row in TABLE for caller in CALLERS if row.outcome(caller) != S]
