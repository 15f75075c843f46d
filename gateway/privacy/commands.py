"""HR's retention commands: set the period, and record a purge run; both audited."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime

from gateway.privacy import store, upstream
from gateway.privacy.domain import RetentionPeriod
from kinerja import audit
from kinerja.mongo import Tx

AUDITED = ("retention", "policy")  # the audit's entity and id for everything retention


def set_retention(tx: Tx, months: int, actor: str) -> RetentionPeriod:
    """Refused (422, `months`) out of range; the change audited with before and after."""
    new = RetentionPeriod(months, actor, datetime.now(UTC).isoformat())
    new.check()
    before = store.retention(tx)
    store.save_retention(tx, new)
    before_doc = asdict(before) if before else None
    audit.record(tx, actor, "retention.changed", *AUDITED, before_doc, asdict(new))
    return new


def run_purge(uow, urls: dict, cut_off: date, dry_run: bool, token: str, actor: str) -> dict:
    """Every purging service's dry run or purge with the caller's token, then one audit
    entry of the whole run (failures named); shared by the API and the UI."""
    reports, failed = upstream.purge(urls, cut_off, dry_run, token)
    run = {
        "cut_off": cut_off,
        "dry_run": dry_run,
        "complete": not failed,
        "services": reports,
        "failed": failed,
    }
    uow(lambda tx: record_purge(tx, run, actor))
    return run


def record_purge(tx: Tx, report: dict, actor: str) -> None:
    """The audit entry of a dry run or a purge: who, when (the entry's time), the cut-off,
    the counts per service and any service that did not answer."""
    action = "retention.dry_run" if report["dry_run"] else "retention.purged"
    after = {**report, "cut_off": report["cut_off"].isoformat()}
    audit.record(tx, actor, action, *AUDITED, None, after)
