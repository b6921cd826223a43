"""The run over all configured objects: the only module that knows both halves.

``intacct/`` (XML, HTTP) and ``lake/`` (Spark, Delta) meet here. A run:

1. asks Intacct for every object's fields (``lookup``, not billed) while the run log is read
   once for every object's state (``StateStore.snapshot``) and stale staging is dropped;
2. plans each object (window, full or incremental, sweep due; ``plan.py``) and registers the
   audited ones for the run's single AUDITHISTORY read (``audit.py``);
3. syncs the objects in dependency tiers, more objects at once than Intacct's request slots so
   one object's Delta work overlaps another's fetching (the gateway still caps requests);
4. refreshes the analysis views (``analytics/``): those whose SQL changed or whose tables just
   appeared, and checks the hierarchies whose tables the run changed; warnings go to the run;
5. records every object's run row, and the run's own ``_run`` row, in one append per tier that
   wrote data and one at the end: a run with nothing new makes a single Delta commit.

A failure anywhere leaves that object's watermark where it was; the other objects go on.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING

from intacct_sync.audit import AuditBoard
from intacct_sync.config import ConfigError, Settings
from intacct_sync.events import NoEvents, RunEvents
from intacct_sync.intacct.catalog import CATALOG, GROUPS
from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.objects import DeleteStrategy, ObjectSpec, udd_spec
from intacct_sync.lake.runlog import RUN_OBJECT, RunRecord
from intacct_sync.lake.staging import drop_stale
from intacct_sync.lake.state import LogSnapshot, StateStore
from intacct_sync.plan import ObjectPlan, plan_object
from intacct_sync.sync_object import ObjectSync, RunContext, _describe, utcnow

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from intacct_sync.analytics.refresh import RefreshResult
    from intacct_sync.intacct.client import IntacctClient

log = logging.getLogger("intacct_sync.pipeline")

_RECORDNO = Field("RECORDNO", FieldType.INTEGER)

# Threads beyond Intacct's request slots: while one object does its Delta work, others fetch.
EXTRA_WORKERS = 2


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


@dataclass
class RunSummary:
    run_id: str
    results: list[RunRecord] = field(default_factory=list)
    run: RunRecord | None = None  # the run's own totals (the _run row)
    analytics: RefreshResult | None = None  # the analysis views after the run (None: off)

    @property
    def failed(self) -> list[RunRecord]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or (self.run is not None and self.run.status == "failed") else 0

    @property
    def api_calls(self) -> int:
        return self.run.api_calls if self.run else sum(r.api_calls for r in self.results)

    @property
    def transactions(self) -> int:
        return self.run.transactions if self.run else sum(r.transactions for r in self.results)


class Pipeline:
    """The run over all configured objects, in dependency order, within Intacct's limit."""

    def __init__(
        self,
        settings: Settings,
        client: IntacctClient,
        spark: SparkSession,
        *,
        now: Callable[[], datetime] = utcnow,
        run_id: str | None = None,
        events: RunEvents | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.spark = spark
        self.now = now
        self.run_id = run_id or new_run_id(now())
        self.names = settings.table_names()
        self.events = events or NoEvents()
        self.store = StateStore(spark, self.names)

    def resolve_objects(self) -> list[ObjectSpec]:
        return self.resolve_objects_for(self.settings, self.client)

    @staticmethod
    def resolve_objects_for(settings: Settings, client: IntacctClient) -> list[ObjectSpec]:
        """The objects chosen: curated specs, user-defined dimensions found with getDimensions,
        and any other object by name, specified from its ``lookup`` (``intacct/infer.py``).

        A name Intacct does not know fails here, before anything is read or written.
        """
        return [
            replace(spec, table=settings.table_for(spec))
            for spec in resolve_specs(settings, client)
        ]

    # --- the run --------------------------------------------------------------------------

    def run(self, specs: list[ObjectSpec] | None = None) -> RunSummary:
        specs = specs if specs is not None else self.resolve_objects()
        started = self.now()
        run_tag = f"{self.run_id}/{RUN_OBJECT}"
        summary = RunSummary(self.run_id)
        entities = self.settings.entities or ("",)
        workers = self.settings.max_in_flight + EXTRA_WORKERS
        log.info("run %s: %d objects, %d entities", self.run_id, len(specs), len(entities))
        with self.events, ThreadPoolExecutor(workers, "sync") as pool:
            fields = {
                (spec.name, entity): pool.submit(self._lookup, spec, entity)
                for spec in specs
                for entity in entities
            }  # Intacct answers the lookups while the run log is read
            snapshot = self._prepare(started)
            ctx = self._context(started, snapshot, specs)
            plans = [
                plan_object(
                    spec,
                    entity,
                    snapshot.states.get((spec.name, entity)),
                    self.settings,
                    started,
                    started - self.settings.lag,
                )
                for spec in specs
                for entity in entities
            ]
            plans = [plan for plan in plans if self._due(plan, started, fields)]
            self._register_audit(ctx, plans)
            # Phase 1, tier by tier: every object reads its window and MERGEs it, with its
            # audited deletes in the same MERGE (the run's single AUDITHISTORY read is made by
            # the first object to write).
            jobs: list[list[ObjectSync]] = []
            for _tier, group in groupby(plans, key=lambda p: p.spec.tier):
                tier = [
                    self._job(ctx, plan, fields[(plan.spec.name, plan.entity)]) for plan in group
                ]
                jobs.append(tier)
                for future in [
                    pool.submit(job.load) for job in tier if job.record.status == "running"
                ]:
                    future.result()
            # Phase 2, tier by tier: key sweeps and the deletes of objects whose window brought
            # no rows (a line object takes its headers' with its own, in one statement), then
            # reconciliation; the records are appended once per tier that wrote, and at the end.
            pending: list[RunRecord] = []
            for tier in jobs:
                records = [f.result() for f in [pool.submit(job.finish) for job in tier]]
                summary.results.extend(records)
                pending.extend(records)
                if any(_wrote(r) for r in records):
                    pending = self._flush(pending)  # protect what this tier committed
        views = self._refresh_views(summary)
        summary.run = self._run_record(started, summary, snapshot, run_tag)
        for warning in views:
            summary.run.warn(warning)
        self._flush([*pending, summary.run])
        return summary

    def _refresh_views(self, summary: RunSummary) -> list[str]:
        """The analysis views after this run's writes; their warnings, for the ``_run`` row.

        It runs whatever became of single objects: a view reads only tables, which a failed
        object left as they were. Its checks run for the tables this run changed.
        """
        if not self.settings.analytics:
            return []
        from intacct_sync.analytics.refresh import refresh, schema_for

        changed = {
            CATALOG[r.object].table for r in summary.results if r.object in CATALOG and _wrote(r)
        }
        try:
            summary.analytics = refresh(self.spark, schema_for(self.settings), self.run_id, changed)
        except Exception as exc:  # noqa: BLE001 - the views are extra: the sync stands
            message = f"analysis views not refreshed: {exc.__class__.__name__}: {exc}"
            log.warning("%s", message)
            return [message]
        return summary.analytics.warnings

    def _due(self, plan: ObjectPlan, started: datetime, fields: dict) -> bool:
        """Reference data (``every``) syncs at most that often unless the run forces it."""
        every, state, s = plan.spec.every, plan.state, self.settings
        if every is None or state is None or state.updated_at is None:
            return True
        if s.full_refresh or s.backfill_from is not None or s.sweep_keys:
            return True
        if started - state.updated_at >= every:
            return True
        fields[(plan.spec.name, plan.entity)].cancel()
        log.info("%s: synced %s ago, next after %s (every)", plan.label,
                 started - state.updated_at, every)  # fmt: skip
        return False

    def _lookup(self, spec: ObjectSpec, entity: str) -> list[Field]:
        """The fields an object is read with; counted as that object's API call."""
        client = self.client.for_entity(entity) if entity else self.client
        label = f"{spec.name}@{entity}" if entity else spec.name
        with _scope(f"{self.run_id}/{label}"):
            return client.readable_fields(spec)

    def _prepare(self, started: datetime) -> LogSnapshot:
        """Schema, run log and staging ready; every object's state in one read of the log."""
        self.names.ensure_schema(self.spark)
        self.store.ensure()
        staging = self.settings.table_names(staging=True)
        staging.ensure_schema(self.spark)
        gone = drop_stale(
            self.spark, staging, self.settings.staging_dir, self.settings.object_time_budget
        )
        if gone:
            log.info("dropped staging a crashed run left behind: %s", ", ".join(gone))
        return self.store.snapshot(started)

    def _context(
        self, started: datetime, snapshot: LogSnapshot, specs: list[ObjectSpec]
    ) -> RunContext:
        return RunContext(
            settings=self.settings,
            spark=self.spark,
            names=self.names,
            run_id=self.run_id,
            started_at=started,
            now=self.now,
            events=self.events,
            audit=AuditBoard(until=started - self.settings.lag, tag=f"{self.run_id}/{RUN_OBJECT}"),
            specs={spec.name: spec for spec in specs},
        )

    def _register_audit(self, ctx: RunContext, plans: list[ObjectPlan]) -> None:
        audited = [
            plan
            for plan in plans
            if not plan.full and plan.spec.deletes is not DeleteStrategy.SWEEP
        ]
        registered: set[tuple[str, str]] = set()
        for plan in audited:
            assert plan.window.start is not None
            ctx.audit.register(plan.entity, plan.spec, plan.window.start, self._audit_read(plan))
            registered.add((plan.entity, plan.spec.name))
        # Headers not synced this run, or read in full (no audited deletes of their own to
        # cascade): their deletes still reach the lines (deletes.headers_deleted), from the
        # earliest window among their lines.
        headers: dict[tuple[str, str], ObjectPlan] = {}
        for plan in audited:
            for parent in plan.spec.parents:
                slot = (plan.entity, parent.object)
                if slot in registered:
                    continue
                earlier = headers.get(slot)
                if earlier is None or plan.window.start < earlier.window.start:  # type: ignore[operator]
                    headers[slot] = plan
        for (entity, name), plan in headers.items():
            header = ctx.specs.get(name) or CATALOG.get(name) or replace(plan.spec, name=name)
            assert plan.window.start is not None
            ctx.audit.register(entity, header, plan.window.start, self._audit_read(plan))

    def _audit_read(self, plan: ObjectPlan):
        client = self.client.for_entity(plan.entity) if plan.entity else self.client
        return client.audit_deletes_many

    def _job(self, ctx: RunContext, plan: ObjectPlan, fields: Future) -> ObjectSync:
        client = self.client.for_entity(plan.entity) if plan.entity else self.client
        try:
            read = fields.result()
        except Exception as exc:  # noqa: BLE001 - the lookup failed: this object fails
            job = ObjectSync(ctx, plan, client, [])
            job.record.status, job.record.error_message = "failed", _describe(exc)
            log.error("%s failed: %s", plan.label, job.record.error_message)
            ctx.events.start(plan.label)
            return job
        refused = plan.state.refused_fields if plan.state and not plan.full else ()
        if refused:
            # Fields query refused in an earlier run cost nothing this run; a full read (first
            # run, refresh) asks for them again, in case Intacct lets them be queried now.
            client.remember_refused(plan.spec.name, refused)
            read = [f for f in read if f.name.upper() not in refused]
        learned = plan.state.page_size if plan.state and not plan.full else None
        if learned:
            # Pages an earlier run found too heavy (HTTP 524) start at the size that worked:
            # a timeout costs Intacct's 100 seconds and a retry. A full read tries the
            # configured size again.
            client.remember_page_size(plan.spec.name, learned)
        return ObjectSync(ctx, plan, client, read)

    def _run_record(
        self, started: datetime, summary: RunSummary, snapshot: LogSnapshot, tag: str
    ) -> RunRecord:
        usage = self.client.usage(tag)
        run = RunRecord(
            self.run_id,
            RUN_OBJECT,
            "",
            started,
            ended_at=self.now(),
            status="failed" if summary.failed else "succeeded",
            mode="run",
            rows_read=sum(r.rows_read for r in summary.results),
            rows_inserted=sum(r.rows_inserted for r in summary.results),
            rows_updated=sum(r.rows_updated for r in summary.results),
            rows_deleted=sum(r.rows_deleted for r in summary.results),
            api_calls=self.client.stats().total_calls,
            transactions=sum(r.transactions for r in summary.results) + usage.transactions,
            pages=sum(r.pages for r in summary.results),
            bytes=sum(r.bytes for r in summary.results) + usage.bytes,
        )
        for notice in usage.notices:
            run.warn(notice)
        budget = budget_warning(
            self.settings.api_budget, snapshot.month_transactions + run.transactions, started
        )
        if budget:
            run.warn(budget)
            log.warning("%s", budget)
        return run

    def _flush(self, records: list[RunRecord]) -> list[RunRecord]:
        """Append the run records (one commit); on failure the objects count as failed, since
        their watermarks did not move (the next run reads their windows again)."""
        try:
            self.store.record(records)
        except Exception as exc:  # noqa: BLE001
            message = f"the run records could not be written: {exc.__class__.__name__}: {exc}"
            log.error("%s", message)
            for record in records:
                record.status = "failed"
                record.error_message = (record.error_message or "") + f" ({message})"
        return []


def resolve_specs(settings: Settings, client: IntacctClient) -> list[ObjectSpec]:
    from intacct_sync.intacct.errors import PermissionDenied, UnknownObject
    from intacct_sync.intacct.infer import CannotInfer, infer_spec

    wanted = settings.selected_objects
    specs = {name: CATALOG[name] for name in wanted if name in CATALOG}
    unknown = [name for name in wanted if name not in CATALOG]
    if settings.discover_udds or unknown:
        udds = {d.object_name.upper(): d.object_name for d in client.dimensions() if d.user_defined}
        for name in unknown:
            if name in udds:
                specs[name] = udd_spec(udds[name])
        if settings.discover_udds and not settings.objects:
            for upper, original in udds.items():
                if upper not in settings.exclude:
                    specs.setdefault(upper, udd_spec(original))
    missing: list[str] = []
    for name in [n for n in unknown if n not in specs]:
        try:
            specs[name] = infer_spec(name, client.lookup(name, include_skipped=True))
        except UnknownObject:
            missing.append(name)
        except PermissionDenied:
            # The object exists but the user may not see it: it fails on its own, saying which
            # permission to grant, and the other objects go on.
            specs[name] = infer_spec(name, [_RECORDNO])
        except CannotInfer as exc:
            raise ConfigError(str(exc)) from None
    if missing:
        raise ConfigError(
            f"Intacct has no object {', '.join(missing)} in this company (lookup answered "
            "'Object definition ... not found'): check the spelling, or enable the module. "
            "Any object lookup knows can be synced; curated objects and groups to choose from: "
            f"{', '.join(sorted(CATALOG))}, {', '.join('@' + g for g in sorted(GROUPS))}."
        )
    return sorted(specs.values(), key=lambda s: (s.tier, s.name))


def budget_warning(budget: int | None, month_total: int, now: datetime) -> str | None:
    """A warning when this month's billable transactions head past the allowance.

    Projected linearly from the days gone; Intacct bills overage, it does not block it
    (docs/protocol.md §12).
    """
    if not budget:
        return None
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    nxt = (start + timedelta(days=32)).replace(day=1)
    done = max((now - start) / (nxt - start), 1 / 31)
    projected = int(month_total / done)
    if projected <= budget:
        return None
    return (
        f"Intacct API transactions: {month_total:,} so far this month, heading for about "
        f"{projected:,} against the allowance of {budget:,} (api_budget); overage is billed. "
        "Run less often, sync fewer objects, or raise api_budget if the tier allows more."
    )


def _wrote(record: RunRecord) -> bool:
    return bool(record.rows_inserted or record.rows_updated or record.rows_deleted)


def _scope(tag: str):
    from intacct_sync.intacct.stats import scope

    return scope(tag)
