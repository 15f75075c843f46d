"""The logs API's contract: shape and size only. The log rules are HR's to tune, so the
domain checks them and names each one."""

from marshmallow import Schema, fields, pre_load, validate

from kinerja import fields as kit

# One entry's output, bounded so that sums stay numbers (1e308 twice is Infinity, which JSON
# cannot carry); its sign is the domain's rule (quantity_not_negative), by name.
MAX_QUANTITY = 1_000_000
# An output is counted in units (12 letters) or parts of one (0.25 of a report): 2 places.
QUANTITY_PLACES = 2


def output_quantity(**kwargs) -> kit.Decimal:
    """An entry's output: 2 places, at most MAX_QUANTITY in size."""
    return kit.Decimal(places=QUANTITY_PLACES, maximum=MAX_QUANTITY, **kwargs)


# ASCII digits: `\d` would take any script's ("20٢٦-03")
MONTH = validate.Regexp(r"^20[0-9][0-9]-(0[1-9]|1[0-2])$", error="a month such as 2026-03")


class EntryIn(Schema):
    """POST /entries: the caller's entry for one day; minutes is a JSON integer, not "90"."""

    date = kit.Date(required=True)
    activity_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    description = fields.String(required=True, validate=validate.Length(max=4000))
    completes_output = fields.Boolean(
        load_default=False,
        metadata={
            "description": "this entry completes output of the activity (a finished "
            "report, a batch of letters); an ordinary entry is activity only"
        },
    )
    quantity = output_quantity(
        load_default=None,
        allow_none=True,
        metadata={"description": "the output it completes, above 0; only with completes_output"},
    )
    # 1 to the day's limit is LogRules' (minutes_per_entry, max_minutes_per_day), by name
    minutes = kit.Integer(required=True, strict=True)


class EntryPatch(EntryIn):
    """PATCH /entries/<id>, loaded partial: a field left out keeps its stored value;
    completes_output and quantity are redeclared without EntryIn's defaults to say so."""

    completes_output = fields.Boolean()
    quantity = output_quantity(allow_none=True)


class ImportRow(EntryIn):
    """One CSV row of POST /imports. The NIP is the row's: whose rows the caller may
    import is the route's check. CSV cells are text, so minutes is not strict here."""

    nip = kit.Nip(required=True)
    minutes = kit.Integer(required=True)

    @pre_load
    def _blank_is_absent(self, row: dict, **_kwargs) -> dict:
        # a CSV cell left empty (an ordinary entry's quantity) is no value, not ""
        return {k: v for k, v in row.items() if not (k in OPTIONAL_COLUMNS and v == "")}


# the columns an ordinary entry's row leaves empty
OPTIONAL_COLUMNS = ("completes_output", "quantity")


class EntryOut(Schema):
    """An entry as stored; reason and verified_by are the supervisor's."""

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
    """GET /entries: one employee's month, mine when nip is left out."""

    nip = kit.Nip()
    month = fields.String(required=True, validate=MONTH)
    status = fields.String(
        validate=validate.OneOf(["pending", "verified", "rejected", "withdrawn"])
    )


class RejectIn(Schema):
    """Rejecting an entry: the reason is required, the employee reads it."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class BulkVerifyIn(Schema):
    """At most 500 ids: each is verified in its own transaction (commands.verify_many)."""

    entry_ids = fields.List(
        fields.String(), required=True, validate=validate.Length(min=1, max=500)
    )


class BulkVerifyOut(Schema):
    """The ids verified, and each refused id with why; one refusal stops none of the rest."""

    verified = fields.List(fields.String())
    refused = fields.Dict(keys=fields.String(), values=fields.String())


class ReopenIn(Schema):
    """The day a supervisor reopens for late entry, past the days-back rule."""

    date = kit.Date(required=True)


class MonthQuery(Schema):
    """?month=YYYY-MM."""

    month = fields.String(required=True, validate=MONTH)


class ActivityRecapOut(Schema):
    """Output against the target's even pace from January (domain.monthly_recap)."""

    activity_id = fields.String()
    name = fields.String()
    unit = fields.String()
    minutes = fields.Integer()
    verified_quantity = fields.Float()
    pending_quantity = fields.Float()
    verified_to_date = fields.Float()
    expected_by_now = fields.Float()


class RecapOut(Schema):
    """GET /employees/<nip>/recap: a month at a glance, withdrawn entries left out."""

    nip = fields.String()
    month = fields.String()
    minutes = fields.Integer()
    verified_minutes = fields.Integer()
    pending_minutes = fields.Integer()
    activities = fields.List(fields.Nested(ActivityRecapOut))
    missing_days = fields.List(fields.Date())
    repeated_descriptions = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class RulesIn(Schema):
    """All three at once (a PUT replaces them); their bounds are LogRules.check's, these
    fields only refuse what is no whole number (1440.5 is not read as 1440)."""

    max_working_days_back = kit.Integer(required=True)
    max_minutes_per_day = kit.Integer(required=True)
    min_description_length = kit.Integer(required=True)


class RulesOut(RulesIn):
    """The rules in force: the shipped defaults until HR saves any."""

    pass


class WorkloadQuery(Schema):
    """A unit over from..to, both included; `from` is a Python keyword, hence from_."""

    unit_id = fields.String(required=True)
    from_ = kit.Date(required=True, data_key="from")
    to = kit.Date(required=True)


class PersonLoadOut(Schema):
    """A ratio of 1 is a full load; band is under, normal (0.8 to 1.2) or over."""

    nip = fields.String()
    name = fields.String()
    verified_minutes = fields.Integer()
    effective_minutes = fields.Float()
    ratio = fields.Float()
    band = fields.String()


class UnitLoadOut(Schema):
    """ABK: staff needed against head count, unrounded (rounding is for display)."""

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
    """The multipart upload of POST /imports: one CSV file."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ImportReport(Schema):
    """Rows read, rows written, and each rejected row (its line, NIP and fields)."""

    rows = fields.Integer()
    written = fields.Integer()
    rejected = fields.List(fields.Dict())


class WorkloadSettingsIn(Schema):
    """HR's workload basis (PUT replaces it); bounds are WorkloadSettings.check's."""

    # hours to the minute are 2 places (0.25 h); the range is WorkloadSettings.check's,
    # the bound here only keeps the value one the domain can compare
    effective_hours_per_year = kit.Decimal(
        required=True,
        places=2,
        maximum=1_000_000,
        metadata={"description": "effective working hours of one employee a year (ABK: 1250)"},
    )
    working_days_per_year = kit.Integer(required=True)


class WorkloadSettingsOut(Schema):
    """The basis in force: the shipped defaults until HR saves one."""

    effective_hours_per_year = fields.Float()
    working_days_per_year = fields.Integer()
