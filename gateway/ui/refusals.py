"""A service's refusal as a form shows it, the same way in every area.

The services speak English and name fields their own way: marshmallow nests its errors
(`{"activities": {"0": {"quantity": [...]}}}`), the domains name them flat
(`activities[0].quantity`, `scores.integritas`). Here they become the inputs' names and the
UI's language:

- input names: a row of a list is `rows[0].field` (brackets), a key of a mapping
  `scores.integritas` (a dot); every area's templates name their inputs so;
- `said`: a field's message the services often give, in Indonesian;
- `REFUSALS`: a refusal's code (the API's `error.code`), in Indonesian;
- `refuse`: all of it put on a `Form`, and the page's status.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from gateway.ui.api import ApiError
from kinerja.errors import AppError

if TYPE_CHECKING:  # forms.py imports this module: no import back at run time
    from gateway.ui.forms import Form

# --- a refusal's code ---------------------------------------------------------------------------

# What a refusal means, by the API's code. A code two services use for different things is
# keyed "service/code" (the service that said it decides); every other code means the same
# whichever service says it.
REFUSALS = {
    "validation_failed": _l("Periksa isian yang ditandai."),
    "forbidden": _l("Anda tidak berwenang melakukan tindakan ini."),
    "not_found": _l("Data tidak ditemukan."),
    "unavailable": _l("Layanan sedang tidak tersedia; coba lagi nanti."),
    # a form submitted twice (submissions.py): the first submission is the one applied
    "unstorable_text": _l("Teks berisi karakter yang tidak sah; periksa isian yang ditandai."),
    # feedback: one assignment per pair, nominations by the round's ratees
    "already_assigned": _l("Penilai ini sudah ditugaskan untuk pegawai ini pada putaran ini."),
    "not_a_ratee": _l("Anda tidak dinilai pada putaran ini, jadi tidak dapat mengusulkan rekan."),
    "retired_id": _l(
        "Kode skema ini pernah dipakai skema yang sudah dipensiunkan; pilih kode lain."
    ),
    "already_applied": _l("Formulir ini sudah terkirim; perubahannya sudah tersimpan sekali."),
    "idempotency_key_reused": _l("Formulir ini sudah dipakai untuk kiriman lain; muat ulang."),
    # targets: SKPs
    "not_editable": _l("Bagian ini tidak dapat diubah lagi."),
    "not_submittable": _l("SKP ini tidak dapat diajukan dalam statusnya sekarang."),
    "no_revision": _l("Hanya SKP yang sudah disetujui yang dapat direvisi."),
    "not_approved": _l("SKP belum disetujui atasan."),
    "targets/not_submitted": _l("SKP ini tidak sedang menunggu persetujuan."),
    # logs: daily entries
    "not_withdrawable": _l("Entri yang sudah diverifikasi tidak dapat dihapus."),
    "not_pending": _l("Entri ini tidak lagi menunggu verifikasi."),
    "not_verified": _l("Hanya entri terverifikasi yang dapat dibatalkan verifikasinya."),
    "nothing_pending": _l("Tidak ada realisasi kegiatan ini yang menunggu konfirmasi."),
    # feedback: 360 ratings
    "round_closed": _l("Putaran sudah ditutup; penilaian tidak dapat diubah lagi."),
    "already_submitted": _l("Penilaian ini sudah dikirim; perbarui bila perlu."),
    "declined": _l("Penugasan ini sudah Anda tolak."),
    "not_draftable": _l("Penilaian yang sudah dikirim atau ditolak tidak disimpan sebagai draf."),
    "feedback/not_submitted": _l("Hanya penilaian yang sudah dikirim yang dapat diperbarui."),
    # appraisal: scores and objections
    "finalized": _l("Nilai ini sudah difinalisasi; perubahan hanya melalui keberatan."),
    "recompute_pending": _l("Nilai siklus ini sedang dihitung ulang; coba lagi sebentar lagi."),
    "objection_exists": _l("Keberatan sudah pernah diajukan."),
    "objection_too_late": _l("Batas 14 hari untuk mengajukan keberatan sudah lewat."),
    "no_open_objection": _l("Tidak ada keberatan yang menunggu keputusan."),
    "decision_late": _l("Batas 14 hari untuk memutuskan keberatan sudah lewat."),
    "no_proposal": _l("Belum ada usulan nilai perilaku dari penilaian 360."),
    "proposal_changed": _l(
        "Usulan nilai perilaku berubah sejak keputusan Anda; periksa dan putuskan lagi."
    ),
}


def known_refusal(error: ApiError) -> str | None:
    """The refusal in the UI's language when its code is a known one, else None."""
    known = REFUSALS.get(f"{error.service}/{error.code}") or REFUSALS.get(error.code)
    return str(known) if known is not None else None


