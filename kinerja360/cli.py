"""The `kinerja` command: run the platform locally, run a worker, operate the event bus."""

from __future__ import annotations

import signal
from pathlib import Path

import click

from gateway.cli import accounts_group, directory_group
from kinerja.config import ConfigError, Settings
from kinerja.local import DATA_DIR_OPTION, StackError, stack_environment
from kinerja360.components import SERVICE_MODULES, declare_topology, service_definition
from kinerja360.stack import GRACE_SECONDS, LocalStack
from services.appraisal.cli import appraisal_group
from services.logs.cli import logs_group
from services.targets.cli import skp_group


@click.group()
def main() -> None:
    """Kinerja360: 360-degree appraisal for Indonesian civil servants."""


# How `kinerja up` ended (the README's table)
STOPPED = 0  # on SIGINT, SIGTERM or SIGHUP, every process within its grace period
FAILED = 1  # while running: a process kept crashing, or the stack never became ready
CANNOT_START = 2  # a one-line reason naming the fix
KILLED = 3  # stopped, but some process had to be killed after its grace period
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopRequested(Exception):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@main.command()
@click.option(
    "--port", default=8080, show_default=True, help="The gateway's port; services follow."
)
@DATA_DIR_OPTION
@click.option("--demo/--no-demo", default=False, help="Load the demo unit's data once.")
def up(port: int, data_dir: Path, demo: bool) -> None:
    """Start every service and the gateway (and MongoDB and the broker when no URLs are set).

    Stops on SIGINT (Ctrl-C), SIGTERM or SIGHUP; a second one skips the grace periods.
    Exit status: 0 stopped, 1 failed while running, 2 could not start, 3 stopped but some
    process had to be killed.
    """
    stack = LocalStack(port=port, data_dir=data_dir, echo=click.echo)
    state = {"stopping": False}

    def on_signal(signum, _frame):
        if state["stopping"]:
            stack.hurry = True  # a second signal: no more grace
            return
        state["stopping"] = True
        raise StopRequested(signum)

    # installed whatever was inherited: a background job starts with SIGINT ignored
    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    status = STOPPED
    try:
        stack.check()
        stack.start()
        states = stack.wait_ready()
        click.echo("Ready: " + ", ".join(sorted(states.get("checks", {}))))
        if demo:
            from kinerja360.demo import load_demo

            load_demo(stack, echo=click.echo)
        click.echo(f"Kinerja360 is running at {stack.gateway_url}  (Ctrl-C stops it)")
        if demo:
            from kinerja360.demo.gateway import DEMO_PASSWORD

            click.echo(
                "Open it in a browser and log in as demo-employee, demo-supervisor, demo-hr "
                f"or demo-ops (password {DEMO_PASSWORD})"
            )
        click.echo(f"Logs: {data_dir / 'logs'}")
        stack.supervise()
    except StopRequested as request:
        click.echo(f"Stopping ({request})...")
    except (StackError, ConfigError) as exc:
        state["stopping"] = True
        click.echo(f"error: {exc}", err=True)
        status = CANNOT_START
    except (TimeoutError, RuntimeError) as exc:
        state["stopping"] = True
        click.echo(f"error: {exc}", err=True)
        status = FAILED
    finally:
        state["stopping"] = True
        clean = stack.stop()
        if not clean:
            click.echo(
                f"Some processes did not stop within their grace period and were killed "
                f"(at most {GRACE_SECONDS} s in all)",
                err=True,
            )
            status = KILLED if status == STOPPED else status
        if stack.children or stack.mongo:
            click.echo("Stopped.")
    raise SystemExit(status)


@main.command()
@click.argument("service", type=click.Choice(list(SERVICE_MODULES)))
@click.option("--metrics-port", type=int, default=None, help="Serve /metrics on this port.")
def worker(service: str, metrics_port: int | None) -> None:
    """Run a service's worker: its outbox relay and its event consumer."""
    service_definition(service).create_worker().run(metrics_port=metrics_port)


@main.group()
def events() -> None:
    """Operate the event bus."""


@events.command("declare")
@DATA_DIR_OPTION
def declare(data_dir: Path) -> None:
    """Declare every consumer's queue and bindings (run before the first publish)."""
    try:
        declared = declare_topology(stack_environment(data_dir))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    for name, patterns in declared.items():
        click.echo(f"{name}: {', '.join(patterns)}")


@events.command("replay-dlq")
@click.option(
    "--service",
    "services",
    multiple=True,
    type=click.Choice(list(SERVICE_MODULES)),
    help="Only this consumer's dead letters (repeatable); default: all.",
)
@click.option("--limit", type=int, default=None, help="At most this many per service.")
@DATA_DIR_OPTION
def replay_dlq(services: tuple[str, ...], limit: int | None, data_dir: Path) -> None:
    """Send dead-lettered events back to the consumer that failed them."""
    from kinerja.bus.dlq import dead_letter_count, replay_dead_letters
    from kinerja.bus.topology import Topology, broker_connection

    env = stack_environment(data_dir)
    total = 0
    for name in services or tuple(SERVICE_MODULES):
        try:
            settings = Settings.from_env(name, env)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        topology = Topology.for_settings(settings)
        with broker_connection(settings) as connection:
            waiting = dead_letter_count(connection, topology, name)
            if limit is not None:
                waiting = min(waiting, limit)
            if not waiting:
                click.echo(f"{name}: no dead letters")
                continue
            with click.progressbar(length=waiting, label=f"{name}: replaying") as bar:
                moved = replay_dead_letters(
                    connection, topology, name, limit=waiting, on_progress=lambda _: bar.update(1)
                )
            total += moved
            click.echo(f"{name}: {moved} replayed")
    click.echo(f"{total} dead letters replayed")


# Each component's own commands.
main.add_command(directory_group)
main.add_command(accounts_group)
main.add_command(skp_group)
main.add_command(logs_group)
main.add_command(appraisal_group)

if __name__ == "__main__":
    main()
