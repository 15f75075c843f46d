"""Access tokens: the gateway issues them, every service verifies them itself."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from flask import Flask, g, request

from kinerja import revocation
from kinerja.config import Settings
from kinerja.errors import Forbidden, Unauthorized

ROLES = ("employee", "supervisor", "hr", "ops")
BEARER = [{"bearerAuth": []}]


@dataclass(frozen=True)
class Principal:
    """Who is calling: the employee's NIP (or `account:<name>` for an HR/ops-only login,
    never a NIP) and their roles; account is the login, what audit trails name."""

    subject: str
    roles: frozenset[str]
    name: str = ""
    account: str = ""
    token_id: str = ""
    expires_at: datetime | None = None
    issued_at: datetime | None = None

    @property
    def actor(self) -> str:
        """How audit trails name the caller: the login they used."""
        return self.account or self.subject

    def has_any(self, roles: Iterable[str]) -> bool:
        return bool(self.roles.intersection(roles))


def _encode(settings: Settings, claims: dict, kind: str, ttl_seconds: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "jti": uuid.uuid4().hex,
        **claims,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        # to the microsecond (JWT allows a fractional NumericDate): a revocation of every
        # token issued before a moment must not catch one issued just after it
        "iat": now.timestamp(),
        "exp": now + timedelta(seconds=ttl_seconds),
        "typ": kind,
    }
    return jwt.encode(claims, settings.jwt_signing_key, algorithm=settings.jwt_algorithm)


def decode_token(settings: Settings, token: str, kind: str) -> dict:
    """The verified claims of a token of the given kind ("access" or "refresh"); 401 else."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_verification_key,
            algorithms=[settings.jwt_algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized(f"{kind} token expired", code="token_expired") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"invalid {kind} token: {exc}", code="invalid_token") from exc
    if claims.get("typ") != kind:
        raise Unauthorized(f"not an {kind} token", code="invalid_token")
    return claims


def issue_access_token(
    settings: Settings,
    subject: str,
    roles: Iterable[str],
    name: str = "",
    ttl_seconds: int | None = None,
    account: str = "",
) -> str:
    claims = {"sub": subject, "roles": sorted(set(roles)), "name": name, "acct": account or subject}
    ttl = ttl_seconds if ttl_seconds is not None else settings.jwt_access_ttl_seconds
    return _encode(settings, claims, "access", ttl)


def issue_refresh_token(settings: Settings, account: str, token_id: str) -> str:
    claims = {"sub": account, "jti": token_id}
    return _encode(settings, claims, "refresh", settings.jwt_refresh_ttl_seconds)


def verify_access_token(settings: Settings, token: str) -> Principal:
    """The caller a signed, unexpired access token names; 401 else. Revocation is not
    checked here: current_principal (and the gateway's own hook) do that."""
    claims = decode_token(settings, token, "access")
    return Principal(
        subject=str(claims["sub"]),
        roles=frozenset(claims.get("roles") or ()),
        name=claims.get("name", ""),
        account=claims.get("acct", ""),
        token_id=claims["jti"],
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        issued_at=datetime.fromtimestamp(claims["iat"], UTC),
    )


def current_principal() -> Principal:
    """The verified caller of this request; 401 when there is none, or when the token was
    revoked (logout, password change, deactivation; kinerja.revocation)."""
    principal = g.get("principal")
    if principal is None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("missing bearer token", code="missing_token")
        principal = verify_access_token(g.kinerja.settings, token.strip())
        revocation.refuse_revoked(principal)
        g.principal = principal
    return principal


def requires(*roles: str) -> Callable:
    """Route decorator: a valid token, and when roles are named, one of them."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            _check_roles(roles)
            return view(*args, **kwargs)

        # Read by install_access_checks (functools.wraps carries it to the outer decorators).
        guarded.required_roles = roles
        # Documented in the OpenAPI output as bearer-protected (flask-smorest reads _apidoc).
        apidoc = dict(getattr(view, "_apidoc", {}))
        manual = dict(apidoc.get("manual_doc", {}))
        manual["security"] = BEARER
        apidoc["manual_doc"] = manual
        guarded._apidoc = apidoc
        return guarded

    return decorate


def _check_roles(roles: tuple[str, ...]) -> None:
    principal = current_principal()
    if roles and not principal.has_any(roles):
        raise Forbidden(f"needs one of the roles: {', '.join(roles)}")


def install_access_checks(app: Flask) -> None:
    """Check the token and the role of a @requires route before its body or query is parsed.

    flask-smorest's @arguments wraps @requires, so it would parse first: a caller without a
    valid token would get a 422 describing the endpoint's fields instead of 401, and a wrong
    role a 422 instead of 403. Installed after every other request hook (the gateway's
    revocation check runs first).
    """

    @app.before_request
    def check_access_first():
        if request.method == "OPTIONS":
            return
        roles = getattr(app.view_functions.get(request.endpoint), "required_roles", None)
        if roles is not None:
            _check_roles(roles)


def ensure_self_or_roles(principal: Principal, owner: str, *roles: str) -> None:
    """Ownership check: the caller is the owner, or holds one of the roles."""
    if principal.subject != owner and not principal.has_any(roles):
        raise Forbidden("not yours to see or change")
