import pytest

from kinerja.auth import issue_access_token, verify_access_token
from kinerja.config import ConfigError, Settings
from kinerja.errors import Unauthorized

ENV = {"MONGO_URL": "mongodb://db", "BROKER_URL": "amqp://mq", "JWT_SECRET": "s" * 32}


def settings(**overrides) -> Settings:
    return Settings.from_env("feedback", {**ENV, **overrides})


def test_a_token_names_its_subject_and_roles():
    principal = verify_access_token(settings(), issue_access_token(settings(), "1980", ["hr"]))
    assert principal.subject == "1980"
    assert principal.roles == {"hr"}


@pytest.mark.parametrize(
    ("issuer_env", "verifier_env", "code"),
    [
        ({"JWT_ACCESS_TTL_SECONDS": "-1"}, {}, "token_expired"),
        ({"JWT_SECRET": "t" * 32}, {}, "invalid_token"),
        ({"JWT_AUDIENCE": "elsewhere"}, {}, "invalid_token"),
        ({"JWT_ISSUER": "someone-else"}, {}, "invalid_token"),
    ],
)
def test_tokens_from_elsewhere_or_expired_are_refused(issuer_env, verifier_env, code):
    forged = issue_access_token(settings(**issuer_env), "1980", ["hr"])
    with pytest.raises(Unauthorized) as refused:
        verify_access_token(settings(**verifier_env), forged)
    assert refused.value.code == code


def test_settings_refuse_to_start_without_what_they_need():
    with pytest.raises(ConfigError, match="MONGO_URL"):
        Settings.from_env("feedback", {"BROKER_URL": "x", "JWT_SECRET": "x"})
    with pytest.raises(ConfigError, match="JWT_SECRET"):
        Settings.from_env("feedback", {"MONGO_URL": "x", "BROKER_URL": "x"})
    with pytest.raises(ConfigError, match="EVENT_MAX_ATTEMPTS"):
        Settings.from_env("feedback", {**ENV, "EVENT_MAX_ATTEMPTS": "many"})


def test_each_service_has_its_own_database():
    assert settings().mongo_db == "kinerja_feedback"
    assert Settings.from_env("appraisal", ENV).mongo_db == "kinerja_appraisal"
