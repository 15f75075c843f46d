"""The logs API's contract."""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, pre_load, validate

MAX_QUANTITY = 1_000_000


def _at_most_max_quantity(quantity: Decimal) -> None:
    # one entry's output, bounded so that sums stay numbers (1e308 twice is Infinity, which
    # JSON cannot carry); a function, not validate.Range, whose Decimal bound the OpenAPI
    # document would show as a string
    if quantity > MAX_QUANTITY:
        raise ValidationError(f"at most {MAX_QUANTITY:,} in one entry")


MONTH = validate.Regexp(r"^20\d\d-(0[1-9]|1[0-2])$", error="a month such as 2026-03")


class EntryIn(Schema):
    date = fields.Date(required=True)
    activity_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = fields.String(required=True, validate=validate.Length(max=4000))
    completes_output = fields.Boolean(
        load_default=False,
        metadata={
            "description": "this entry completes output of the activity (a finished "
            "report, a batch of letters); an ordinary entry is activity only"
        },
    )
    quantity = fields.Decimal(
        load_default=None,
        allow_none=True,
        allow_nan=False,
        validate=_at_most_max_quantity,
        metadata={"description": "the output it completes, above 0; only with completes_output"},
    )
    minutes = fields.Integer(required=True, strict=True)


class EntryPatch(EntryIn):
    completes_output = fields.Boolean()
    quantity = fields.Decimal(allow_none=True, allow_nan=False, validate=_at_most_max_quantity)


class ImportRow(EntryIn):
    nip = fields.String(required=True, validate=validate.Length(equal=18))
    minutes = fields.Integer(required=True)

    @pre_load
    def _blank_is_absent(self, row: dict, **_kwargs) -> dict:
        # a CSV cell left empty (an ordinary entry's quantity) is no value, not ""
        return {k: v for k, v in row.items() if not (k in OPTIONAL_COLUMNS and v == "")}


OPTIONAL_COLUMNS = ("completes_output", "quantity")


class EntryOut(Schema):
    id = fields.String()
    nip = fields.String()
    date = fields.Date()
    activity_id = fields.String()
    description = fields.String()
    completes_output = fields.Boolean()
    quantity = fields.Float(allow_none=True)
    minutes = fields.Integer()
    status = fields.String()
    reason = fields.String()
    verified_by = fields.String(allow_none=True)
    revision = fields.Integer()


class EntryQuery(Schema):
    nip = fields.String()
    month = fields.String(required=True, validate=MONTH)
    status = fields.String(
        validate=validate.OneOf(["pending", "verified", "rejected", "withdrawn"])
    )


class RejectIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class BulkVerifyIn(Schema):
    entry_ids = fields.List(
        fields.String(), required=True, validate=validate.Length(min=1, max=500)
    )


class BulkVerifyOut(Schema):
    verified = fields.List(fields.String())
    refused = fields.Dict(keys=fields.String(), values=fields.String())


class ReopenIn(Schema):
    date = fields.Date(required=True)


class MonthQuery(Schema):
    month = fields.String(required=True, validate=MONTH)


class ActivityRecapOut(Schema):
    activity_id = fields.String()
    name = fields.String()
    unit = fields.String()
    minutes = fields.Integer()
    verified_quantity = fields.Float()
    pending_quantity = fields.Float()
    verified_to_date = fields.Float()
    expected_by_now = fields.Float()


class RecapOut(Schema):
    nip = fields.String()
    month = fields.String()
    minutes = fields.Integer()
    verified_minutes = fields.Integer()
    pending_minutes = fields.Integer()
    activities = fields.List(fields.Nested(ActivityRecapOut))
    missing_days = fields.List(fields.Date())
    repeated_descriptions = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class RulesIn(Schema):
    max_working_days_back = fields.Integer(required=True)
    max_minutes_per_day = fields.Integer(required=True)
    min_description_length = fields.Integer(required=True)


class RulesOut(RulesIn):
    pass


class WorkloadQuery(Schema):
    unit_id = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)


class PersonLoadOut(Schema):
    nip = fields.String()
    name = fields.String()
    verified_minutes = fields.Integer()
    effective_minutes = fields.Float()
    ratio = fields.Float()
    band = fields.String()


class UnitLoadOut(Schema):
    unit_id = fields.String()
    head_count = fields.Integer()
    verified_minutes = fields.Integer()
    effective_minutes_per_person = fields.Float()
    staff_needed = fields.Float()
    shortfall = fields.Float()
    overloaded = fields.Boolean()
    imbalance = fields.Float()
    people = fields.List(fields.Nested(PersonLoadOut))


class ImportFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImportReport(Schema):
    rows = fields.Integer()
    written = fields.Integer()
    rejected = fields.List(fields.Dict())


class WorkloadSettingsIn(Schema):
    effective_hours_per_year = fields.Decimal(
        required=True,
        allow_nan=False,
        metadata={"description": "effective working hours of one employee a year (ABK: 1250)"},
    )
    working_days_per_year = fields.Integer(required=True)


class WorkloadSettingsOut(Schema):
    effective_hours_per_year = fields.Float()
    working_days_per_year = fields.Integer()