def refusal_message(error: ApiError) -> str:
    """What to say of a refusal: the known code's text, else as the service said it."""
    return known_refusal(error) or error.message


def refusal_status(error: ApiError) -> int:
    """A page's answer to a refusal: 422 for what was typed, else the service's own status
    (409 for a conflict, 403, 404, 503...)."""
    return 422 if error.status in (400, 422) else error.status


def as_api_error(error: AppError | ValidationError) -> ApiError:
    """A refusal of the gateway's own commands (run in process, not over HTTP), in the shape
    of a service's refusal."""
    if isinstance(error, ValidationError):
        return ApiError(422, "validation_failed", "", dict(error.messages), service="gateway")
    return ApiError(error.status, error.code, error.message, dict(error.fields), service="gateway")


# --- a field's message --------------------------------------------------------------------------

# What marshmallow says of a value it could not read.
READING_ERRORS = {
    "Missing data for required field.": _l("wajib diisi"),
    "Field may not be null.": _l("wajib diisi"),
    "Not a valid number.": _l("harus berupa angka"),
    "Not a valid integer.": _l("harus berupa bilangan bulat"),
    "Not a valid date.": _l("bukan tanggal yang sah"),
    "Not a valid string.": _l("bukan teks yang sah"),
}
LENGTH = re.compile(r"^Length must be between (\d+) and (\d+)\.$")
# What the services say of a value, for the messages the forms meet most.
SERVICE_SAYS = {
    "lowercase letters, digits and '-'": _l("huruf kecil, angka dan tanda hubung (-)"),
    "repeats another activity's id": _l("kode ini sudah dipakai kegiatan lain"),
    "an SKP has at least one activity": _l("isi paling sedikit satu kegiatan"),
    "the target quantity must be above 0": _l("target kuantitas harus lebih dari 0"),
    "the target time is 1 to 12 months": _l("target waktu 1 sampai 12 bulan"),
    "the target quality is above 0 and at most 100": _l(
        "target kualitas di atas 0, paling tinggi 100"
    ),
    "the cost cannot be negative": _l("biaya tidak boleh negatif"),
    "cannot be negative": _l("tidak boleh negatif"),
    "realized quality is assessed by the supervisor": _l("kualitas dinilai oleh atasan"),
    "this activity's quantity comes from its verified daily logs": _l(
        "kuantitas kegiatan ini dihitung dari log harian yang terverifikasi"
    ),
    "this activity has no cost target": _l("kegiatan ini tidak punya target biaya"),
    "realized time must be above 0 months": _l("waktu terpakai harus lebih dari 0 bulan"),
    "realized cost must be above 0": _l("biaya terpakai harus lebih dari 0"),
    "cannot be negative (0: not carried out)": _l(
        "tidak boleh negatif (0: kegiatan tidak dilaksanakan)"
    ),
    "the reason is the supervisor's, given when confirming": _l(
        "alasan diberikan atasan saat mengonfirmasi"
    ),
    "required when rejecting": _l("wajib diisi bila menolak"),
    "too short": _l("terlalu singkat; uraikan paling sedikit 20 karakter"),
    "required, e.g. a conflict of interest": _l("wajib diisi, mis. ada konflik kepentingan"),
    # the kit's field types (kinerja.fields)
    "a whole number": _l("harus berupa bilangan bulat"),
}
# Messages with numbers or names in them: each group fills %(0)s, %(1)s... in order.
SERVICE_PATTERNS = (
    (re.compile(r"^between (\S+) and (\S+)$"), _l("antara %(0)s dan %(1)s")),
    (re.compile(r"^missing: (.+)$"), _l("belum dinilai: %(0)s")),
    # the kit's field types (kinerja/fields.py)
    (re.compile(r"^at most (\d+) decimal places$"), _l("paling banyak %(0)s angka desimal")),
    (re.compile(r"^at most (\d+) significant digits$"), _l("paling banyak %(0)s angka bermakna")),
    (
        re.compile(r"^no_duplicate_entry: "),
        _l("pekerjaan yang sama sudah dicatat hari itu; ubah entri tersebut"),
    ),
    (re.compile(r"^no_future_dates: "), _l("tanggal yang akan datang belum dapat dicatat")),
    (
        re.compile(r"^max_working_days_back: more than (\d+) working days ago"),
        _l("lebih dari %(0)s hari kerja yang lalu; minta atasan membuka kembali hari itu"),
    ),
    (
        re.compile(r"^approved_activity_only: .* for (\d+)$"),
        _l("bukan kegiatan SKP %(0)s Anda yang sudah disetujui"),
    ),
    (re.compile(r"^minutes_per_entry: (\d+) to (\d+)$"), _l("%(0)s sampai %(1)s menit")),
    (
        re.compile(r"^max_minutes_per_day: (\d+) minutes .* at most (\d+) in total$"),
        _l("sudah %(0)s menit tercatat pada hari itu; paling banyak %(1)s menit sehari"),
    ),
    (
        re.compile(r"^min_description_length: .* at least (\d+) characters$"),
        _l("uraikan pekerjaan paling sedikit %(0)s karakter"),
    ),
    (
        re.compile(r"^no_copied_description: "),
        _l("sama dengan uraian entri sebelumnya; tuliskan apa yang dikerjakan kali ini"),
    ),
    (re.compile(r"^quantity_not_negative: "), _l("0 atau lebih")),
    (re.compile(r"^on_scale: "), _l("nilai 0 sampai 100")),
    (
        re.compile(r"^departure_needs_reason: "),
        _l(
            "nilai Anda menyimpang dari usulan melebihi ketidakpastiannya (1,96 × galat baku); "
            "tuliskan alasan paling sedikit 20 karakter"
        ),
    ),
    (
        re.compile(r"^required: score every aspect"),
        _l("wajib diisi: nilai setiap aspek usulan"),
    ),
    (
        re.compile(r"^output_quantity_required: "),
        _l("isi jumlah output yang diselesaikan entri ini (lebih dari 0)"),
    ),
    (
        re.compile(r"^output_only_when_completed: "),
        _l('log biasa adalah kegiatan tanpa jumlah output; centang "menyelesaikan output"'),
    ),
    (
        re.compile(r"^quantity_above_bound: (\S+) is more than (\S+) times the target \((\S+) "),
        _l("%(0)s melebihi %(1)s kali target (%(2)s): atasan wajib menuliskan alasannya"),
    ),
)


