"""The NIP (Nomor Induk Pegawai, a civil servant's number): its one rule, pure.

Every schema that takes a NIP (kinerja.fields.Nip) and the directory's own check
(gateway.directory.domain) ask this module, so that they cannot disagree.
"""

from __future__ import annotations

import re
from datetime import date

# ASCII digits only: `\d` and str.isdigit also match Arabic-Indic and other digits, which
# int() reads, so "١٩٨٥..." would pass as a different person's number.
NIP_FORM = re.compile(r"[0-9]{18}")
LENGTH = 18
# the youngest a civil servant is appointed (a CPNS is at least 18; 15 leaves room for old
# records)
MIN_AGE_AT_APPOINTMENT = 15


def nip_problems(nip: object) -> list[str]:
    """Why a NIP is malformed; empty when it is well formed.

    18 ASCII digits: birth date YYYYMMDD, appointment (TMT CPNS) YYYYMM, sex 1 or 2,
    then a 3-digit sequence number.
    """
    if not isinstance(nip, str) or not NIP_FORM.fullmatch(nip):
        return ["a NIP is 18 digits"]
    problems = []
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        problems.append("digits 1-8 must be a birth date (YYYYMMDD)")
        born = None
    appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= appointed_month <= 12:
        problems.append("digits 9-14 must be the appointment month (YYYYMM)")
    elif born and appointed_year < born.year + MIN_AGE_AT_APPOINTMENT:
        problems.append("the appointment (digits 9-12) must come at least 15 years after birth")
    if nip[14] not in "12":
        problems.append("digit 15 is the sex code: 1 or 2")
    return problems
