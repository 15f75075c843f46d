"""The load profile (load/, `make load`) still fits the platform, without running it.

Every endpoint the locustfile calls is routed by the gateway or a service with that
method; every body it writes passes the services' own schemas and log rules (days, minutes,
texts) and the frameworks' scales; every field it reads from an answer is in that answer's
schema; every 409 it accepts as expected is one the services can answer. A change to the
API or the rules that would turn the load run red fails here first. The run itself, against
a demo stack, is `make load`.
"""

from __future__ import annotations

import ast
import random
import re
import uuid
from dataclasses import asdict, fields
from datetime import date, timedelta
from pathlib import Path

import pytest

from gateway.directory.schemas import EmployeeOut, EmployeePage, UnitOut
from gateway.identity.schemas import Me, TokenPair
from kinerja.config import Settings
from kinerja360.demo.gateway import PEOPLE, SUPERVISOR_INDEX, accounts, employees, nip
from kinerja360.demo.targets import activities_for
from load import plan
from services.feedback import domain as feedback_domain
from services.feedback.schemas import AnswerIn, AssignmentOut, DimensionOut, FrameworkOut, RoundOut
from services.logs import domain as logs_domain
from services.logs.schemas import (
    BulkVerifyIn,
    BulkVerifyOut,
    EntryIn,
    EntryOut,
    EntryPatch,
    RejectIn,
    RulesOut,
)
from services.targets.schemas import ActivityOut, SkpOut, VersionOut
from tests.support import bus_env

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "load" / "locustfile.py"
SERVICES = ("targets", "logs", "feedback", "appraisal")


def _calls() -> list[ast.Call]:
    tree = ast.parse(LOCUSTFILE.read_text())
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "call"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


def _shape(path: str) -> str:
    """/api/v1/logs/entries/<string:entry_id>/verify and .../{entry_id}/verify alike."""
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


