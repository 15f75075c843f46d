"""The revocation rule, pure: which tokens a set of revocations refuses."""

from datetime import UTC, datetime, timedelta

import jwt

from kinerja.auth import issue_access_token, verify_access_token
from kinerja.config import Settings
from kinerja.revocation import Revocations

NIP = "198001012005012002"
T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_a_revoked_token_id_is_refused_and_only_it():
    revoked = Revocations.from_records([{"token_id": "abc", "expires_at": T}])
    assert revoked.revoke("abc", NIP, T)
    assert not revoked.revoke("abd", NIP, T)


def test_a_subjects_tokens_issued_before_the_moment_are_refused_those_after_are_not():
    revoked = Revocations.from_records([{"subject": NIP, "issued_before": T, "expires_at": T}])
    assert revoked.revoke("x", NIP, T - timedelta(milliseconds=1))
    assert not revoked.revoke("x", NIP, T)
    assert not revoked.revoke("x", "account:hr-admin", T - timedelta(hours=1))
    assert revoked.revoke("x", NIP, None)  # no issue time: refused, not waved through


def test_tokens_carry_their_issue_time_finer_than_a_second():
    """A revocation at 08:00:00.6 must not end a token issued at 08:00:00.9 (a login just
    after a password change), which a whole-second iat would put before it."""
    settings = Settings.from_env(
        "test", {"MONGO_URL": "x", "BROKER_URL": "x", "JWT_SECRET": "s" * 40}
    )
    token = issue_access_token(settings, NIP, ["employee"])
    assert isinstance(jwt.decode(token, options={"verify_signature": False})["iat"], float)
    principal = verify_access_token(settings, token)
    assert abs(principal.issued_at - datetime.now(UTC)) < timedelta(seconds=5)