def said(message: str) -> str:
    """A field's error in the UI's language when it is a known one, else as the API said."""
    known = READING_ERRORS.get(message) or SERVICE_SAYS.get(message)
    if known:
        return str(known)
    length = LENGTH.match(message)
    if length:
        return _("panjangnya %(min)s–%(max)s karakter", min=length.group(1), max=length.group(2))
    for pattern, text in SERVICE_PATTERNS:
        found = pattern.match(message)
        if found:
            return str(text) % {str(n): value for n, value in enumerate(found.groups())}
    return message


# --- a field's name -----------------------------------------------------------------------------

# A row's index written with a dot ("dimensions.0.key", "unit_ids.2"): written in brackets.
DOTTED_INDEX = re.compile(r"\.(\d+)(?=\.|$)")


def input_name(name: str) -> str:
    """A field's name as the inputs are named: a row's index in brackets (`rows[0].field`)."""
    return DOTTED_INDEX.sub(r"[\1]", name)


def flat_fields(fields: Mapping, prefix: str = "") -> dict[str, list[str]]:
    """The API's field errors under the inputs' names, each message as `said` says it.

    Marshmallow nests them (`{"activities": {"0": {"quantity": [...]}}}`, a dictionary's
    entry as `{"scores": {"adaptif": {"value": [...]}}}`), the domains name them flat
    (`activities[0].quantity`, `scores.integritas`); both become `activities[0].quantity`
    and `scores.adaptif`."""
    flat: dict[str, list[str]] = {}
    for key, value in fields.items():
        key = str(key)
        if key == "value" and prefix:  # a dictionary's value: the entry itself
            path = prefix
        elif key.isdigit() and prefix:
            path = f"{prefix}[{key}]"
        else:
            path = input_name(f"{prefix}.{key}" if prefix else key)
        if isinstance(value, Mapping):
            for name, messages in flat_fields(value, path).items():
                flat.setdefault(name, []).extend(messages)
        else:
            messages = value if isinstance(value, list | tuple) else [value]
            flat.setdefault(path, []).extend(said(str(m)) for m in messages)
    return flat


# --- on the form --------------------------------------------------------------------------------


def refuse(
    form: Form,
    error: ApiError,
    *,
    shown: Iterable[str] | None = None,
    rename: Callable[[str], str] | None = None,
) -> int:
    """Put a refusal on the form and return the page's status (`refusal_status`).

    The errors go beside the inputs (`rename` maps a field's name to its input's when they
    differ, e.g. the k-th row sent is the page's row n); the values typed stay. Above the
    form: with `shown` (the inputs on the page), the errors about no input there, so none is
    lost; else a known code's text in place of the service's English; else, when the errors
    are beside the inputs, nothing (the summary says to check the marked fields)."""
    form.refused(error, rename)
    on_page = None if shown is None else set(shown)
    stray = [
        f"{name}: {'; '.join(messages)}"
        for name, messages in form.errors.items()
        if on_page is not None and name not in on_page
    ]
    known = known_refusal(error)
    if stray:
        form.message = "; ".join(stray)
    elif known is not None:
        form.message = known
    elif form.errors:
        form.message = ""
    return refusal_status(error)
