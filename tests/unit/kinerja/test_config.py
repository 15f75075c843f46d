"""Settings from the environment: a wrong value stops the process with the variable named."""

from __future__ import annotations

import pytest

from kinerja.config import ConfigError, Settings

REQUIRED = {"MONGO_URL": "mongodb://db", "BROKER_URL": "memory://", "JWT_SECRET": "x" * 32}


def test_the_event_batch_size_defaults_to_the_prefetch_and_can_be_turned_off():
    assert Settings.from_env("appraisal", REQUIRED).event_batch_size == 32
    turned_off = Settings.from_env("appraisal", {**REQUIRED, "EVENT_BATCH_SIZE": "1"})
    assert turned_off.event_batch_size == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("EVENT_BATCH_SIZE", "0", "EVENT_BATCH_SIZE must be at least 1, got '0'"),
        ("EVENT_MAX_ATTEMPTS", "-2", "EVENT_MAX_ATTEMPTS must be at least 1, got '-2'"),
        ("EVENT_BATCH_SIZE", "many", "EVENT_BATCH_SIZE must be a whole number, got 'many'"),
    ],
)
def test_a_number_out_of_range_is_refused_naming_the_variable(name, value, message):
    with pytest.raises(ConfigError) as refused:
        Settings.from_env("appraisal", {**REQUIRED, name: value})
    assert str(refused.value) == message


def test_the_realization_bound_defaults_to_twice_the_target_and_must_be_above_zero():
    assert Settings.from_env("targets", REQUIRED).realization_bound == 2
    with pytest.raises(ConfigError, match="REALIZATION_BOUND_MULTIPLE must be a number above 0"):
        Settings.from_env("targets", {**REQUIRED, "REALIZATION_BOUND_MULTIPLE": "0"})
    with pytest.raises(ConfigError, match="REALIZATION_BOUND_MULTIPLE must be a number"):
        Settings.from_env("targets", {**REQUIRED, "REALIZATION_BOUND_MULTIPLE": "twice"})
