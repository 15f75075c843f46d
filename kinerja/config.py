"""Settings read from the environment, once, at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation


class ConfigError(RuntimeError):
    """The environment does not describe a runnable service."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int | None = None) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {raw!r}")
    return value


def _decimal(env: Mapping[str, str], name: str, default: Decimal, above: Decimal) -> Decimal:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc
    if not value.is_finite() or value <= above:
        raise ConfigError(f"{name} must be a number above {above}, got {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything a service process needs to know about its surroundings."""

    service: str
    mongo_url: str
    broker_url: str
    mongo_db: str
    bus_namespace: str = "kinerja"
    broker_options: dict = field(default_factory=dict)
    quorum_queues: bool = False
    jwt_secret: str = ""
    jwt_public_key: str = ""
    jwt_private_key: str = ""
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "kinerja360"
    jwt_audience: str = "kinerja360"
    jwt_access_ttl_seconds: int = 900
    jwt_refresh_ttl_seconds: int = 7 * 24 * 3600
    max_body_bytes: int = 1_048_576
    event_max_attempts: int = 5
    event_batch_size: int = 32  # events a consumer applies in one transaction, at most
    mongo_timeout_ms: int = 2000
    # every <NAME>_URL the environment sets, by lower-case name (TARGETS_URL: "targets"):
    # where a component finds the others
    urls: dict = field(default_factory=dict)
    log_level: str = "INFO"
    # The web UI's session cookie: its signing key, and Secure (set it behind HTTPS).
    ui_secret_key: str = ""
    secure_cookies: bool = False
    # Reverse proxies in front (an Ingress, a load balancer) whose X-Forwarded-For and
    # -Proto to trust: the login rate limit must count the client, not the proxy.
    trusted_proxies: int = 0
    # A realized quantity above this multiple of its target needs the supervisor's reason.
    realization_bound: Decimal = Decimal(2)

    @property
    def jwt_verification_key(self) -> str:
        return self.jwt_public_key or self.jwt_secret

    @property
    def jwt_signing_key(self) -> str:
        return self.jwt_private_key or self.jwt_secret

    @classmethod
    def from_env(cls, service: str, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        missing = [name for name in ("MONGO_URL", "BROKER_URL") if not env.get(name)]
        if missing:
            raise ConfigError(f"missing environment variables: {', '.join(missing)}")
        if not (env.get("JWT_SECRET") or env.get("JWT_PUBLIC_KEY")):
            raise ConfigError("set JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256)")
        return cls(
            service=service,
            mongo_url=env["MONGO_URL"],
            broker_url=env["BROKER_URL"],
            mongo_db=env.get("MONGO_DB_PREFIX", "kinerja") + "_" + service,
            bus_namespace=env.get("BUS_NAMESPACE", "kinerja"),
            broker_options=_broker_options(env),
            quorum_queues=env.get("BROKER_QUORUM_QUEUES", "") in ("1", "true", "yes"),
            jwt_secret=env.get("JWT_SECRET", ""),
            jwt_public_key=env.get("JWT_PUBLIC_KEY", ""),
            jwt_private_key=env.get("JWT_PRIVATE_KEY", ""),
            jwt_algorithm=env.get("JWT_ALGORITHM", "HS256"),
            jwt_issuer=env.get("JWT_ISSUER", "kinerja360"),
            jwt_audience=env.get("JWT_AUDIENCE", "kinerja360"),
            jwt_access_ttl_seconds=_int(env, "JWT_ACCESS_TTL_SECONDS", 900),
            jwt_refresh_ttl_seconds=_int(env, "JWT_REFRESH_TTL_SECONDS", 7 * 24 * 3600),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", 1_048_576),
            event_max_attempts=_int(env, "EVENT_MAX_ATTEMPTS", 5, minimum=1),
            event_batch_size=_int(env, "EVENT_BATCH_SIZE", 32, minimum=1),
            mongo_timeout_ms=_int(env, "MONGO_TIMEOUT_MS", 2000),
            urls=_urls(env),
            log_level=env.get("LOG_LEVEL", "INFO"),
            ui_secret_key=env.get("UI_SECRET_KEY", ""),
            secure_cookies=env.get("SECURE_COOKIES", "") in ("1", "true", "yes"),
            trusted_proxies=_int(env, "TRUSTED_PROXIES", 0),
            realization_bound=_decimal(
                env, "REALIZATION_BOUND_MULTIPLE", Decimal(2), above=Decimal(0)
            ),
        )


def _broker_options(env: Mapping[str, str]) -> dict:
    """Transport options for kombu; only the filesystem transport needs folders."""
    folder = env.get("BROKER_FOLDER")
    if not env.get("BROKER_URL", "").startswith("filesystem") or not folder:
        return {}
    return {
        "data_folder_in": f"{folder}/queue",
        "data_folder_out": f"{folder}/queue",
        "control_folder": f"{folder}/control",
        "store_processed": False,
        # kombu polls the folder; its default second would dominate event latency
        "polling_interval": 0.1,
    }


def _urls(env: Mapping[str, str]) -> dict:
    return {
        key.removesuffix("_URL").lower(): value.rstrip("/")
        for key, value in env.items()
        if key.endswith("_URL") and value
    }
