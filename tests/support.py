"""Helpers for tests that run real consumers, relays and servers."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from kinerja import directory_replica
from kinerja.auth import issue_access_token
from kinerja.bus.envelope import Envelope
from kinerja.config import Settings
from kinerja.contracts import EventType, gateway
from kinerja.mongo import Tx
from kinerja360.harness import wait_for  # noqa: F401 - the tests' one waiting loop

JWT_SECRET = "test-secret-at-least-32-bytes-long!!"


def bus_env(mongo_url: str, broker_url: str, namespace: str, broker_folder=None) -> dict:
    env = {
        "MONGO_URL": mongo_url,
        "BROKER_URL": broker_url,
        "JWT_SECRET": JWT_SECRET,
        "BUS_NAMESPACE": namespace,
        "MONGO_DB_PREFIX": namespace,
        "EVENT_MAX_ATTEMPTS": "3",
    }
    if broker_folder:
        env["BROKER_FOLDER"] = str(broker_folder)
    return env


def delete_queues(env: dict, services) -> None:
    """Remove the queues a test declared on the shared RabbitMQ."""
    from kinerja.bus.topology import Topology, broker_connection

    settings = Settings.from_env("test", env)
    topology = Topology.for_settings(settings)
    with broker_connection(settings) as connection, connection.channel() as channel:
        for service in services:
            topology.consumer_queue(service, []).bind(channel).delete()
            topology.dead_letter_queue(service).bind(channel).delete()


def token(settings: Settings, subject: str, *roles: str) -> dict:
    """Authorization header for a caller."""
    return {
        "Authorization": f"Bearer {issue_access_token(settings, subject, roles or ['employee'])}"
    }


def deliver(
    uow,
    handler: Callable[[Envelope, Tx], None],
    event_type: EventType,
    data: dict,
    version: int | None = None,
    **envelope,
) -> None:
    """Apply one event as the consumer would: its wire payload (`data`, of `version`,
    the latest by default) loaded through its contract and handed to `handler` in a
    transaction of `uow`; `envelope` overrides the envelope's fields (occurred_at).
    A required field the test leaves out is taken from the contract's example, so a
    test states only what it is about."""
    number = version or event_type.latest.number
    contract = event_type.versions[number]
    required = {
        name: contract.example[name]
        for name, field in contract.schema().fields.items()
        if field.required and name not in data
    }
    event = Envelope.new(event_type.name, {**required, **data}, producer="test", version=number)
    if envelope:
        event = replace(event, **envelope)
    read = event_type.read(event)
    uow(lambda tx: handler(read, tx))


def employee_record(nip: str, supervisor: str | None, **fields) -> dict:
    """An employee as the gateway's `gateway.employee.upserted` event carries them."""
    return {
        "nip": nip,
        "name": f"Pegawai {nip[-3:]}",
        "position": "Staf",
        "unit_id": "umpeg",
        "golongan": "III/a",
        "echelon": None,
        "position_kind": "functional",
        "education": "S1",
        "supervisor_nip": supervisor,
        "active": True,
        "version": 1,
        **fields,
    }


def replicate_employees(app, people, **fields) -> None:
    """Each (nip, supervisor_nip) into the service's copy of the directory, as the
    gateway's event brings it; `fields` overrides the rest of the record."""
    uow = app.extensions["kinerja"].uow
    for nip, supervisor in people:
        record = employee_record(nip, supervisor, **fields)
        deliver(uow, directory_replica.apply_employee, gateway.EMPLOYEE_UPSERTED, record)


AT_ONCE = 20  # how many identical requests the concurrency tests send together


def at_once(app, method: str, url: str, headers: dict, body: dict | None = None) -> list:
    """The same request AT_ONCE times together, each on its own test client and thread;
    the answers (status_code, json) in no particular order."""

    def send(_):
        with app.test_client() as client:
            return client.open(url, method=method, json=body, headers=headers)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(send, range(AT_ONCE)))


@contextlib.contextmanager
def running(target: Callable[[], None], stop: Callable[[], None]):
    """Run a blocking loop in a thread for the duration of a with-block."""
    errors: list[BaseException] = []

    def guarded():
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - surfaced to the test below
            errors.append(exc)

    thread = threading.Thread(target=guarded, daemon=True)
    thread.start()
    try:
        yield errors
    finally:
        stop()
        thread.join(timeout=15)


class TcpProxy:
    """A TCP forwarder the test can cut, to stage a broker outage for one client."""

    def __init__(self, target_port: int, host: str = "127.0.0.1"):
        self.host = host
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind((host, 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection((self.host, self.target_port))
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Refuse new connections and drop the open ones."""
        if self._listener:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextlib.contextmanager
def serve(app: Callable) -> Iterator[str]:
    """Run a WSGI app on a free local port for the duration of a with-block."""
    server = make_server(
        "127.0.0.1", 0, app, server_class=ThreadingServer, handler_class=QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
