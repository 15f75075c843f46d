"""Demo data for `kinerja up --demo`: each component loads its part through the APIs.

Loaded once per data folder, a step per component in the components' order: the
gateway's directory and accounts first, then each service's part (kinerja360/demo/<name>.py).
"""

from __future__ import annotations

import importlib

import requests

from kinerja.auth import issue_access_token
from kinerja.config import Settings
from kinerja360.components import SERVICE_MODULES

DEMO_STEPS = tuple(f"kinerja360.demo.{name}" for name in SERVICE_MODULES)


class DemoClient:
    """Calls the gateway as HR (a token signed with the stack's own key)."""

    def __init__(self, stack):
        self.base = stack.gateway_url
        settings = Settings.from_env("demo", stack.env)
        self.settings = settings
        self.headers = {"Authorization": f"Bearer {self.token('demo-hr', ['hr'])}"}

    def token(self, subject: str, roles: list[str]) -> str:
        return issue_access_token(self.settings, subject, roles, account=subject)

    def post(self, path: str, accept=(200, 201), headers=None, **kwargs) -> requests.Response:
        return self._call("POST", path, accept, headers, **kwargs)

    def get(self, path: str, accept=(200,), headers=None, **kwargs) -> requests.Response:
        return self._call("GET", path, accept, headers, **kwargs)

    def put(self, path: str, accept=(200, 201), headers=None, **kwargs) -> requests.Response:
        return self._call("PUT", path, accept, headers, **kwargs)

    def patch(self, path: str, accept=(200,), headers=None, **kwargs) -> requests.Response:
        return self._call("PATCH", path, accept, headers, **kwargs)

    def _call(self, method, path, accept, headers, **kwargs) -> requests.Response:
        answer = requests.request(
            method, self.base + path, headers=headers or self.headers, timeout=60, **kwargs
        )
        if answer.status_code not in accept:
            raise RuntimeError(f"demo: {method} {path} -> {answer.status_code} {answer.text}")
        return answer


def load_demo(stack, echo=print) -> None:
    marker = stack.data_dir / "demo-loaded"
    if marker.exists():
        echo("Demo data: already loaded")
        return
    client = DemoClient(stack)
    for step in DEMO_STEPS:
        echo(f"Demo data: {importlib.import_module(step).load(client)}")
    marker.write_text("ok\n")
