"""HTTP routes of identity: login, refresh, logout, me, accounts."""

from __future__ import annotations

from flask import Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from gateway.identity import commands, domain, queries
from gateway.identity.schemas import (
    AccountIn,
    AccountOut,
    LoginIn,
    LogoutIn,
    Me,
    PasswordChangeIn,
    RefreshIn,
    TokenPair,
)
from kinerja.auth import current_principal, requires
from kinerja.web import service_context

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Login and tokens")

# Storage (MongoDB) is configured when the gateway app is built.
limiter = Limiter(key_func=get_remote_address, strategy="moving-window")


def login_attempt_key() -> str:
    """What a login attempt (the API's JSON or the UI's form) counts against: the account
    its identifier names, whichever alias was typed, from the client's address."""
    body = request.get_json(silent=True)
    typed = body.get("username") if isinstance(body, dict) else request.form.get("username")
    identifier = str(typed or "")[:254]
    account = queries.find_account(service_context().db, identifier) if identifier else None
    return domain.login_limit_key(get_remote_address(), identifier, account)


def failed_login(response: Response) -> bool:
    """An attempt that did not log in (a wrong password, a form without one): what the
    limits count. A successful login (the API's 200, the UI's redirect) is no guess, so
    people who log in often from one office's address are never locked out by it."""
    return response.status_code not in (200, 302)


# The API's login and the UI's login form share these counters (shared scopes): guessing
# one account's password is limited per address whichever door and alias is used, and one
# address's guesses across accounts (password spraying) are limited too. The address is in
# the account's key so that nobody can lock a victim out from elsewhere.
limit_guesses_per_account = limiter.shared_limit(
    "10 per minute",
    scope="login-per-account",
    key_func=login_attempt_key,
    methods=["POST"],
    deduct_when=failed_login,
)
limit_guesses_per_address = limiter.shared_limit(
    "60 per minute", scope="login-per-address", methods=["POST"], deduct_when=failed_login
)


@blp.route("/login", methods=["POST"])
@limit_guesses_per_account
@limit_guesses_per_address
@blp.arguments(LoginIn)
@blp.response(200, TokenPair)
def login(credentials: dict):
    """Log in with NIP, account name or email and password."""
    context = service_context()
    return commands.log_in(
        context.db, context.settings, credentials["username"], credentials["password"]
    )


@blp.route("/refresh", methods=["POST"])
@limiter.limit("60 per minute")
@blp.arguments(RefreshIn)
@blp.response(200, TokenPair)
def refresh(payload: dict):
    """Trade a refresh token (once) for a new token pair."""
    context = service_context()
    return commands.refresh(context.uow, context.settings, payload["refresh_token"])


@blp.route("/logout", methods=["POST"])
@blp.arguments(LogoutIn)
@blp.response(204)
@requires()
def logout(payload: dict):
    """End this session: the access token and the given refresh token stop working."""
    context = service_context()
    commands.log_out(context.uow, context.settings, current_principal(), payload["refresh_token"])


@blp.route("/me", methods=["GET"])
@blp.response(200, Me)
@requires()
def me():
    """Who I am: account, roles and my directory record."""
    return commands.profile(service_context().db, current_principal())


@blp.route("/password", methods=["POST"])
@blp.arguments(PasswordChangeIn)
@blp.response(204)
@requires()
def change_password(payload: dict):
    """Change my password; every session of mine ends, this one too."""
    commands.change_password(
        service_context().uow,
        current_principal(),
        payload["current_password"],
        payload["new_password"],
    )


@blp.route("/accounts", methods=["POST"])
@blp.arguments(AccountIn)
@blp.response(201, AccountOut)
@requires("hr")
def create_account(payload: dict):
    """Create a login, linked to an employee by NIP, or an HR/ops account."""
    actor = current_principal().actor
    return service_context().uow(lambda tx: commands.create_account(tx, actor=actor, **payload))
