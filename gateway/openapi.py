"""One OpenAPI document for the whole platform, and Swagger UI to read it, offline.

The gateway's own operations come as they are; each service's come under the
paths the gateway routes (/api/v1/<service>/...), with its component names
prefixed by the service's name so that two services' schemas never collide.
Components identical to the gateway's own (the kit's Error, ErrorDetail,
PaginationMetadata and bearerAuth) are shared instead of repeated.
"""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from flask import Flask, jsonify
from flask_swagger_ui import get_swaggerui_blueprint

from gateway.upstream import SERVICES, upstream_urls
from kinerja.logs import get_logger

log = get_logger(__name__)

OPENAPI_URL = "/api/openapi.json"
DOCS_URL = "/api/docs"
SERVICE_PREFIX = "/api/v1/"
CACHE_SECONDS = 60
FETCH_TIMEOUT_SECONDS = (2, 5)  # connect, read
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REF_PREFIX = "#/components/"

_pool = ThreadPoolExecutor(max_workers=len(SERVICES), thread_name_prefix="openapi")


def install_openapi(app: Flask) -> None:
    """Serve the merged document at /api/openapi.json and Swagger UI at /api/docs."""
    documents = ServiceDocuments(upstream_urls(app.extensions["kinerja"].settings))

    def merged_openapi():
        own = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
        found, missing = documents.current()
        return jsonify(merge_documents(own, found, missing))

    app.add_url_rule(OPENAPI_URL, endpoint="merged_openapi", view_func=merged_openapi)
    # Swagger UI's own files come from the flask-swagger-ui package: no CDN, no internet.
    ui_config = {"app_name": "Kinerja360 API", "validatorUrl": None}  # no call to swagger.io
    app.register_blueprint(
        get_swaggerui_blueprint(DOCS_URL, OPENAPI_URL, ui_config, blueprint_name="api_docs")
    )


class ServiceDocuments:
    """Each service's own OpenAPI document, fetched at most once a minute while it answers."""

    def __init__(self, service_urls: dict[str, str]):
        self._urls = service_urls
        self._cache: dict[str, tuple[float, dict]] = {}

    def current(self) -> tuple[dict[str, dict], list[str]]:
        """The documents of the services that answer, and the names of those that do not."""
        futures = {
            name: _pool.submit(self._document, name, url) for name, url in self._urls.items()
        }
        found = {name: future.result() for name, future in futures.items()}
        missing = [name for name, document in found.items() if document is None]
        return {name: doc for name, doc in found.items() if doc is not None}, missing

    def _document(self, service: str, base_url: str) -> dict | None:
        cached = self._cache.get(service)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        try:
            answer = requests.get(f"{base_url}{OPENAPI_URL}", timeout=FETCH_TIMEOUT_SECONDS)
            answer.raise_for_status()
            document = answer.json()
            if not isinstance(document, dict):
                raise ValueError("not an OpenAPI document")
        except (requests.RequestException, ValueError) as exc:
            log.warning("openapi.service_missing", upstream=service, error=str(exc))
            return None
        self._cache[service] = (time.monotonic(), document)
        return document


def merge_documents(own: dict, services: dict[str, dict], missing: list[str]) -> dict:
    """The gateway's document with every service's operations and components added."""
    merged = copy.deepcopy(own)
    merged["info"] = {**merged.get("info", {}), "description": _description(missing)}
    paths = merged.setdefault("paths", {})
    components = merged.setdefault("components", {})
    tags = merged.setdefault("tags", [])
    for service, document in services.items():
        part = service_part(service, document, own.get("components", {}))
        paths.update(part["paths"])
        for section, items in part["components"].items():
            components.setdefault(section, {}).update(items)
        tags.append({"name": service, "description": document.get("info", {}).get("title", "")})
    if missing:
        merged["x-kinerja-missing"] = missing
    return merged


def service_part(service: str, document: dict, shared: dict) -> dict:
    """A service's paths and components as they read inside the merged document."""
    components = document.get("components", {})
    keep = _shared_names(components, shared)
    renames = _component_renames(service, components, keep)
    paths = {
        gateway_path(service, path): _tagged(service, item, renames.get("securitySchemes", {}))
        for path, item in document.get("paths", {}).items()
        if path.startswith(SERVICE_PREFIX)
    }
    own_components = {
        section: {
            renames[section][name]: item
            for name, item in items.items()
            if (section, name) not in keep
        }
        for section, items in components.items()
    }
    return _rewrite_refs({"paths": paths, "components": own_components}, renames)


def gateway_path(service: str, path: str) -> str:
    """/api/v1/rounds/... on the service is /api/v1/<service>/rounds/... on the gateway."""
    return f"{SERVICE_PREFIX}{service}/{path.removeprefix(SERVICE_PREFIX)}"


def _component_renames(
    service: str, components: dict, keep: set[tuple[str, str]]
) -> dict[str, dict[str, str]]:
    prefix = service.capitalize()
    return {
        section: {name: name if (section, name) in keep else prefix + name for name in items}
        for section, items in components.items()
    }


def _shared_names(components: dict, shared: dict) -> set[tuple[str, str]]:
    """Components identical to the gateway's, down to every component they refer to."""
    same = {
        (section, name)
        for section, items in components.items()
        for name, item in items.items()
        if shared.get(section, {}).get(name) == item
    }
    # a component is only the same if everything it refers to is the same too
    while True:
        kept = {key for key in same if _refs_in(components[key[0]][key[1]]) <= same}
        if kept == same:
            return same
        same = kept


def _refs_in(node: object) -> set[tuple[str, str]]:
    if isinstance(node, dict):
        found = set().union(*(_refs_in(value) for value in node.values()))
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            section, _, name = ref.removeprefix(REF_PREFIX).partition("/")
            found.add((section, name))
        return found
    if isinstance(node, list):
        return set().union(*(_refs_in(item) for item in node))
    return set()


def _tagged(service: str, path_item: dict, scheme_renames: dict[str, str]) -> dict:
    """The path item with its operations grouped under the service's tag."""
    item = copy.deepcopy(path_item)
    for method in HTTP_METHODS:
        operation = item.get(method)
        if operation is None:
            continue
        operation["tags"] = [service]
        if "operationId" in operation:
            operation["operationId"] = f"{service}_{operation['operationId']}"
        if "security" in operation:
            operation["security"] = [
                {scheme_renames.get(name, name): scopes for name, scopes in requirement.items()}
                for requirement in operation["security"]
            ]
    return item


def _rewrite_refs(node: object, renames: dict[str, dict[str, str]]) -> object:
    if isinstance(node, dict):
        return {
            key: _renamed_ref(value, renames)
            if key == "$ref" and isinstance(value, str)
            else _rewrite_refs(value, renames)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _renamed_ref(ref: str, renames: dict[str, dict[str, str]]) -> str:
    if not ref.startswith(REF_PREFIX):
        return ref
    section, _, name = ref.removeprefix(REF_PREFIX).partition("/")
    return f"{REF_PREFIX}{section}/{renames.get(section, {}).get(name, name)}"


def _description(missing: list[str]) -> str:
    text = "Every Kinerja360 service, as reached through the gateway."
    if missing:
        text += f" Left out because they did not answer just now: {', '.join(missing)}."
    return text
