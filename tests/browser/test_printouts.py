"""Printouts: the employee opens the print page and downloads the SKP form and the appraisal
form as PDF from its links; the finalized year and the provisional one are told apart, and
another employee's forms are refused."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from kinerja360.demo.gateway import EMPLOYEE_INDEX, nip
from tests.browser.conftest import log_in

EMPLOYEE = nip(EMPLOYEE_INDEX)  # Rudi Hartono, demo-employee
COLLEAGUE = nip(EMPLOYEE_INDEX + 1)  # Wulan Sari: same supervisor, not his to print


def _open_and_download(page, link_name: str, filename: str) -> bytes:
    """Click the link: the browser gets the PDF to show inline (Chromium's viewer then holds
    the bytes, so the file is downloaded again from the link's address to read it)."""
    link = page.get_by_role("link", name=link_name)
    with page.expect_response(re.compile(r"\.pdf$")) as waiting:
        link.click()
    shown = waiting.value
    assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"] == f'inline; filename="{filename}"'
    page.go_back()
    download = page.request.get(link.get_attribute("href"))
    assert download.status == 200
    return download.body()


def test_the_employee_downloads_both_forms_from_the_print_page(page):
    log_in(page, "demo-employee")
    page.goto("/print")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cetak formulir")
    mine = page.get_by_role("table", name="Formulir saya")
    expect(mine.get_by_role("row").filter(has_text="2025")).to_contain_text("Final")
    expect(mine.get_by_role("row").filter(has_text="2026")).to_contain_text("Sementara")

    for link, filename in (
        ("Formulir SKP 2025 (PDF)", f"skp-{EMPLOYEE}-2025.pdf"),
        ("Formulir penilaian 2025 (PDF)", f"penilaian-{EMPLOYEE}-2025.pdf"),
    ):
        pdf = _open_and_download(page, link, filename)
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def test_the_pdfs_are_inline_and_another_employees_are_refused(page):
    log_in(page, "demo-employee")
    for form in ("skp", "appraisal"):
        own = page.request.get(f"/print/{form}/{EMPLOYEE}/2026.pdf")
        assert own.status == 200 and own.headers["content-type"] == "application/pdf"
        assert own.headers["content-disposition"].startswith("inline; filename=")

        refused = page.goto(f"/print/{form}/{COLLEAGUE}/2025.pdf")
        assert refused.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("403")
        expect(page.get_by_text(re.compile("tidak berhak mencetak"))).to_be_visible()


def test_the_supervisor_finds_each_direct_reports_forms(page):
    log_in(page, "demo-supervisor")
    page.goto("/print")
    reports = page.get_by_role("table", name="Formulir bawahan langsung")
    link = reports.get_by_role("link", name="Formulir penilaian 2025 Rudi Hartono (PDF)")
    answer = page.request.get(link.get_attribute("href"))
    assert answer.status == 200 and answer.body().startswith(b"%PDF-")