@pytest.fixture(scope="module")
def routes(mongo_url) -> set[tuple[str, str]]:
    """(method, path through the gateway) of every operation of the gateway and services."""
    from gateway.app import create_app as gateway
    from services.appraisal.app import create_app as appraisal
    from services.feedback.app import create_app as feedback
    from services.logs.app import create_app as logs
    from services.targets.app import create_app as targets

    env = bus_env(mongo_url, "memory://", f"t{uuid.uuid4().hex[:10]}")
    found = set()
    factories = {"gateway": gateway, "targets": targets, "logs": logs}
    factories |= {"feedback": feedback, "appraisal": appraisal}
    for service, create in factories.items():
        app = create(Settings.from_env(service, env))
        prefix = "/api/v1" if service == "gateway" else f"/api/v1/{service}"
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith("/api/v1/") and "<path:" not in rule.rule:
                path = prefix + rule.rule.removeprefix("/api/v1")
                found |= {(m, _shape(path)) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_endpoint_the_profile_calls_is_routed_with_its_method(routes):
    missing = {
        name: (method, path)
        for name, (method, path) in plan.ENDPOINTS.items()
        if (method, _shape(path)) not in routes
    }
    assert not missing
    assert all(name.split(" ", 1)[0] == method for name, (method, _) in plan.ENDPOINTS.items())


def test_the_locustfile_calls_only_the_listed_endpoints_and_all_of_them():
    called = {node.args[0].value for node in _calls()}
    assert called == set(plan.ENDPOINTS)
    assert set(plan.CORE) <= called


def test_every_409_the_profile_accepts_is_one_the_services_answer():
    accepted = set()
    for node in _calls():
        for keyword in node.keywords:
            if keyword.arg == "conflicts":
                accepted |= {
                    e.value for e in ast.walk(keyword.value) if isinstance(e, ast.Constant)
                }
    conflicts_tuple = re.search(r"conflicts = \(([^)]*)\)", LOCUSTFILE.read_text())
    accepted |= set(re.findall(r'"([a-z_]+)"', conflicts_tuple.group(1)))
    sources = "".join(p.read_text() for p in (ROOT / "services").glob("*/domain.py"))
    sources += (ROOT / "kinerja" / "errors.py").read_text()
    assert accepted
    answered = set(re.findall(r'code\s*=\s*"([a-z_]+)"', sources))
    assert accepted - answered == set()
    # a bulk verification's refusal the profile counts as a race, not a failure
    assert "not waiting for verification" in (ROOT / "services/logs/domain.py").read_text()


def test_the_profile_reads_only_fields_the_answers_have():
    reads = {
        TokenPair: {"access_token", "expires_in"},
        Me: {"subject"},
        EmployeeOut: {"nip"},
        EmployeePage: {"items"},
        UnitOut: {"id"},
        SkpOut: {"contract"},
        VersionOut: {"activities"},
        ActivityOut: {"id", "name", "unit"},
        EntryOut: {"id", "date", "status", "minutes", "activity_id", "quantity"},
        BulkVerifyOut: {"refused"},
        RulesOut: {f.name for f in fields(plan.Rules)},
        RoundOut: {"id", "status", "cycle", "deadline", "framework_id"},
        AssignmentOut: {"id", "status", "dimensions"},
        DimensionOut: {"key"},
        FrameworkOut: {"id", "scale_min", "scale_max"},
    }
    missing = {s.__name__: names - set(s().fields) for s, names in reads.items()}
    assert {name: gone for name, gone in missing.items() if gone} == {}


TODAYS = [
    date(2026, 12, 1),  # a Tuesday: the window reaches back over a weekend
    date(2026, 12, 7),  # a Monday
    date(2026, 12, 5),  # a Saturday: no entry for the weekend itself
    date(2027, 1, 4),  # a Monday in January: the window reaches into last year's cycle
]


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_the_entries_it_writes_keep_every_log_rule(today):
    rng = random.Random(7)
    rules = plan.Rules()
    log_rules = logs_domain.LogRules(**asdict(rules))
    assert {f.name for f in fields(plan.Rules)} == {f.name for f in fields(logs_domain.LogRules)}
    activity = activities_for(PEOPLE[8][1])[0]
    days = plan.writable_days(today, rules)
    assert days and all(d.weekday() < 5 and d <= today for d in days)
    previous = plan.entry_body(days[0], activity, 30, rng)["description"]
    minutes_by_day = {d: 1300 for d in days}  # nearly full: what the profile picks must fit
    for day in days:
        slot = plan.choose_slot(minutes_by_day, [day], rules, rng)
        assert slot is not None and slot[0] == day
        body = EntryIn().load(plan.entry_body(day, activity, slot[1], rng))
        entry = logs_domain.Entry(id="e", nip=nip(8), **body)
        context = logs_domain.Context(
            today=today,
            approved_activities=frozenset({activity["id"]}),
            minutes_that_day=minutes_by_day[day],
            previous_description=previous,
        )
        assert logs_domain.broken_rules(entry, context, log_rules) == {}
        edited = EntryPatch(partial=True).load(plan.amended_body(body, activity, rng))
        revised = logs_domain.revise(entry, edited)
        context = logs_domain.Context(today, context.approved_activities, 0, entry.description)
        assert logs_domain.broken_rules(revised, context, log_rules) == {}
        previous = entry.description
    # the weekday before the window is one the service refuses without a reopened day
    older = days[0] - timedelta(days=1)
    while older.weekday() >= 5:
        older -= timedelta(days=1)
    entry = logs_domain.Entry(
        id="e", nip=nip(8), **EntryIn().load(plan.entry_body(older, activity, 30, rng))
    )
    context = logs_domain.Context(today, frozenset({activity["id"]}), 0, None)
    assert "date" in logs_domain.broken_rules(entry, context, log_rules)
    assert plan.choose_slot({d: 1440 for d in days}, days, rules, rng) is None


def test_its_supervisor_bodies_pass_the_schemas():
    for reason in plan.REJECT_REASONS:
        RejectIn().load({"reason": reason})
    BulkVerifyIn().load({"entry_ids": ["a", "b"]})


@pytest.mark.parametrize("framework", feedback_domain.SHIPPED, ids=lambda f: f.id)
@pytest.mark.parametrize("kind", ["structural", "functional"])
def test_its_ratings_fit_the_frameworks(framework, kind):
    rng = random.Random(3)
    dimensions = framework.dimensions_for(kind)
    as_served = [{"key": d.key} for d in dimensions]
    scale = (framework.scale_min, framework.scale_max)
    for _ in range(50):
        full = AnswerIn().load(plan.rating_body(as_served, scale, rng))
        feedback_domain.check_scores(full["scores"], framework, dimensions, complete=True)
        draft = AnswerIn().load(plan.rating_body(as_served, scale, rng, complete=False))
        feedback_domain.check_scores(draft["scores"], framework, dimensions, complete=False)


def test_its_people_are_demo_accounts_and_its_supervisors_have_reports():
    usernames = {a["username"] for a in accounts()}
    assert set(plan.employee_accounts()) | set(plan.supervisor_accounts()) <= usernames
    assert plan.HR_ACCOUNT in usernames
    by_username = {a["username"]: a["nip"] for a in accounts()}
    supervisors = {row["supervisor_nip"] for row in employees()}
    assert {by_username[s] for s in plan.supervisor_accounts()} <= supervisors
    assert by_username[plan.supervisor_accounts()[0]] == nip(SUPERVISOR_INDEX)


def test_it_reads_the_open_round_of_the_latest_cycle():
    rounds = [
        {"id": "a", "cycle": "2026", "status": "open", "deadline": "2026-12-15"},
        {"id": "b", "cycle": "2026", "status": "closed", "deadline": "2026-11-30"},
        {"id": "c", "cycle": "2025", "status": "open", "deadline": "2025-12-01"},
        {"id": "d", "cycle": "2026", "status": "open", "deadline": "2026-12-10"},
    ]
    assert plan.current_round(rounds)["id"] == "d"
    assert plan.current_round([r for r in rounds if r["status"] == "closed"]) is None


def test_its_texts_follow_a_stricter_length_rule():
    rng, today = random.Random(5), date(2026, 12, 1)
    rules = logs_domain.LogRules(min_description_length=200)
    activity = activities_for(PEOPLE[8][1])[1]
    body = EntryIn().load(plan.entry_body(today, activity, 60, rng, 200))
    entry = logs_domain.Entry(id="e", nip=nip(8), **body)
    context = logs_domain.Context(today, frozenset({activity["id"]}), 0, None)
    assert logs_domain.broken_rules(entry, context, rules) == {}
    edited = plan.amended_body(body, activity, rng, 200)
    assert len(edited["description"]) >= 200
