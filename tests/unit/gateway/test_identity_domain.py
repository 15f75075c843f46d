from datetime import UTC, datetime, timedelta

import pytest

from gateway.identity.domain import (
    REFRESH_GRACE,
    Account,
    check_new_account,
    effective_roles,
    hash_password,
    login_limit_key,
    looks_like_nip,
    may_sign_in,
    password_matches,
    refresh_replayable,
)
from kinerja.errors import ValidationFailed


def account(**changes) -> Account:
    return Account(**{"username": "dewi", "password_hash": hash_password("rahasia123"), **changes})


def test_passwords_match_only_their_hash_and_only_for_active_accounts():
    assert password_matches(account(), "rahasia123")
    assert not password_matches(account(), "rahasia124")
    assert not password_matches(account(active=False), "rahasia123")
    assert not password_matches(None, "rahasia123")


def test_roles_follow_the_directory_and_the_grants():
    linked = account(nip="198001012005012002", roles=("hr",))
    assert effective_roles(linked, employee_active=True, has_reports=True) == {
        "employee",
        "supervisor",
        "hr",
    }
    assert effective_roles(linked, employee_active=False, has_reports=True) == {"hr"}
    assert effective_roles(account(roles=("ops",)), True, True) == {"ops"}


@pytest.mark.parametrize(
    ("username", "password", "roles", "field"),
    [
        ("Dewi Lestari", "rahasia123", [], "username"),
        ("dewi", "short", [], "password"),
        ("dewi", "rahasia123", ["supervisor"], "roles"),
    ],
)
def test_new_accounts_are_checked(username, password, roles, field):
    with pytest.raises(ValidationFailed) as refused:
        check_new_account(username, password, roles, None)
    assert field in refused.value.fields


NIP = "198001012005012002"
OTHER_NIP = "196505051990031001"


def test_a_nip_as_username_only_for_the_account_linked_to_it():
    check_new_account(NIP, "rahasia123", [], NIP)
    for linked in (None, OTHER_NIP):
        with pytest.raises(ValidationFailed) as refused:
            check_new_account(NIP, "rahasia123", ["hr"], linked)
        assert "username" in refused.value.fields


def test_an_unlinked_accounts_subject_is_never_a_nip():
    assert account(nip=NIP).subject == NIP
    unlinked = account(username="hr-admin").subject
    assert unlinked == "account:hr-admin"
    assert not looks_like_nip(unlinked)


def test_an_employee_the_directory_deactivated_may_not_sign_in():
    assert may_sign_in(account(nip=NIP), employee_active=True)
    assert not may_sign_in(account(nip=NIP), employee_active=False)
    assert not may_sign_in(account(nip=NIP, roles=("hr",)), employee_active=False)
    assert may_sign_in(account(roles=("hr",)), employee_active=False)
    assert not may_sign_in(account(active=False), employee_active=True)


def test_a_spent_refresh_token_answers_again_only_within_the_grace():
    now = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    live = {"revoked": False}
    traded = {"pair": {"access_token": "a"}, "spent_at": now}
    assert refresh_replayable(live, traded, now + REFRESH_GRACE - timedelta(seconds=1))
    assert not refresh_replayable(live, traded, now + REFRESH_GRACE)
    assert not refresh_replayable({"revoked": True}, traded, now)
    assert not refresh_replayable(live, None, now)


def test_every_alias_of_an_account_counts_against_one_login_limit():
    dewi = account(nip=NIP, email="dewi@example.go.id")
    keys = {login_limit_key("10.0.0.1", typed, dewi) for typed in ("dewi", NIP, "DEWI@x")}
    assert keys == {"10.0.0.1|account:dewi"}
    assert login_limit_key("10.0.0.1", " Nobody ", None) == "10.0.0.1|text:nobody"
    assert login_limit_key("10.0.0.2", "dewi", dewi) != login_limit_key("10.0.0.1", "dewi", dewi)
