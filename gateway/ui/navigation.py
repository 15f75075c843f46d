"""The menu: each role's pages, shown when the user has the role and the page exists."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from kinerja.auth import Principal


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    description: str
    roles: tuple[str, ...]


MENU = (
    NavItem("ui.my_skp", _l("SKP saya"), _l("Sasaran kerja, realisasi dan nilai"), ("employee",)),
    NavItem("ui.my_logs", _l("Log harian"), _l("Catat pekerjaan hari ini"), ("employee",)),
    NavItem("ui.my_ratings", _l("Penilaian 360"), _l("Nilai rekan dan atasan"), ("employee",)),
    NavItem("ui.my_results", _l("Hasil saya"), _l("Nilai akhir, grafik, keberatan"), ("employee",)),
    NavItem("ui.team", _l("Tim saya"), _l("SKP, log dan penilaian tim"), ("supervisor",)),
    NavItem(
        "ui.printouts",
        _l("Cetak formulir"),
        _l("Formulir SKP dan penilaian (PDF)"),
        ("employee", "supervisor", "hr"),
    ),
    NavItem("ui.hr_directory", _l("Direktori"), _l("Impor pegawai dan unit"), ("hr",)),
    NavItem("ui.hr_rounds", _l("Putaran 360"), _l("Siklus, putaran, kelengkapan"), ("hr",)),
    NavItem("ui.hr_schemes", _l("Skema bobot"), _l("Bobot penilai dan pratinjau"), ("hr",)),
    NavItem("ui.hr_calibration", _l("Kalibrasi"), _l("Sebaran nilai per unit"), ("hr",)),
    NavItem(
        "ui.hr_decisions",
        _l("Keputusan penilai"),
        _l("Penyimpangan atasan dari usulan"),
        ("hr",),
    ),
    NavItem(
        "ui.hr_objections",
        _l("Keberatan"),
        _l("Keberatan tanpa atasan pejabat penilai"),
        ("hr",),
    ),
    NavItem("ui.hr_workload", _l("Beban kerja"), _l("Analisis beban kerja (ABK)"), ("hr",)),
    NavItem("ui.hr_retention", _l("Retensi data"), _l("Masa simpan dan penghapusan"), ("hr",)),
    NavItem("ui.ops_health", _l("Kesehatan layanan"), _l("Kesiapan dan metrik"), ("ops", "hr")),
)


def nav_items(user: Principal | None) -> list[dict]:
    if user is None:
        return []
    return [
        {"url": url_for(item.endpoint), "label": item.label, "description": item.description}
        for item in MENU
        if user.has_any(item.roles) and item.endpoint in current_app.view_functions
    ]
