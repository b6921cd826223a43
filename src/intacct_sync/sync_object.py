"""One object's sync, state to state (used by :mod:`intacct_sync.pipeline`).

read pages (window) -> one MERGE (with the window's audited deletes) -> sweeps, or the deletes
of a window without rows -> reconcile -> run record. The watermark lives in
the run record, which the pipeline writes only after this object's data committed: anything
that fails before leaves the watermark where it was, and a rerun reads the same window again
and converges, because the MERGE only ever applies a newer version of a row.

Cost follows change: an object whose window holds no change and whose deletes are empty needs
no Delta operation at all (no MERGE, no sweep, no state write of its own), and its reconciliation
runs only when it changed or its cadence is due.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pyarrow as pa

from intacct_sync.audit import AuditBoard
from intacct_sync.config import Settings
from intacct_sync.deletes import Audited, DeleteContext, apply_deletes, audited_deletes
from intacct_sync.entities import check_scope, table_lock
from intacct_sync.events import RunEvents
from intacct_sync.intacct.fields import Field, arrow_schema
from intacct_sync.intacct.objects import DeleteStrategy, ObjectSpec
from intacct_sync.intacct.stats import scope
from intacct_sync.lake.runlog import RunRecord
from intacct_sync.lake.writer import LoadResult
from intacct_sync.plan import ObjectPlan
from intacct_sync.reconcile import reconcile_run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from intacct_sync.intacct.client import IntacctClient
    from intacct_sync.lake.names import TableNames
    from intacct_sync.lake.writer import TableWriter

log = logging.getLogger("intacct_sync.sync")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RunContext:
    """What every object of one run shares."""

    settings: Settings
    spark: SparkSession
    names: TableNames
    run_id: str
    started_at: datetime
    now: Callable[[], datetime]
    events: RunEvents
    audit: AuditBoard
    specs: dict[str, ObjectSpec]  # the run's objects, by name


def fields_hash(fields: list[Field]) -> str:
    """The fields as read (name, type, label): a change means a schema or comment change."""
    text = "|".join(f"{f.name}:{f.type.value}:{f.label}" for f in fields)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Digest:
    """A digest of a full read's content, page by page (pages arrive in key order)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as stream:
            stream.write_batch(batch)
        self._hash.update(sink.getvalue())
        return batch

    def hexdigest(self) -> str:
        return self._hash.hexdigest()[:32]


