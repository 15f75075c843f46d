import pytest

from gateway.identity.domain import (
    Account,
    check_new_account,
    effective_roles,
    hash_password,
    password_matches,
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
