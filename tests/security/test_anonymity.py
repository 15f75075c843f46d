"""Anonymity (issue 10): as a ratee, as their supervisor and as a peer, try to learn one
peer's or subordinate's answer: below the threshold, through comments, by differencing two
reads, through exports and through error messages. Every attempt must fail.

The promise (DESIGN.md, Security; SCORING.md, Anonymity in results): peer and subordinate
answers are never shown one by one to the ratee or their supervisor; a group's aggregate
is shown only with at least the anonymity threshold of answers (3, HR may raise it), and
never so that one answer can be derived by difference. The superior's own rating is one
known person by design, and so is the self rating.

Each scenario builds its own data in the shared demo stack: a unit of its own (a head and
ten staff, with logins), and rounds in cycles nobody else uses, answered through the API by
the raters themselves. Reads go through the gateway as the attacker would: the feedback
results, the appraisal score with its breakdown, the employee report (the radar chart's
numbers), the supervisor's list, the unit distribution, HR's CSV export, the web pages and
the printed form.
"""

from __future__ import annotations

import csv
import difflib
import io
import random
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import requests

from services.appraisal import domain, reports
from tests.security.conftest import DEMO_PASSWORD

PP46 = ("orientasi_pelayanan", "integritas", "komitmen", "disiplin", "kerja_sama")
STAFF = 10
WAIT_SECONDS = 120  # answers reach the appraisal service through events and its worker
# Fields that say when a score was computed, not what it is made of.
VOLATILE = ("computed_at", "pending")


# --- calling the platform as one person --------------------------------------------------------


class Api:
    """The JSON API through the gateway as one login; a new token when the old one expires."""

    def __init__(self, base: str, username: str):
        self.base, self.username = base, username
        self._headers: dict | None = None

    def _login(self) -> dict:
        for _attempt in range(20):
            answer = requests.post(
                f"{self.base}/api/v1/auth/login",
                json={"username": self.username, "password": DEMO_PASSWORD},
                timeout=30,
            )
            if answer.status_code != 429:  # other suites share the login limit
                break
            time.sleep(float(answer.headers.get("Retry-After", "3")))
        assert answer.status_code == 200, (self.username, answer.text)
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        for attempt in range(2):
            if self._headers is None:
                self._headers = self._login()
            answer = requests.request(
                method, f"{self.base}/api/v1/{path}", headers=self._headers, timeout=30, **kwargs
            )
            if answer.status_code != 401 or attempt:
                return answer
            self._headers = None  # expired: log in again once
        return answer

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.call("PUT", path, **kwargs)


