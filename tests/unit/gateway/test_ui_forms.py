"""The UI's forms and a service's refusal on them (gateway/ui/forms.py, refusals.py): one way
for every area to name the fields, say the messages and choose the page's status."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from gateway.ui.api import ApiError
from gateway.ui.forms import Form
from gateway.ui.refusals import (
    REFUSALS,
    as_api_error,
    flat_fields,
    refusal_message,
    refuse,
    said,
)
from kinerja.errors import Conflict, ValidationFailed


def refusal(status: int = 422, code: str = "validation_failed", fields=None, **extra) -> ApiError:
    return ApiError(status, code, "the service's own words", fields or {}, **extra)


# --- field names -------------------------------------------------------------------------------


def test_nested_marshmallow_errors_become_the_inputs_names():
    fields = {
        "activities": {"0": {"quantity": ["Missing data for required field."]}},
        "scores": {"adaptif": {"value": ["Not a valid number."]}},
        "weights": {"peer": ["Must be greater than or equal to 0 and less than or equal to 1."]},
    }
    assert flat_fields(fields) == {
        "activities[0].quantity": ["wajib diisi"],
        "scores.adaptif": ["harus berupa angka"],
        "weights.peer": ["Must be greater than or equal to 0 and less than or equal to 1."],
    }


def test_flat_domain_names_keep_their_name_and_a_dotted_row_gets_brackets():
    fields = {
        "activities[1].months": ["the target time is 1 to 12 months"],
        "dimensions.2.key": ["already used"],
        "unit_ids.0": ["unknown unit"],
        "scores.integritas": ["missing: integritas"],
        "minutes": "minutes_per_entry: 15 to 480",  # one message, not in a list
    }
    assert flat_fields(fields) == {
        "activities[1].months": ["target waktu 1 sampai 12 bulan"],
        "dimensions[2].key": ["already used"],
        "unit_ids[0]": ["unknown unit"],
        "scores.integritas": ["belum dinilai: integritas"],
        "minutes": ["15 sampai 480 menit"],
    }


def test_the_same_input_named_twice_keeps_every_message():
    fields = {"activities[0].id": ["repeats another activity's id"]}
    fields["activities"] = {"0": {"id": ["lowercase letters, digits and '-'"]}}
    assert flat_fields(fields) == {
        "activities[0].id": [
            "kode ini sudah dipakai kegiatan lain",
            "huruf kecil, angka dan tanda hubung (-)",
        ]
    }


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [
        ("Field may not be null.", "wajib diisi"),
        ("Length must be between 20 and 2000.", "panjangnya 20–2000 karakter"),
        ("between 1 and 366", "antara 1 dan 366"),
        (
            "max_working_days_back: more than 5 working days ago",
            "lebih dari 5 hari kerja yang lalu; minta atasan membuka kembali hari itu",
        ),
        ("something no table knows", "something no table knows"),
    ],
)
def test_known_field_messages_are_said_in_indonesian(english, indonesian):
    assert said(english) == indonesian


# --- Form --------------------------------------------------------------------------------------


def test_refused_flattens_nested_errors_instead_of_listing_their_keys():
    form = Form().refused(
        refusal(fields={"dimensions": {"0": {"key": ["Missing data for required field."]}}})
    )
    assert form.errors == {"dimensions[0].key": ["wajib diisi"]}
    assert form.message == "the service's own words"


def test_a_posted_form_keeps_every_value_of_a_checkbox_group():
    posted = MultiDict(
        [
            ("csrf_token", "secret"),
            ("name", "Skema A"),
            ("unit_ids", "umpeg"),
            ("unit_ids", "keuangan"),
            ("position_kinds", "structural"),
        ]
    )
    form = Form.posted(posted)
    assert "csrf_token" not in form.values
    assert form.value("name") == "Skema A"
    assert form.values_of("unit_ids") == ["umpeg", "keuangan"]
    assert form.values_of("position_kinds") == ["structural"]  # one ticked: still a list
    assert form.values_of("nothing_ticked") == []
    assert Form.posted({"name": "plain", "csrf_token": "x"}).values == {"name": "plain"}


def test_decimals_are_the_number_inputs_filled_in_with_a_comma_read_as_a_point():
    form = Form.posted(
        {
            "rapat.quality": " 87,5 ",
            "rapat.quantity": "",
            "rapat.months": "11",
            "rapat.cost": "banyak",
            "notulen.quality": "90",
        }
    )
    typed = form.decimals("rapat.", ("quality", "quantity", "months", "cost", "reason"))
    # empty and absent inputs are left out; what is no number goes as typed, for the API
    assert typed == {"quality": "87.5", "months": "11", "cost": "banyak"}
    assert form.decimals("arsip.", ("quality",)) == {}


# --- refuse ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "page_status"), [(400, 422), (422, 422), (403, 403), (404, 404), (409, 409)]
)
def test_the_page_answers_422_for_what_was_typed_else_the_services_status(status, page_status):
    assert refuse(Form(), refusal(status, "whatever")) == page_status


def test_errors_go_beside_the_inputs_and_the_summary_says_to_check_them():
    form = Form(values={"reason": "Tidak adil"})
    refuse(form, refusal(fields={"reason": ["too short"]}, code="objection_rules"))
    assert form.errors == {"reason": ["terlalu singkat; uraikan paling sedikit 20 karakter"]}
    assert form.message == ""  # the macro's "Periksa isian yang ditandai."
    assert form.value("reason") == "Tidak adil"


def test_a_known_code_replaces_the_services_english():
    form = Form()
    assert refuse(form, refusal(409, "decision_late")) == 409
    assert form.message == str(REFUSALS["decision_late"])
    form = Form()
    refuse(form, refusal(409, "skp_exists"))
    assert form.message == "the service's own words"  # unknown: as the service said it


def test_a_code_two_services_use_is_said_as_the_service_that_refused_means_it():
    targets = refusal(409, "not_submitted", service="targets")
    feedback = refusal(409, "not_submitted", service="feedback")
    assert refusal_message(targets) == "SKP ini tidak sedang menunggu persetujuan."
    assert refusal_message(feedback) == "Hanya penilaian yang sudah dikirim yang dapat diperbarui."


def test_with_shown_the_errors_about_no_input_on_the_page_are_said_above_it():
    form = Form()
    error = refusal(fields={"weights": {"peer": ["too big"]}, "version": ["the current is 4"]})
    assert refuse(form, error, shown=["name", "weights.peer"]) == 422
    assert form.error("weights.peer") == "too big"
    assert form.message == "version: the current is 4"  # not lost
    form = Form()
    refuse(form, error, shown=["weights.peer", "version"])
    assert form.message == str(REFUSALS["validation_failed"])


def test_rename_moves_an_error_to_the_input_it_belongs_to():
    sent_rows = [0, 2]  # the API's activities[1] is the page's third row

    def on_page(name: str) -> str:
        return name.replace("activities[1]", f"activities[{sent_rows[1]}]")

    form = Form()
    error = refusal(
        fields={"activities": {"1": {"quantity": ["Missing data for required field."]}}}
    )
    refuse(form, error, rename=on_page)
    assert form.errors == {"activities[2].quantity": ["wajib diisi"]}


def test_the_gateways_own_refusals_take_the_same_shape():
    invalid = as_api_error(ValidationError({"username": ["Missing data for required field."]}))
    assert (invalid.status, invalid.code, invalid.service) == (422, "validation_failed", "gateway")
    form = Form()
    assert refuse(form, invalid) == 422
    assert form.errors == {"username": ["wajib diisi"]}
    taken = as_api_error(Conflict("an employee with this NIP exists", {"nip": ["already in"]}))
    assert (taken.status, taken.code, taken.fields) == (409, "conflict", {"nip": ["already in"]})
    wrong = as_api_error(ValidationFailed("bad header", {"file": ["columns found: []"]}))
    assert refuse(Form(), wrong) == 422