@dataclass
class ObjectSync:
    """One object (for one entity) from its plan to its run record."""

    ctx: RunContext
    plan: ObjectPlan
    client: IntacctClient  # possibly entity-scoped
    fields: list[Field]  # the fields read (lookup, minus the skipped ones)

    @property
    def spec(self) -> ObjectSpec:
        return self.plan.spec

    def __post_init__(self) -> None:
        plan, ctx = self.plan, self.ctx
        state = plan.state
        self.record = RunRecord(
            ctx.run_id,
            self.spec.name,
            plan.entity,
            ctx.now(),
            table=self.spec.table,
            mode=plan.mode,
            watermark_before=state.watermark if state else None,
            fields_hash=fields_hash(self.fields),
        )
        self.tag = f"{ctx.run_id}/{plan.label}"
        self.writer: TableWriter | None = None
        self.loaded = LoadResult(0, 0, 0)
        self.keys: list[pa.Array] = []
        self.table_was_new = False
        self.same_content = False  # read in full, and the same content as the last run
        self.audited: Audited | None = None  # the audited deletes handed to the load's MERGE

    def run(self) -> RunRecord:
        """Both phases in a row (a single object, or tests)."""
        self.load()
        return self.finish()

    def load(self) -> None:
        """Phase 1: read the window and MERGE it, with the object's audited deletes in the same
        commit (the run's one AUDITHISTORY read is made by the first object that needs it; it
        ends where every window ends, so its answer does not depend on when it is made). Key
        sweeps, and the deletes of an object whose window brought no rows, wait for phase 2."""
        record, plan = self.record, self.plan
        if plan.refresh:
            record.warn(f"{self.spec.name}: periodic full refresh (refresh_every)")
        self.ctx.events.start(plan.label)
        self._step(self._load_window)

    def finish(self) -> RunRecord:
        """Phase 2: deletes, reconciliation, and the record completed."""
        record, plan, ctx = self.record, self.plan, self.ctx
        if record.status == "running":
            self._step(self._after_load)
        if record.status == "running":
            record.watermark_after = plan.window.end
            record.status = "succeeded"
        usage = self.client.usage(self.tag)
        record.api_calls, record.bytes = usage.calls, usage.bytes
        record.transactions = usage.transactions
        refused = self.client.refused(self.spec.name)
        record.refused_fields = ",".join(sorted(refused)) or None
        record.page_size = self.client.learned_page_size(self.spec.name)
        for notice in usage.notices:
            record.warn(notice)
        record.ended_at = ctx.now()
        ctx.events.done(plan.label, record.status)
        return record

    def _step(self, step: Callable[[], None]) -> None:
        record = self.record
        try:
            with scope(self.tag):  # API calls counted for this object alone, even in parallel
                # Entity sessions of one object share its table: one writes at a time.
                with table_lock(self.spec.table) if self.plan.entity else nullcontext():
                    step()
        except Exception as exc:  # noqa: BLE001 - one object failing must not stop the others
            record.status = "failed"
            record.error_message = _describe(exc)
            log.error("%s failed: %s", self.plan.label, record.error_message)

    def _load_window(self) -> None:
        plan, record = self.plan, self.record
        check_scope(self.client, plan.entity)
        self.writer = writer = self._writer(self.spec)
        state = plan.state
        digest = Digest() if self.spec.read_in_full else None
        self.table_was_new = not writer.exists()
        self.loaded = self._load(record, writer, self.keys, digest)
        if digest is not None:
            record.source_digest = digest.hexdigest()
            self.same_content = state is not None and record.source_digest == state.source_digest
        unchanged_fields = state is not None and state.fields_hash == record.fields_hash
        if not self.loaded.written and (self.table_was_new or not unchanged_fields):
            # No rows to write, but the table must exist (analysts see every object) and take
            # new fields and their comments.
            writer.ensure(arrow_schema(self.fields), self._comment())

    def _after_load(self) -> None:
        plan, record, writer, state = self.plan, self.record, self.writer, self.plan.state
        assert writer is not None
        if self.same_content:
            changed_deletes = 0
            keys_swept = True  # the same content as last run: the same keys, nothing to sweep
        else:
            outcome = apply_deletes(
                self._delete_context(writer, record),
                full_read=plan.full,
                keys_seen=self.keys,
                table_was_new=self.table_was_new,
                sweep_due=plan.sweep_due and self.spec.sweep,
                folded=self.audited if self.loaded.deletes_applied else None,
            )
            record.rows_deleted += outcome.deleted
            changed_deletes = outcome.deleted
            keys_swept = outcome.keys_swept
        self.keys = []  # no longer needed: free them before the next object's phase 2
        record.keys_swept = keys_swept
        changed = self.loaded.written or changed_deletes > 0 or self.table_was_new
        if changed:
            record.table_version = writer.version()
        elif state is not None:
            record.table_version = state.table_version
        if self.ctx.settings.reconcile and self._reconcile_due(changed, record):
            self._reconcile(writer, record, changed)

    def _load(
        self,
        record: RunRecord,
        writer: TableWriter,
        keys: list[pa.Array],
        digest: Digest | None,
    ) -> LoadResult:
        from intacct_sync.intacct.streams import prefetch

        plan, settings = self.plan, self.ctx.settings
        budget = settings.object_time_budget
        deadline = time.monotonic() + budget.total_seconds()
        pages = prefetch(
            self.client.read_pages(
                self.spec, self.fields, plan.window, page_size=settings.page_size
            )
        )

        def batches() -> Iterator[pa.RecordBatch]:
            for page in pages:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{self.spec.name} ran past its time budget of {budget}; nothing was "
                        "written. Raise object_time_budget or sync this object on its own."
                    )
                record.pages += 1
                record.rows_read += page.batch.num_rows
                self.ctx.events.page(plan.label, page.batch.num_rows, page.totalcount)
                if digest is not None:
                    digest.add(page.batch)
                if plan.full:
                    keys.append(page.batch.column(self.spec.key))
                yield page.batch

        with pages:
            source: Iterable[pa.RecordBatch] = batches()
            if digest is not None:
                # Read in full every run (small objects without an audit trail or a cursor):
                # when the content is what the last run saw, nothing needs writing or sweeping.
                source = list(source)
                state = plan.state
                if state is not None and state.source_digest == digest.hexdigest():
                    return LoadResult(record.rows_read, 0, 0)
            loaded = writer.load(
                source,
                arrow_schema(self.fields),
                run_id=self.ctx.run_id,
                entity=plan.entity,
                synced_at=record.started_at,
                comment=self._comment(),
                has_rows=self._had_rows(),
                deletes=self._audited_deletes if self._folds_deletes() else None,
            )
        record.rows_inserted, record.rows_updated = loaded.inserted, loaded.updated
        if loaded.deletes_applied:
            record.rows_deleted += loaded.deleted
        return loaded

    def _folds_deletes(self) -> bool:
        """An incremental window's audited deletes can ride in the load's MERGE (one commit).
        A full read finds its deletes by comparing keys after the load instead."""
        return not self.plan.full and self.spec.deletes is not DeleteStrategy.SWEEP

    def _audited_deletes(self) -> dict[str, list[int]]:
        """Called by the writer once the window's rows are staged (the run's one AUDITHISTORY
        read happens then, if no object has made it yet)."""
        assert self.writer is not None
        self.audited = audited_deletes(self._delete_context(self.writer, self.record))
        return self.audited.matching

    def _had_rows(self) -> bool:
        """The last reconciliation counted live rows in the table, which this run found."""
        state = self.plan.state
        return bool(not self.table_was_new and state is not None and state.target_count)

    def _reconcile_due(self, changed: bool, record: RunRecord) -> bool:
        """When the object changed, or its cadence (``reconcile_every``) has come round."""
        state = self.plan.state
        if changed or state is None or state.last_reconcile is None:
            return True
        return record.started_at - state.last_reconcile >= self.ctx.settings.reconcile_every

    def _reconcile(self, writer: TableWriter, record: RunRecord, changed: bool) -> None:
        """Counts and sums against Intacct, the table's side at one Delta version (``version``),
        which the record keeps with the figures. Three ways to the table's figures, all exact:

        - unchanged: the table is at the version the last reconciliation saw (same rows), so
          its figures are reused and only Intacct is asked;
        - changes: an incremental run that wrote adds the live rows its commits (and any other
          commit since that version) added and takes away those they removed, read from the
          change data feed, to the last figures: work in proportion to the change, not the
          table. Not when a scan is due (``reconcile_every`` since the last one), after a full
          read, or when the feed does not cover those versions (then it scans);
        - scan: the live rows at that version, counted and summed.
        """
        state = self.plan.state
        version = record.table_version if changed else writer.version()
        known = since = None
        if state and state.reconciled_version is not None and state.target_count is not None:
            base = state.reconciled_version
            if version == base:
                known = (state.target_count, state.target_sums)
            elif changed and 0 <= base < version and self._changes_will_do(record):
                since = (
                    state.target_count,
                    state.target_sums or {},
                    lambda: writer.changes(base + 1, version),
                )
        tag = f"{self.ctx.run_id}/{self.plan.label}"
        reconcile_run(
            self.spec,
            self.client,
            lambda: writer.live_dataframe(version),
            record,
            entity=self.plan.entity,
            window_end=self.plan.window.end,
            calls=lambda: self.client.usage(tag).calls,
            known_target=known,
            since=since,
        )
        record.table_version = version

    def _changes_will_do(self, record: RunRecord) -> bool:
        """An incremental run, and the table counted by a scan within ``reconcile_every``."""
        state, every = self.plan.state, self.ctx.settings.reconcile_every
        if self.plan.full or state is None or state.last_target_scan is None:
            return False
        return record.started_at - state.last_target_scan < every

    def _delete_context(self, writer: TableWriter, record: RunRecord) -> DeleteContext:
        return DeleteContext(
            spec=self.spec,
            client=self.client,
            writer=writer,
            run_id=self.ctx.run_id,
            now=self.ctx.now,
            audit=self.ctx.audit,
            warnings=record.warnings,
            entity=self.plan.entity,
        )

    def _writer(self, spec: ObjectSpec) -> TableWriter:
        from intacct_sync.lake.writer import TableWriter

        options = self.ctx.settings.writer_options(spec.name)
        state = self.plan.state
        return TableWriter(
            self.ctx.spark, self.ctx.names, spec.table, spec.key, spec.cursor, options,
            table_rows=(state.target_count or 0) if state is not None else 0,
        )  # fmt: skip

    def _comment(self) -> str:
        label = self.spec.label or self.spec.name
        return f"Sage Intacct {self.spec.name} ({label}), kept in step by intacct-sync"


def collect_keys(
    batches: Iterable[pa.RecordBatch], key: str, sink: list[pa.Array]
) -> Iterator[pa.RecordBatch]:
    """Pass batches through, keeping their key column (for the key sweep after a full read)."""
    for batch in batches:
        sink.append(batch.column(key))
        yield batch


def _describe(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"