class Browser:
    """The web UI as one login (a session cookie, like a browser without JavaScript)."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.session = requests.Session()
        page = self.session.get(f"{base}/login", timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        answer = self.session.post(
            f"{base}/login",
            data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code in (302, 303), (username, answer.status_code)

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.base}{path}", timeout=60)


# --- the scenario's own unit, people and rounds ----------------------------------------------


@dataclass
class Round:
    id: str
    cycle: str
    assignments: dict[tuple[str, str], str] = field(default_factory=dict)  # (rater, ratee) → id


@dataclass
class Lab:
    """A unit of our own in the shared demo stack: a head, ten staff, HR, and rounds."""

    base: str
    token: str
    unit: str
    head: str
    staff: list[str]
    names: dict[str, str]
    hr: Api
    _apis: dict[str, Api] = field(default_factory=dict)
    _browsers: dict[str, Browser] = field(default_factory=dict)
    _rounds: int = 0
    _cycles: list[str] = field(default_factory=list)

    def api(self, who: str) -> Api:
        if who not in self._apis:
            self._apis[who] = self.hr if who == "demo-hr" else Api(self.base, who)
        return self._apis[who]

    def browser(self, who: str) -> Browser:
        if who not in self._browsers:
            self._browsers[who] = Browser(self.base, who)
        return self._browsers[who]

    def cycle(self) -> str:
        """A cycle no one else uses: each scenario's scores are its own."""
        return self._cycles.pop()

    def open_round(self, cycle: str) -> Round:
        """A PP 46/2011 round for our unit without generated peers: each test adds its own."""
        self._rounds += 1
        round_ = Round(f"anon-{self.token}-{self._rounds}", cycle)
        answer = self.hr.post(
            "feedback/rounds",
            json={
                "id": round_.id,
                "cycle": cycle,
                "framework_id": "pp46",
                "deadline": (date.today() + timedelta(days=30)).isoformat(),
                "peers_per_ratee": 0,
                "unit_id": self.unit,
            },
        )
        assert answer.status_code == 201, answer.text
        listed = self.hr.get(f"feedback/rounds/{round_.id}/assignments").json()
        round_.assignments = {(a["rater"], a["ratee"]): a["id"] for a in listed}
        superiors = [a for a in listed if a["group"] == "superior"]
        assert len(superiors) == STAFF, "the feedback service's directory copy is not complete"
        return round_

    def add_peer(self, round_: Round, rater: str, ratee: str) -> str:
        answer = self.hr.post(
            f"feedback/rounds/{round_.id}/assignments",
            json={"rater": rater, "ratee": ratee, "group": "peer"},
        )
        assert answer.status_code == 201, answer.text
        round_.assignments[(rater, ratee)] = answer.json()["id"]
        return answer.json()["id"]

    def answer(
        self, round_: Round, rater: str, ratee: str, scores, comment: str = "", action="submit"
    ) -> requests.Response:
        """A rater submits (or revises) their answer: one number for every aspect, or a dict."""
        per_aspect = scores if isinstance(scores, dict) else dict.fromkeys(PP46, scores)
        path = f"feedback/rounds/{round_.id}/assignments/{round_.assignments[(rater, ratee)]}"
        method, suffix = ("PUT", "response") if action == "revise" else ("POST", "submit")
        return self.api(rater).call(
            method, f"{path}/{suffix}", json={"scores": per_aspect, "comment": comment}
        )

    def submit(self, round_: Round, rater: str, ratee: str, scores, comment: str = "") -> None:
        answer = self.answer(round_, rater, ratee, scores, comment)
        assert answer.status_code == 200, answer.text

    def close(self, round_: Round) -> None:
        answer = self.hr.post(f"feedback/rounds/{round_.id}/close")
        assert answer.status_code == 200, answer.text

    # --- waiting for the appraisal service ---------------------------------------------------

    def received(self, round_: Round, ratee: str) -> dict:
        """What the appraisal service holds for a ratee in a round (HR's raw view)."""
        return self.hr.get(f"appraisal/rounds/{round_.id}/ratees/{ratee}/ratings").json()

    def settle(self, cycle: str, ratee: str, until: Callable[[], bool], what: str) -> None:
        """Until the appraisal service has the change and has recomputed the cycle."""
        wait(until, what)
        wait(lambda: not self.score_as_hr(cycle, ratee).get("pending", True), "the recompute")

    def settle_answers(self, round_: Round, ratee: str, count: int) -> None:
        self.settle(
            round_.cycle,
            ratee,
            lambda: self.received(round_, ratee).get("responses") == count,
            f"{count} answers for {ratee} in {round_.id}",
        )

    def settle_published(self, cycle: str, ratee: str) -> None:
        """Until every round of the cycle has closed in the appraisal service's eyes."""
        self.settle(
            cycle,
            ratee,
            lambda: (
                self.hr.get(f"appraisal/cycles/{cycle}/scores/{ratee}/report").status_code == 200
            ),
            f"the results of {cycle} published",
        )

    def settle_unpublished(self, cycle: str, ratee: str) -> None:
        wait(
            lambda: (
                self.hr.get(f"appraisal/cycles/{cycle}/scores/{ratee}/report").status_code == 409
            ),
            f"a round of {cycle} open in the appraisal service",
        )

    def score_as_hr(self, cycle: str, ratee: str) -> dict:
        answer = self.hr.get(f"appraisal/cycles/{cycle}/scores/{ratee}")
        return answer.json() if answer.status_code == 200 else {}

    # --- what the ratee and the supervisor can read ------------------------------------------

    def reads(self, round_: Round, ratee: str) -> dict[str, object]:
        """Every read of the ratee's results open to the ratee and to their supervisor."""
        cycle = round_.cycle
        seen: dict[str, object] = {}
        for who, role in ((ratee, "ratee"), (self.head, "supervisor")):
            api = self.api(who)
            seen[f"{role}: score"] = body_of(api.get(f"appraisal/cycles/{cycle}/scores/{ratee}"))
            seen[f"{role}: report"] = body_of(
                api.get(f"appraisal/cycles/{cycle}/scores/{ratee}/report")
            )
            seen[f"{role}: feedback results"] = body_of(
                api.get(f"feedback/rounds/{round_.id}/results/{ratee}")
            )
        team = self.api(self.head).get(f"appraisal/cycles/{cycle}/scores").json()
        seen["supervisor: team list"] = [without(s, VOLATILE) for s in team if s["nip"] == ratee]
        seen["ratee: results page"] = page_text(self.browser(ratee).get(f"/results?cycle={cycle}"))
        seen["supervisor: score page"] = page_text(
            self.browser(self.head).get(f"/team/scores/{cycle}/{ratee}")
        )
        return seen

    def as_anyone(self, seen: dict[str, object], ratee: str, placeholder: str = "RATEE"):
        """The reads with the ratee's NIP and name replaced, to compare two ratees' reads."""
        text = repr(seen).replace(ratee, placeholder).replace(self.names[ratee], placeholder)
        return text


