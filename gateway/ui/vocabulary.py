"""The words the UI shows for the services' codes, one translation each, for every page
and printout: a rater group is called the same on the rating form, the score page, the
360 report and the signed document."""

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
