"""The app factory every service and the gateway build on.

It wires settings, MongoDB, request and correlation ids, JSON logs, metrics,
health endpoints and the one error shape; a service adds its blueprints.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, g, jsonify, request
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from kinerja import idempotency, metrics
from kinerja.auth import current_principal
from kinerja.config import Settings
from kinerja.errors import (
    AppError,
    Conflict,
    NotFound,
    Unavailable,
    UnstorableText,
    ValidationFailed,
)
from kinerja.health import check_broker, check_mongo
from kinerja.logs import bind_ids, clear_ids, configure_logging, get_logger
from kinerja.mongo import UnitOfWork, connect, is_unavailable

log = get_logger(__name__)

REQUEST_ID = "X-Request-ID"
CORRELATION_ID = "X-Correlation-ID"
_UNTRACKED = {"/healthz", "/readyz", "/metrics"}
DOT_SEGMENTS = {".", ".."}
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
UNSTORABLE = "holds an unpaired surrogate (U+D800 to U+DFFF), which cannot be stored"


@dataclass
class ServiceContext:
    """What a request handler may use: settings, the database and its unit of work."""

    settings: Settings
    client: MongoClient
    db: Database
    uow: UnitOfWork


class ErrorDetailSchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", required=True)


class ErrorSchema(Schema):
    """The one error body: {"error": {"code", "message", "fields"}}."""

    error = fields.Nested(ErrorDetailSchema, required=True)


class KinerjaApi(Api):
    """flask-smorest's Api with every HTTP error in the project's one JSON shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        return _http_error_response(error)


def create_service_app(
    settings: Settings,
    title: str,
    blueprints: Iterable[Blueprint],
    ensure_indexes: Callable[[Database], None] | None = None,
    readiness: Callable[[ServiceContext], dict[str, str | None]] | None = None,
    config: Mapping[str, object] | None = None,
) -> Flask:
    configure_logging(settings.service, settings.log_level)
    # no app-wide /static route: it would shadow the UI blueprint's static files
    app = Flask(settings.service, static_folder=None)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE=title,
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    client = connect(settings)
    db = client[settings.mongo_db]
    uow = idempotency.IdempotentUnitOfWork(client, db, settings.service)
    context = ServiceContext(settings, client, db, uow)
    app.extensions["kinerja"] = context
    _ensure_indexes_when_reachable(db, idempotency.ensure_indexes)
    if ensure_indexes:
        _ensure_indexes_when_reachable(db, ensure_indexes)

    api = KinerjaApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)

    _install_request_hooks(app, settings.service, context)
    _install_error_handlers(app)
    _install_operational_routes(app, context, readiness)
    return app


def service_context() -> ServiceContext:
    return g.kinerja


def uploaded_text(files: dict, field: str = "file") -> str:
    """An uploaded file's text (UTF-8, a BOM allowed); a 422 naming the field otherwise."""
    try:
        return files[field].read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the file is not UTF-8 text", {field: [str(exc)]}) from exc


def own_readiness(context: ServiceContext) -> dict[str, str | None]:
    """This process's dependencies: MongoDB and the broker."""
    return {"mongodb": check_mongo(context.client), "broker": check_broker(context.settings)}


def _ensure_indexes_when_reachable(db: Database, ensure_indexes: Callable[[Database], None]):
    # A service must start even while MongoDB is down (readyz says so); indexes follow later.
    try:
        ensure_indexes(db)
    except PyMongoError as exc:
        log.warning("indexes.deferred", error=str(exc))


def _install_request_hooks(app: Flask, service: str, context: ServiceContext) -> None:
    @app.before_request
    def start_request():
        g.kinerja = context
        g.started = time.perf_counter()
        g.request_id = request.headers.get(REQUEST_ID) or uuid.uuid4().hex
        g.correlation_id = request.headers.get(CORRELATION_ID) or g.request_id
        bind_ids(request_id=g.request_id, correlation_id=g.correlation_id)

    # before anything reads the body or the query (idempotency keys hash the body)
    app.before_request(_refuse_malformed_input)
    app.before_request(_refuse_unstorable_text)

    @app.before_request
    def replay_a_retried_write():
        claim = idempotency.request_claim(_caller_or_none())
        if claim is not None:
            answer = idempotency.previous_answer(context.db, claim)
            if answer is not None:
                return answer
            g.idempotency_claim = claim
        return None

    @app.after_request
    def keep_the_answer_of_a_keyed_write(response: Response):
        claim = idempotency.committed_claim()
        if claim is not None and response.status_code < 500:
            idempotency.remember_answer(context.db, claim, response)
        return response

    @app.after_request
    def finish_request(response: Response):
        response.headers[REQUEST_ID] = g.get("request_id", "")
        response.headers[CORRELATION_ID] = g.get("correlation_id", "")
        if request.path not in _UNTRACKED:
            endpoint = request.url_rule.rule if request.url_rule else "unmatched"
            labels = (service, endpoint, request.method, str(response.status_code))
            elapsed = time.perf_counter() - g.get("started", time.perf_counter())
            metrics.HTTP_REQUESTS.labels(*labels).inc()
            metrics.HTTP_LATENCY.labels(*labels).observe(elapsed)
            log.info(
                "http.request",
                method=request.method,
                path=request.path,
                status=response.status_code,
                duration_ms=round(elapsed * 1000, 2),
            )
        return response

    @app.teardown_request
    def forget_ids(_exc):
        clear_ids("request_id", "correlation_id")