def wait(condition: Callable[[], object], what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def without(body: dict, keys: Iterable[str]) -> dict:
    return {k: v for k, v in body.items() if k not in keys}


def body_of(answer: requests.Response) -> tuple[int, object]:
    body = answer.json()
    return answer.status_code, without(body, VOLATILE) if isinstance(body, dict) else body


def page_text(answer: requests.Response) -> tuple[int, str]:
    """A page without what changes from one request to the next: CSRF tokens, and the note
    that a recompute is running (the worker may be busy with another cycle)."""
    html = re.sub(r'("csrf_token" value=|"X-CSRFToken": )"[^"]*"', r"\1-", answer.text)
    html = re.sub(r'<p class="warn">Masukan baru sedang dihitung[^<]*</p>', "", html)
    html = html.replace("Sedang dihitung ulang.", "")
    html = re.sub(r"chart-[0-9a-f-]{36}", "chart", html)  # pygal's id for each chart drawn
    return answer.status_code, html


def same(before, after, label: str = "") -> None:
    """Equal, or a readable diff of what changed between two reads."""
    if before == after:
        return
    lines = difflib.unified_diff(_lines(before), _lines(after), "before", "after", lineterm="", n=1)
    shown = [line if len(line) < 400 else line[:400] + "…" for line in list(lines)[:80]]
    pytest.fail(f"{label} changed between the two reads:\n" + "\n".join(shown))


def _lines(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {line}" for k, v in value.items() for line in _lines(v)]
    return repr(value).replace("\\n", "\n").replace(">, ", ">,\n").split("\n")


def nip_for(born_year: int, sequence: int) -> str:
    """A well-formed NIP: birth date, appointment 20 years later, sex, sequence."""
    born = f"{born_year}0{random.randint(1, 9)}1{random.randint(0, 9)}"
    return f"{born}{born_year + 20}011{sequence:03d}"


@pytest.fixture(scope="module")
def lab(demo_stack) -> Lab:
    """Our own unit under the demo's agency: a structural head and ten functional staff,
    each with a login, known to every service's copy of the directory."""
    base = demo_stack.url()
    token = secrets.token_hex(3)
    hr = Api(base, "demo-hr")
    unit = f"anon-{token}"
    answer = hr.post(
        "directory/units",
        json={"id": unit, "name": f"Uji Anonimitas {token}", "parent_id": "bappeda-kaltim"},
    )
    assert answer.status_code == 201, answer.text
    first = random.randint(100, 980 - STAFF)
    people = [nip_for(1970 + n, first + n) for n in range(STAFF + 1)]
    head, staff = people[0], people[1:]
    names = {nip: f"Penguji {token.upper()} Nomor {n:02d}" for n, nip in enumerate(people)}
    for nip in people:
        record = {
            "nip": nip,
            "name": names[nip],
            "position": "Kepala Seksi" if nip == head else "Pengadministrasi Umum",
            "unit_id": unit,
            "golongan": "III/d" if nip == head else "II/c",
            "position_kind": "structural" if nip == head else "functional",
            "echelon": "IV.a" if nip == head else None,
            "education": "S-1" if nip == head else "SMA",
            "supervisor_nip": None if nip == head else head,
        }
        created = hr.post("directory/employees", json=record)
        assert created.status_code == 201, created.text
        account = hr.post(
            "auth/accounts", json={"username": f"anon-{nip}", "password": DEMO_PASSWORD, "nip": nip}
        )
        assert account.status_code == 201, account.text
    years = random.sample(range(2040, 2099), 12)
    made = Lab(base, token, unit, head, staff, names, hr, _cycles=[str(y) for y in years])
    # The services learn of new people through events: the head may read a report's
    # results once both services' copies of the directory name him as the supervisor.
    for nip in staff:
        wait(
            lambda nip=nip: (
                made.api(head).get(f"feedback/rounds/none/results/{nip}").status_code == 404
            ),
            f"the feedback service's copy of {nip}",
        )
        wait(
            lambda nip=nip: (
                made.api(head).get(f"appraisal/cycles/2099/scores/{nip}").status_code == 404
            ),
            f"the appraisal service's copy of {nip}",
        )
    return made


def marker() -> str:
    """A comment no one could write by chance."""
    return f"RAHASIA-{secrets.token_hex(6)}"


SUPERIOR = {
    "orientasi_pelayanan": 81,
    "integritas": 77,
    "komitmen": 84,
    "disiplin": 79,
    "kerja_sama": 88,
}
SELF = {
    "orientasi_pelayanan": 90,
    "integritas": 92,
    "komitmen": 89,
    "disiplin": 91,
    "kerja_sama": 93,
}


# --- below the threshold -------------------------------------------------------------------------


def test_two_peer_answers_show_only_their_number_everywhere(lab):
    """Two ratees alike in every way but their two peers' answers (very low for one, very
    high for the other, with comments): everything either can read, and their supervisor,
    is the same, except that there were two peers. So nothing read depends on the answers."""
    cycle = lab.cycle()
    round_ = lab.open_round(cycle)
    low, high = lab.staff[0], lab.staff[1]
    peers = {low: lab.staff[2:4], high: lab.staff[4:6]}
    comments = {}
    for ratee, score in ((low, 12), (high, 98)):
        lab.submit(round_, lab.head, ratee, SUPERIOR)
        lab.submit(round_, ratee, ratee, SELF)
        for peer in peers[ratee]:
            lab.add_peer(round_, peer, ratee)
            comments[peer] = marker()
            lab.submit(round_, peer, ratee, score, comments[peer])
    lab.close(round_)
    for ratee in (low, high):
        lab.settle_answers(round_, ratee, 4)
        lab.settle_published(cycle, ratee)

    seen = {ratee: lab.reads(round_, ratee) for ratee in (low, high)}
    same(lab.as_anyone(seen[low], low), lab.as_anyone(seen[high], high), "low vs high peers")

    for ratee in (low, high):
        reads = seen[ratee]
        for who in ("ratee", "supervisor"):
            status, results = reads[f"{who}: feedback results"]
            assert status == 200, results
            peer_group = next(g for g in results["groups"] if g["group"] == "peer")
            assert peer_group == {
                "group": "peer",
                "responses": 2,
                "shown": False,
                "mean_by_dimension": {},
                "comments": [],
            }
            # "others" pools only what is shown: here the superior alone
            assert results["others_mean_by_dimension"] == pytest.approx(SUPERIOR)
            status, report = reads[f"{who}: report"]
            assert status == 200 and set(report["groups"]) == {"superior"}, report
        supervisor = reads["supervisor: score"][1]["groups"]["peer"]
        assert supervisor["raters"] == 2 and not supervisor["counted"]
        assert supervisor["mean_raw"] is None and supervisor["mean_adjusted"] is None
        assert reads["ratee: score"][1]["groups"] == {}  # the breakdown is the supervisor's
        text = repr(reads)
        for peer, comment in comments.items():
            assert comment not in text, "a peer's comment below the threshold"
            assert peer not in text, "a peer's NIP in what the ratee or supervisor reads"


def test_the_printed_form_is_built_only_from_what_the_reader_may_read(lab):
    """The appraisal form (PDF) of a ratee with two peers: it prints for the ratee and the
    supervisor, from the score and report their own tokens get (printouts.py), and those
    hold no peer figure: the radar has no peer series, the combination note no peer mean."""
    from gateway.ui.views import printouts

    cycle = lab.cycle()
    round_ = lab.open_round(cycle)
    ratee = lab.staff[6]
    lab.submit(round_, lab.head, ratee, SUPERIOR)
    for peer in lab.staff[7:9]:
        lab.add_peer(round_, peer, ratee)
        lab.submit(round_, peer, ratee, 15, marker())
    lab.close(round_)
    lab.settle_answers(round_, ratee, 3)
    lab.settle_published(cycle, ratee)
    for who in (ratee, lab.head):
        pdf = lab.browser(who).get(f"/print/appraisal/{ratee}/{cycle}.pdf")
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
        score = lab.api(who).get(f"appraisal/cycles/{cycle}/scores/{ratee}").json()
        report = lab.api(who).get(f"appraisal/cycles/{cycle}/scores/{ratee}/report").json()
        radar = printouts.radar_data(report)
        assert [str(label) for label in radar.series] == ["Atasan", "Nilai gabungan"]
        for label, means in radar.series.items():
            assert all(value != 15 for value in means.values()), label
        note = printouts.combination_note(score)
        for row in note.groups:
            if row.label == "Rekan kerja":
                assert (row.raters, row.counted, row.mean_raw, row.mean_adjusted) == (
                    2,
                    False,
                    None,
                    None,
                )


# --- comments ---------------------------------------------------------------------------------


def test_comments_show_only_at_the_threshold_unattributed_and_sorted(lab):
    """Three peers comment (in an order unlike their NIPs' and unlike the order they
    answered in): the comments appear as a sorted list with no rater named; a blank one is
    left out; the ratee's and the supervisor's reads are the same."""
    cycle = lab.cycle()
    round_ = lab.open_round(cycle)
    ratee = lab.staff[0]
    raters = sorted(lab.staff[1:4])  # by NIP
    comments = ("Cermat dan tepat waktu", "Aktif membantu", "Bisa lebih teliti")
    texts = dict(zip(raters, comments, strict=True))
    for rater in raters:
        lab.add_peer(round_, rater, ratee)
    blank = lab.staff[4]
    lab.add_peer(round_, blank, ratee)
    for rater in (raters[2], raters[0], raters[1]):  # answered in yet another order
        lab.submit(
            round_, rater, ratee, {**SUPERIOR, "integritas": 70 + len(texts[rater])}, texts[rater]
        )
    lab.submit(round_, blank, ratee, 80, "   ")
    lab.close(round_)
    lab.settle_answers(round_, ratee, 4)

    reads = {}
    for who in (ratee, lab.head):
        answer = lab.api(who).get(f"feedback/rounds/{round_.id}/results/{ratee}")
        assert answer.status_code == 200, answer.text
        reads[who] = answer.json()
        peers = next(g for g in reads[who]["groups"] if g["group"] == "peer")
        assert peers["shown"] and peers["responses"] == 4
        assert peers["comments"] == sorted(texts.values())
        assert peers["comments"] != [texts[r] for r in raters]  # not in the raters' order
        assert set(peers) == {"group", "responses", "shown", "mean_by_dimension", "comments"}
        for rater in (*raters, blank):
            assert rater not in answer.text and lab.names[rater] not in answer.text
    assert reads[ratee] == reads[lab.head]


# --- differencing -------------------------------------------------------------------------------


def test_no_read_changes_while_the_round_is_open_whatever_one_peer_does(lab):
    """The ratee and the supervisor read everything with three peer answers in, then again
    after a fourth answer, after a revision and after a withdrawal: nothing they can read
    changes, so no single answer can be had by subtracting two reads. Once the round closes
    the results appear, all answers at once, and can no longer change."""
    cycle = lab.cycle()
    round_ = lab.open_round(cycle)
    ratee, peers = lab.staff[0], lab.staff[1:5]
    lab.submit(round_, lab.head, ratee, SUPERIOR)
    for peer in peers:
        lab.add_peer(round_, peer, ratee)
    for n, peer in enumerate(peers[:3]):
        lab.submit(round_, peer, ratee, 60 + 10 * n)
    lab.settle_answers(round_, ratee, 4)
    first = lab.reads(round_, ratee)
    assert first["ratee: feedback results"][0] == 409  # results wait for the close

    lab.submit(round_, peers[3], ratee, 99)  # a fourth peer answers
    lab.settle_answers(round_, ratee, 5)
    same(first, lab.reads(round_, ratee), "after a fourth peer answered")

    held = lab.received(round_, ratee)["mean_by_dimension"]
    revised = lab.answer(round_, peers[0], ratee, 35, action="revise")  # one revises
    assert revised.status_code == 200, revised.text
    lab.settle(
        cycle,
        ratee,
        lambda: lab.received(round_, ratee)["mean_by_dimension"] != held,
        "the revision",
    )
    same(first, lab.reads(round_, ratee), "after a peer revised")

    declined = lab.api(peers[1]).post(  # one withdraws: three answers remain
        f"feedback/rounds/{round_.id}/assignments/{round_.assignments[(peers[1], ratee)]}/decline",
        json={"reason": "konflik kepentingan"},
    )
    assert declined.status_code == 200, declined.text
    lab.settle_answers(round_, ratee, 4)
    same(first, lab.reads(round_, ratee), "after a peer withdrew")

    lab.close(round_)
    lab.settle_published(cycle, ratee)
    published = lab.reads(round_, ratee)
    results = published["ratee: feedback results"][1]
    peer_group = next(g for g in results["groups"] if g["group"] == "peer")
    assert peer_group["responses"] == 3 and peer_group["shown"]
    assert published["supervisor: score"][1]["groups"]["peer"]["raters"] == 3

    # closed: no answer can change any more, so later reads equal this one
    path = f"feedback/rounds/{round_.id}/assignments"
    attempts = [
        lab.answer(round_, peers[2], ratee, 10, action="revise"),
        lab.api(peers[3]).post(
            f"{path}/{round_.assignments[(peers[3], ratee)]}/decline", json={"reason": "salah"}
        ),
        lab.hr.call("DELETE", f"{path}/{round_.assignments[(peers[3], ratee)]}"),
        lab.hr.post(path, json={"rater": lab.staff[6], "ratee": ratee, "group": "peer"}),
    ]
    assert [a.status_code for a in attempts] == [409, 409, 409, 409]
    time.sleep(1)
    lab.settle_published(cycle, ratee)
    same(published, lab.reads(round_, ratee), "after the round closed")


def test_a_later_round_cannot_add_one_answer_to_a_published_group(lab):
    """Three peers answer in a closed round and the results are read; HR then runs a second
    round in the same cycle where one more peer answers: what the ratee and the supervisor
    read stays the same (one new answer would be the difference). A third round with three
    new peers does count: their mean is an aggregate of three."""
    cycle = lab.cycle()
    ratee = lab.staff[0]
    first_round = lab.open_round(cycle)
    lab.submit(first_round, lab.head, ratee, SUPERIOR)
    for n, peer in enumerate(lab.staff[1:4]):
        lab.add_peer(first_round, peer, ratee)
        lab.submit(first_round, peer, ratee, 62 + 5 * n)
    lab.close(first_round)
    lab.settle_answers(first_round, ratee, 4)
    lab.settle_published(cycle, ratee)
    before = lab.reads(first_round, ratee)
    assert before["supervisor: score"][1]["groups"]["peer"]["raters"] == 3

    second_round = lab.open_round(cycle)
    lab.settle_unpublished(cycle, ratee)
    lab.add_peer(second_round, lab.staff[4], ratee)
    lab.submit(second_round, lab.staff[4], ratee, 100)
    lab.settle_answers(second_round, ratee, 1)
    lab.close(second_round)
    lab.settle_published(cycle, ratee)
    same(before, lab.reads(first_round, ratee), "after a second round added one peer")
    second = lab.api(ratee).get(f"feedback/rounds/{second_round.id}/results/{ratee}").json()
    assert next(g for g in second["groups"] if g["group"] == "peer")["shown"] is False

    third_round = lab.open_round(cycle)
    lab.settle_unpublished(cycle, ratee)
    for peer in lab.staff[5:8]:
        lab.add_peer(third_round, peer, ratee)
        lab.submit(third_round, peer, ratee, 90)
    lab.settle_answers(third_round, ratee, 3)
    lab.close(third_round)
    lab.settle_published(cycle, ratee)
    after = lab.api(lab.head).get(f"appraisal/cycles/{cycle}/scores/{ratee}").json()
    assert after["groups"]["peer"]["raters"] == 6 and after["groups"]["peer"]["counted"]


def test_the_publication_rule_itself():
    """The rule the appraisal service applies to a cycle's ratings before scoring them."""

    def rating(round_id: str, rater: str, group: str = "peer", ratee: str = "e"):
        return domain.Rating(round_id, rater, ratee, group, {"integritas": 80}, 1)

    closed = {"a", "b", "c"}
    floor = {"peer": 3, "subordinate": 3}
    superior, self_ = rating("open", "boss", "superior"), rating("open", "e", "self")
    open_peer = rating("open", "p9")
    one_round = [rating("a", f"p{n}") for n in range(2)]
    assert domain.publishable([superior, self_, open_peer, *one_round], closed, floor) == [
        superior,
        self_,
        *one_round,  # one round: its group is shown or hidden by its size as it is
    ]
    three, lone = [rating("a", f"p{n}") for n in range(3)], [rating("b", "p7")]
    again = [rating("c", f"q{n}") for n in range(3)]
    assert domain.publishable([*three, *lone, *again], closed, floor) == [*three, *again]
    other_ratee = [rating("b", "p7", ratee="f")]
    assert domain.publishable([*three, *other_ratee], closed, floor) == [*three, *other_ratee]


# --- exports and the unit's figures ---------------------------------------------------------------


def test_exports_and_distribution_name_no_rater_and_hold_no_answer(lab):
    """A peer who gives every ratee the same score is flagged and left out of the scores.
    HR's CSV export, the unit distribution (HR's and the supervisor's), the supervisor's
    score views and pages hold no rater's NIP or name and no group's answers."""
    cycle = lab.cycle()
    round_ = lab.open_round(cycle)
    ratees, lazy, others = lab.staff[:4], lab.staff[4], lab.staff[5:8]
    for n, ratee in enumerate(ratees):
        lab.submit(round_, lab.head, ratee, {d: 70 + n + i for i, d in enumerate(PP46)})
        for rater in (lazy, *others):
            lab.add_peer(round_, rater, ratee)
        lab.submit(round_, lazy, ratee, 73)
        for m, rater in enumerate(others):
            lab.submit(
                round_, rater, ratee, {d: 60 + 7 * m + 2 * i + n for i, d in enumerate(PP46)}
            )
    lab.close(round_)
    for ratee in ratees:
        lab.settle_answers(round_, ratee, 5)
        lab.settle_published(cycle, ratee)
    assert any(
        flag.startswith("straight_liner") for flag in lab.score_as_hr(cycle, ratees[0])["flags"]
    ), "the straight-liner should be flagged"
    raters = [lazy, *others]

    export = lab.hr.get(f"appraisal/cycles/{cycle}/export.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.text)))
    assert tuple(rows[0]) == reports.EXPORT_COLUMNS  # per employee: no group, no answer
    assert sorted(row[0] for row in rows[1:]) == sorted(ratees)
    distribution = f"appraisal/units/{lab.unit}/cycles/{cycle}/distribution"
    bodies = {
        "CSV export": export.text,
        "HR's distribution": lab.hr.get(distribution).text,
        "the supervisor's distribution": lab.api(lab.head).get(distribution).text,
        "the supervisor's team list": lab.api(lab.head)
        .get(f"appraisal/cycles/{cycle}/scores")
        .text,
    }
    for ratee in ratees:
        bodies[f"the supervisor's view of {ratee}"] = (
            lab.api(lab.head).get(f"appraisal/cycles/{cycle}/scores/{ratee}").text
        )
        bodies[f"the supervisor's page of {ratee}"] = (
            lab.browser(lab.head).get(f"/team/scores/{cycle}/{ratee}").text
        )
    for what, body in bodies.items():
        for rater in raters:
            assert rater not in body, f"{what} names rater {rater}"
            assert lab.names[rater] not in body, f"{what} names rater {lab.names[rater]}"
    members = lab.hr.get(distribution).json()["members"]
    assert {m["nip"] for m in members} == set(ratees)
    assert all("straight_liner" in m["flags"] for m in members)  # counted, never named


# --- error messages ------------------------------------------------------------------------------


def _normalized(answer: requests.Response, *ids: str) -> tuple[int, str]:
    text = answer.text
    for n, value in enumerate(ids):
        text = text.replace(value, f"<id{n}>")
    return answer.status_code, text


def test_refusals_are_the_same_whether_or_not_someone_rated(lab):
    """The ratee nominates two peers (so holds their assignments' ids); one answers, one
    does not. The ratee, their supervisor and another peer try each assignment's answer
    endpoints, the nominations again and the decision; a peer who rated and a colleague who
    did not try the ratee's results. Every refusal is the same for "rated" and "did not"."""
    cycle = lab.cycle()
    round_ = lab.open_round(cycle)
    ratee, rated, silent, peer, outsider = lab.staff[:5]
    ids = {}
    for nominee in (rated, silent):
        nominated = lab.api(ratee).post(
            f"feedback/rounds/{round_.id}/nominations", json={"peer": nominee}
        )
        assert nominated.status_code == 201, nominated.text
        ids[nominee] = nominated.json()["id"]
        decided = lab.api(lab.head).post(
            f"feedback/rounds/{round_.id}/nominations/{ids[nominee]}/decision",
            json={"approve": True},
        )
        assert decided.status_code == 200, decided.text
        round_.assignments[(nominee, ratee)] = ids[nominee]
    lab.add_peer(round_, peer, ratee)
    lab.submit(round_, rated, ratee, 55, marker())
    lab.submit(round_, peer, ratee, 65)

    def attempts(who: str, response_id: str) -> list[tuple[int, str]]:
        api, path = lab.api(who), f"feedback/rounds/{round_.id}/assignments/{response_id}"
        body = {"scores": dict.fromkeys(PP46, 1), "comment": "x"}
        return [
            _normalized(answer, response_id)
            for answer in (
                api.put(f"{path}/draft", json=body),
                api.post(f"{path}/submit", json=body),
                api.put(f"{path}/response", json=body),
                api.post(f"{path}/decline", json={"reason": "ingin tahu"}),
            )
        ]

    def probes() -> dict[str, tuple]:
        found = {}
        for who in (ratee, lab.head, peer):
            found[who] = [attempts(who, ids[rated]), attempts(who, ids[silent])]
        found["nominated again"] = [
            _normalized(
                lab.api(ratee).post(
                    f"feedback/rounds/{round_.id}/nominations", json={"peer": nominee}
                )
            )
            for nominee in (rated, silent)
        ]
        found["decided again"] = [
            _normalized(
                lab.api(lab.head).post(
                    f"feedback/rounds/{round_.id}/nominations/{ids[nominee]}/decision",
                    json={"approve": False},
                ),
                ids[nominee],
            )
            for nominee in (rated, silent)
        ]
        return found

    for name, (for_rated, for_silent) in probes().items():
        assert for_rated == for_silent, name
        if name in (ratee, lab.head, peer):
            assert {status for status, _ in for_rated} == {403}, for_rated

    paths = (
        f"feedback/rounds/{round_.id}/results/{ratee}",
        f"appraisal/cycles/{cycle}/scores/{ratee}",
        f"appraisal/cycles/{cycle}/scores/{ratee}/report",
    )
    unknown = nip_for(1999, 999)
    for path in paths:
        as_rater = _normalized(lab.api(rated).get(path))
        assert as_rater[0] == 403
        assert _normalized(lab.api(outsider).get(path)) == as_rater, path
        other = path.replace(ratee, unknown)
        assert _normalized(lab.api(rated).get(other), unknown) == _normalized(
            lab.api(rated).get(path), ratee
        ), "a refusal must not tell whether the ratee exists"

    mine = lab.api(ratee).get(f"feedback/rounds/{round_.id}/my-assignments").json()
    assert {a["rater"] for a in mine} == {ratee}  # never the nominees' answers

    lab.close(round_)
    for name, (for_rated, for_silent) in probes().items():
        assert for_rated == for_silent, f"{name}, after the close"


# --- HR's threshold -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raised_threshold(lab):
    """A weighting scheme for our unit that asks for four peers; HR cannot go below three."""
    scheme = {
        "version": 0,
        "name": f"Uji anonimitas {lab.token}: empat rekan",
        "weights": {"superior": 0.5, "peer": 0.5},
        "min_raters": {"peer": 4},
        "unit_ids": [lab.unit],
    }
    too_low = lab.hr.put(
        f"appraisal/schemes/anon-{lab.token}-low", json={**scheme, "min_raters": {"peer": 2}}
    )
    assert too_low.status_code == 422 and "min_raters.peer" in too_low.json()["error"]["fields"]
    saved = lab.hr.put(f"appraisal/schemes/anon-{lab.token}", json=scheme)
    assert saved.status_code == 200, saved.text
    cycle = lab.cycle()
    round_ = lab.open_round(cycle)
    ratee = lab.staff[9]
    lab.submit(round_, lab.head, ratee, SUPERIOR)
    for peer in lab.staff[:3]:
        lab.add_peer(round_, peer, ratee)
        lab.submit(round_, peer, ratee, 40, marker())
    lab.close(round_)
    lab.settle_answers(round_, ratee, 4)
    lab.settle_published(cycle, ratee)
    wait(
        lambda: lab.score_as_hr(cycle, ratee)["scheme"].startswith(f"anon-{lab.token}@"),
        "the unit's scheme applied",
    )
    lab.settle_published(cycle, ratee)
    yield round_, ratee
    lab.hr.call("DELETE", f"appraisal/schemes/anon-{lab.token}?version=1")  # the unit's only


def test_a_raised_threshold_hides_three_peers_in_the_appraisal(lab, raised_threshold):
    round_, ratee = raised_threshold
    for who in (ratee, lab.head):
        report = lab.api(who).get(f"appraisal/cycles/{round_.cycle}/scores/{ratee}/report")
        assert report.status_code == 200 and set(report.json()["groups"]) == {"superior"}
    peers = lab.api(lab.head).get(f"appraisal/cycles/{round_.cycle}/scores/{ratee}").json()
    peers = peers["groups"]["peer"]
    assert (peers["raters"], peers["counted"], peers["mean_raw"]) == (3, False, None)


def test_a_raised_threshold_hides_three_peers_in_the_feedback_results(lab, raised_threshold):
    """HR's schemes reach the feedback service as events (appraisal.scheme.changed)."""
    round_, ratee = raised_threshold

    def peers_as(who) -> dict:
        results = lab.api(who).get(f"feedback/rounds/{round_.id}/results/{ratee}").json()
        return next(g for g in results["groups"] if g["group"] == "peer")

    wait(lambda: not peers_as(ratee)["shown"], "the unit's floor of four to reach feedback")
    for who in (ratee, lab.head):
        peers = peers_as(who)
        assert peers["responses"] == 3 and peers["mean_by_dimension"] == {}
        assert not peers["shown"] and peers["comments"] == []
