"""Ops: log in, see every service's health and the links to metrics; the root page is
Indonesian and switches to English."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def test_the_root_page_is_indonesian_and_asks_to_log_in(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    assert page.locator("html").get_attribute("lang") == "id"
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk ke Kinerja360")
    # the stylesheet and htmx load (an app-wide /static route once shadowed them)
    for asset in ("app.css", "htmx-2.0.11.min.js"):
        assert page.request.get(f"/static/ui/{asset}").ok, asset
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(246, 248, 250)"  # app.css's --bg


def test_a_wrong_password_is_said_in_place_and_the_username_kept(page):
    page.goto("/login")
    page.get_by_label("NIP atau nama pengguna").fill("demo-ops")
    page.get_by_label("Kata sandi").fill("salah-sekali")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert")).to_contain_text("kata sandi salah")
    expect(page.get_by_label("NIP atau nama pengguna")).to_have_value("demo-ops")


def test_ops_sees_the_health_of_every_service(page):
    log_in(page, "demo-ops")
    page.get_by_role("link", name="Kesehatan layanan").first.click()
    expect(page.get_by_role("status")).to_have_text("Semua layanan siap.")
    for service in ("gateway", "targets", "logs", "feedback", "appraisal"):
        row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=service))
        expect(row).to_contain_text("siap")
    expect(page.get_by_role("link", name="/metrics").first).to_be_visible()


def test_the_language_switch_turns_the_ui_english(page):
    log_in(page, "demo-ops")
    page.get_by_role("link", name="EN").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="ID").click()
    assert page.locator("html").get_attribute("lang") == "id"