def _refuse_malformed_input() -> None:
    """A query that is not UTF-8 or a path with a NUL is a 400 (Werkzeug would replace the
    bytes and go on), a path with a . or .. segment a 404, and a body without Content-Length
    (chunked) over the limit a 413 (Werkzeug would cut it at the limit and go on with the
    part)."""
    try:
        unquote_to_bytes(request.query_string).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AppError("the query string is not UTF-8", {"query": [str(exc)]}) from exc
    if "\x00" in request.path:  # no id holds one; a file name cut short at it is the attack
        raise AppError("the path holds a NUL character", {"path": ["NUL character"]})
    if DOT_SEGMENTS.intersection(request.path.split("/")):
        # "..", "..%2f" or "%2e%2e" (decoded by now): no id is one, and the gateway's
        # forwarded URL would be normalized on its way, out of /api/v1/ (/metrics) or into
        # another resource
        raise NotFound("a path may not hold . or .. segments")
    environ = request.environ
    limit = request.max_content_length
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    # only a server that ends the stream itself (gunicorn, werkzeug) may be read to its end
    if chunked and limit is not None and environ.get("wsgi.input_terminated"):
        body = environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            raise RequestEntityTooLarge()
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))


def _refuse_unstorable_text() -> None:
    """Any unpaired surrogate in the query, the form or the JSON body (keys and values, at
    any depth) is a 400 naming where it is, before a lookup or a write meets it: UTF-8, and
    so BSON, cannot encode one, and pymongo would fail with a 500."""
    pairs = list(request.args.items(multi=True))
    if request.mimetype in FORM_TYPES:
        request.get_data(cache=True)  # the gateway forwards the body: parse a copy of it
        pairs += request.form.items(multi=True)
    paths = [name for name, value in pairs if _unencodable(name) or _unencodable(value)]
    if request.is_json:
        paths += unstorable_paths(request.get_json(silent=True))  # cached for the route
    if paths:
        fields = {_escaped(path): [UNSTORABLE] for path in paths}
        raise UnstorableText("the request holds text that cannot be stored", fields)


def unstorable_paths(value: object) -> list[str]:
    """The paths ("activities.0.name") in a JSON value at which a key or a text holds an
    unpaired surrogate; "_body" for the value itself. Iterative: no depth exhausts it."""
    found: list[str] = []
    pending: list[tuple[str, object]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                inner_path = f"{path}.{key}" if path else str(key)
                if _unencodable(key):
                    found.append(inner_path)
                pending.append((inner_path, inner))
        elif isinstance(item, list):
            pending.extend((f"{path}.{i}" if path else str(i), v) for i, v in enumerate(item))
        elif _unencodable(item):
            found.append(path or "_body")
    return found


def _unencodable(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _escaped(path: str) -> str:
    # the answer is JSON too: a path through a bad key names the surrogate escaped
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def _caller_or_none() -> str | None:
    """The verified caller, or None (the route itself answers 401 where it needs one)."""
    if "Authorization" not in request.headers:
        return None
    try:
        return current_principal().subject
    except AppError:
        return None


def _error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def _http_error_response(error: HTTPException):
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs puts field errors under their location (json, query, path...)
        fields = {}
        for location_messages in messages.values():
            if isinstance(location_messages, dict):
                fields.update(location_messages)
            else:
                fields["_body"] = location_messages
        code = "validation_failed" if error.code == 422 else "bad_request"
        return _error(error.code or 400, code, "the request is not valid", fields)
    code = (error.name or "error").lower().replace(" ", "_")
    return _error(error.code or 500, code, error.description or error.name)


def _install_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def app_error(error: AppError):
        return jsonify(error.to_body()), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _http_error_response(error)

    @app.errorhandler(RecursionError)
    def too_deep(_exc):
        return _error(400, "bad_request", "the JSON body is nested too deeply")

    @app.errorhandler(PyMongoError)
    def database_error(error: PyMongoError):
        if isinstance(error, DuplicateKeyError):
            # a unique key met a record another request wrote at the same moment, where the
            # command's own check (made before) did not see it yet: the one that lost is told
            # so, as a repeat made a moment later is
            conflict = Conflict("this record was just created by another request; read it")
            return jsonify(conflict.to_body()), conflict.status
        if is_unavailable(error):
            unavailable = Unavailable("the database is unavailable; try again shortly")
            return jsonify(unavailable.to_body()), 503, {"Retry-After": "2"}
        log.exception("database.error")
        return _error(500, "internal_error", "an unexpected database error occurred")

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled.error")
        return _error(500, "internal_error", "an unexpected error occurred")


def _install_operational_routes(
    app: Flask,
    context: ServiceContext,
    readiness: Callable[[ServiceContext], dict[str, str | None]] | None,
) -> None:
    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok", service=context.settings.service)

    @app.get("/readyz")
    def readyz():
        """Every dependency's state; 503 when one is down. `?require=mongodb` lets only the
        named checks decide (Kubernetes' readiness of web pods: a broker outage must not
        take them out of rotation, the outbox keeps accepting writes)."""
        checks = (readiness or own_readiness)(context)
        required = request.args.getlist("require") or list(checks)
        unknown = sorted(set(required) - set(checks))
        if unknown:
            return _error(400, "bad_request", "unknown readiness check", {"require": unknown})
        ready = all(checks[name] is None for name in required)
        body = {
            "status": "ready" if ready else "unavailable",
            "service": context.settings.service,
            "checks": {name: problem or "ok" for name, problem in checks.items()},
        }
        return jsonify(body), 200 if ready else 503

    @app.get("/metrics")
    def metrics_view():
        payload, content_type = metrics.render_latest()
        return Response(payload, content_type=content_type)
