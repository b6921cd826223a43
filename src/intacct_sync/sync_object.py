"""One object's sync, state to state (used by :mod:`intacct_sync.pipeline`).

read watermark -> read pages (keyset, window) -> one MERGE -> deletes -> reconcile
-> advance watermark -> run row. Everything before ``advance`` can fail and leave the
watermark where it was; a rerun then reads the same window again and converges, because the
MERGE only ever applies a newer version of a row.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pyarrow as pa

from intacct_sync.config import Settings
from intacct_sync.deletes import DeleteContext, apply_deletes, sweep_due
from intacct_sync.entities import check_scope, table_lock
from intacct_sync.events import RunEvents
from intacct_sync.intacct.objects import ObjectSpec
from intacct_sync.intacct.stats import scope
from intacct_sync.lake.runlog import RunRecord
from intacct_sync.reconcile import reconcile_run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from intacct_sync.intacct.client import IntacctClient
    from intacct_sync.lake.names import TableNames
    from intacct_sync.lake.state import StateStore, SyncState
    from intacct_sync.lake.writer import TableWriter

log = logging.getLogger("intacct_sync.sync")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def window_bounds(
    watermark: datetime | None, now: datetime, settings: Settings, full: bool
) -> tuple[datetime | None, datetime]:
    """``[watermark - lookback, now - lag]``; ``None`` as the start means everything."""
    end = now - settings.lag
    if settings.backfill_from is not None:
        start = datetime.combine(settings.backfill_from, datetime.min.time(), tzinfo=timezone.utc)
        return start, end
    if full or watermark is None:
        return None, end
    return watermark - settings.lookback, end


def collect_keys(
    batches: Iterable[pa.RecordBatch], key: str, sink: list[pa.Array]
) -> Iterator[pa.RecordBatch]:
    """Pass batches through, keeping their key column (for key sweep after a full read)."""
    for batch in batches:
        sink.append(batch.column(key))
        yield batch


def elapsed_since(start: float) -> timedelta:
    return timedelta(seconds=time.monotonic() - start)


@dataclass
class ObjectSync:
    """One object (for one entity) from its state at the start of the run to its run record."""

    spec: ObjectSpec
    entity: str
    settings: Settings
    client: IntacctClient  # possibly entity-scoped
    spark: SparkSession
    names: TableNames
    state: StateStore
    current: SyncState | None  # (object, entity) at the start of the run
    run_id: str
    now: Callable[[], datetime]
    events: RunEvents

    def run(self) -> RunRecord:
        spec = self.spec
        label = f"{spec.name}@{self.entity}" if self.entity else spec.name
        result = RunRecord(self.run_id, spec.name, self.entity, self.now(), table=spec.table)
        self.events.start(label)
        tag = f"{self.run_id}/{label}"
        try:
            with scope(tag):  # API calls counted for this object alone, even in parallel
                self._attempt(result, label)
        finally:
            result.api_calls, result.bytes = self.client.scoped_usage(tag)
            result.ended_at = self.now()
            self.events.done(label, result.status)
            self._record(result)
        return result

    def _attempt(self, result: RunRecord, label: str) -> None:
        s, current = self.settings, self.current
        try:
            result.watermark_before = current.watermark if current else None
            full = s.full_refresh or current is None
            result.mode = "backfill" if s.backfill_from else ("full" if full else "incremental")
            start, end = window_bounds(result.watermark_before, result.started_at, s, full)
            # Entity sessions of one object share its table: one writes at a time.
            with table_lock(self.spec.table) if self.entity else nullcontext():
                self._sync(result, start, end, full, current, label)
            result.watermark_after = end
            result.status = "succeeded"
        except Exception as exc:  # noqa: BLE001 - one object failing must not stop the others
            result.status = "failed"
            result.error_message = _describe(exc)
            log.error("%s failed: %s", label, result.error_message)

    def _sync(self, result: RunRecord, start, end, full: bool, current, label: str) -> None:
        from intacct_sync.intacct.reader import Window
        from intacct_sync.intacct.streams import prefetch

        spec, s = self.spec, self.settings
        deadline = time.monotonic() + s.object_time_budget.total_seconds()
        check_scope(self.client, self.entity)
        fields = self.client.lookup(spec.name)
        schema = _schema(fields)
        writer = self._writer(spec)
        keys: list[pa.Array] = []

        # Fetching starts now, while the Delta table is prepared; closed whatever happens.
        window = Window(start, end)
        pages = prefetch(self.client.read_pages(spec, fields, window, page_size=s.page_size))

        def batches():
            for page in pages:
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{spec.name} ran past its time budget of {s.object_time_budget}; "
                        "nothing was written. Raise object_time_budget or sync this object on "
                        "its own."
                    )
                result.pages += 1
                result.rows_read += page.batch.num_rows
                self.events.page(label, page.batch.num_rows, page.totalcount)
                yield page.batch

        source = collect_keys(batches(), spec.key, keys) if start is None else batches()
        with pages:
            loaded = writer.load(
                source, schema, run_id=self.run_id, entity=self.entity, synced_at=result.started_at
            )
        result.rows_inserted, result.rows_updated = loaded.inserted, loaded.updated
        self._after_load(result, writer, start, end, keys, current, label)

    def _after_load(self, result: RunRecord, writer, start, end, keys, current, label) -> None:
        """Deletes (audit, key sweep, cascades), then counts and sums against Intacct."""
        ctx = DeleteContext(
            spec=self.spec,
            client=self.client,
            writer=writer,
            writer_for=self._writer,
            run_id=self.run_id,
            now=self.now,
            warnings=result.warnings,
            entity=self.entity,
        )
        last = current.last_key_reconcile if current else None
        due = sweep_due(self.settings, last, result.started_at)
        outcome = apply_deletes(ctx, start, end, keys, current is not None, sweep_keys=due)
        result.rows_deleted += outcome.deleted
        result.keys_swept = outcome.keys_swept
        if self.settings.reconcile and writer.mode == "merge":  # append keeps every version
            tag = f"{self.run_id}/{label}"
            reconcile_run(
                self.spec,
                self.client,
                writer.live_dataframe(),
                result,
                entity=self.entity,
                window_end=end,
                calls=lambda: self.client.scoped_usage(tag)[0],
            )

    def _writer(self, spec: ObjectSpec) -> TableWriter:
        from intacct_sync.lake.writer import TableWriter

        options = self.settings.writer_options(spec.name)
        return TableWriter(self.spark, self.names, spec.table, spec.key, spec.cursor, options)

    def _record(self, result: RunRecord) -> None:
        try:
            if result.status == "succeeded":
                self.state.advance(
                    self.spec.name,
                    self.entity,
                    result.watermark_after,
                    self.run_id,
                    full=result.mode != "incremental",
                    swept_keys=result.keys_swept,
                    at=result.started_at,  # the run's clock, so the key-sweep cadence is too
                )
            self.state.record_run(result)
        except Exception as exc:  # noqa: BLE001
            result.status = "failed"
            result.error_message = (
                result.error_message or ""
            ) + f" (and the run record could not be written: {_describe(exc)})"
            log.error("%s: %s", self.spec.name, result.error_message)


def _schema(fields) -> pa.Schema:
    from intacct_sync.intacct.fields import arrow_schema

    return arrow_schema(fields)


def _describe(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"
