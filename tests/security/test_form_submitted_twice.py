"""A form submitted more than once applies once (the class: every web form's write is keyed
by the form it came from, gateway/ui/submissions.py), on the demo stack like a browser.

The attack: the log form posted twice with one CSRF token created two entries (the CSRF
token is the session's, the same on every form). Here the same submission is posted 20
times at once, and once more afterwards.
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import requests

from tests.security.test_web_hardening import ui_session
from tests.support import AT_ONCE


def entry_form(browser: requests.Session, url: str) -> dict:
    """The hidden fields and first activity of the log page's entry form."""
    page = browser.get(url, timeout=15).text
    section = page[page.index('id="entry-form"') :]
    html = re.search(r'<form method="post"[^>]*>(.*?)</form>', section, re.S).group(1)
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', html))
    activity = re.search(r'<option value="([^"]+)"', html).group(1)
    return {**hidden, "activity_id": activity}


def test_the_log_form_posted_twenty_times_at_once_creates_one_entry(demo_stack, login):
    browser = ui_session(demo_stack, "demo-employee")
    url = f"{demo_stack.url()}/logs"
    today = date.today()
    description = f"Menyusun notula rapat koordinasi {uuid.uuid4().hex[:8]}"
    posted = {
        **entry_form(browser, url),
        "date": today.isoformat(),
        "description": description,
        "minutes": "30",
        "action": "create",
    }
    assert posted["submission_key"], "the form carries its own key"

    def submit(_=None):
        twin = requests.Session()  # the same browser session (its cookie), its own connection
        twin.cookies.update(browser.cookies)
        return twin.post(url, data=posted, allow_redirects=False, timeout=60)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = list(pool.map(submit, range(AT_ONCE)))
    assert all(answer.status_code < 500 for answer in answers), [a.status_code for a in answers]
    assert any(answer.status_code == 302 for answer in answers)
    submit()  # and once more, later: the first answer again

    entries = requests.get(
        f"{demo_stack.url()}/api/v1/logs/entries",
        params={"month": today.isoformat()[:7]},
        headers=login("demo-employee"),
        timeout=15,
    ).json()
    assert [e["description"] for e in entries].count(description) == 1
