"""The words the UI shows for the services' codes, one translation each, for every page
and printout: a rater group or an SKP's status is called the same on the employee's page,
the supervisor's, the 360 report and the signed document."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from kinerja.anonymity import PEER, SELF, SUBORDINATE, SUPERIOR

OTHERS = "others"  # peers and subordinates pooled, where either alone would be too few
RATER_GROUPS = {
    SUPERIOR: _l("Atasan"),
    PEER: _l("Rekan kerja"),
    SUBORDINATE: _l("Bawahan"),
    OTHERS: _l("Rekan kerja dan bawahan"),
    SELF: _l("Diri sendiri"),
}


def rater_group(code: str) -> str:
    """The group's name as a page shows it; an unknown code as it came."""
    return str(RATER_GROUPS.get(code, code))


def rater_group_in_text(code: str) -> str:
    """The group's name inside a sentence or beside a field ("bobot rekan kerja")."""
    return rater_group(code).lower()


# An SKP's status (services/targets/domain.py; "not_started": no SKP yet, on team lists).
SKP_STATUSES = {
    "not_started": _l("Belum dibuat"),
    "draft": _l("Draf"),
    "submitted": _l("Menunggu persetujuan atasan"),
    "returned": _l("Dikembalikan dengan catatan"),
    "approved": _l("Disetujui"),
    "realization_complete": _l("Disetujui, realisasi lengkap"),
    "superseded": _l("Digantikan"),
}


def skp_status(code: str) -> str:
    """The status's name as a page or printout shows it; an unknown code as it came."""
    return str(SKP_STATUSES.get(code, code))
