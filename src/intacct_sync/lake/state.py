"""The run log, ``_sync_runs``, and the state the next run starts from, derived from it.

One row per object (and entity) per run, plus one ``_run`` row with the run's totals. The
state of an object (its watermark, when it was last read in full, last swept, last reconciled)
is not kept in a table of its own: it is read from the log (``states``), so the watermark and
the run record can never disagree, and a run records everything it did in ONE append at the end
(or per tier, when a tier wrote data; see the pipeline). Appends never conflict with each
other, so parallel objects and even two runs at once never fight over a state row.

The watermark moves only when a run row says ``succeeded``, and that row is written only after
the object's data committed: a crash in between leaves the old watermark, the next run reads
the same window again and converges.
"""

# ruff: noqa: S608 -- SQL holds only checked identifiers (names.py) and formatted timestamps.

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession

from intacct_sync.lake.merge import with_conflict_retry
from intacct_sync.lake.names import TableNames
from intacct_sync.lake.runlog import RUN_OBJECT, RunRecord, parse_sums
from intacct_sync.lake.schema import create_table, ensure_table, spark_schema
from intacct_sync.lake.sql import timestamp_literal

log = logging.getLogger(__name__)

RUNS_TABLE = "_sync_runs"
LEGACY_STATE_TABLE = "_sync_state"  # before the state came from the log
_TS = pa.timestamp("us", tz="UTC")

RUNS_SCHEMA = pa.schema(
    [("run_id", pa.string()), ("object", pa.string()), ("entity", pa.string()),
     ("started_at", _TS), ("ended_at", _TS), ("status", pa.string()), ("mode", pa.string()),
     ("rows_read", pa.int64()), ("rows_inserted", pa.int64()), ("rows_updated", pa.int64()),
     ("rows_deleted", pa.int64()), ("api_calls", pa.int64()), ("pages", pa.int64()),
     ("bytes", pa.int64()), ("watermark_before", _TS), ("watermark_after", _TS),
     ("error_message", pa.string()), ("source_count", pa.int64()), ("target_count", pa.int64()),
     ("source_sums", pa.string()), ("target_sums", pa.string()), ("reconciled", pa.bool_()),
     ("reconcile_api_calls", pa.int64()), ("warnings", pa.string()),
     # added with the state in the log:
     ("transactions", pa.int64()), ("keys_swept", pa.bool_()), ("table_version", pa.int64()),
     ("fields_hash", pa.string()), ("source_digest", pa.string()),
     ("refused_fields", pa.string()), ("page_size", pa.int64()),
     # added with reconciliation from the change data feed:
     ("target_basis", pa.string())]
)  # fmt: skip


@dataclass(frozen=True)
class SyncState:
    """Where an object (and entity) stands, from its succeeded runs in the log."""

    object: str
    entity: str
    watermark: datetime | None = None
    last_full_sync: datetime | None = None
    last_key_sweep: datetime | None = None
    last_reconcile: datetime | None = None
    reconciled_version: int | None = None  # the table version the last reconciliation saw
    target_count: int | None = None  # and the table's figures then
    target_sums: dict[str, Decimal] | None = None
    last_target_scan: datetime | None = None  # the last run that counted the table by a scan
    fields_hash: str | None = None  # lookup's fields as last synced
    source_digest: str | None = None  # a full read's content, for objects read in full
    refused_fields: tuple[str, ...] = ()  # fields query refused (asked again on a full read)
    page_size: int | None = None  # learned from timeouts (the configured size on a full read)
    table_version: int | None = None  # after the last run that wrote
    run_id: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class LogSnapshot:
    states: dict[tuple[str, str], SyncState]
    month_transactions: int  # billable Intacct transactions recorded since the month began


class StateStore:
    """Reads and appends the run log; creates (and upgrades) it on first use."""

    def __init__(self, spark: SparkSession, names: TableNames) -> None:
        self.spark, self.names = spark, names
        self.table = names.qualified(RUNS_TABLE)
        self._ready = False

    def ensure(self) -> None:
        """Create the run log if missing, add the columns an older one lacks, and fold a legacy
        ``_sync_state`` table into it (then drop it: the state now comes from the log)."""
        if self._ready:
            return
        wanted = spark_schema(RUNS_SCHEMA, audit=False)
        if not self.names.exists(self.spark, RUNS_TABLE):
            create_table(self.spark, self.names, RUNS_TABLE, wanted, None, _COMMENT)
        else:
            ensure_table(self.spark, self.names, RUNS_TABLE, wanted, "run_id")
        if self.names.exists(self.spark, LEGACY_STATE_TABLE):
            self._migrate_legacy()
        self._ready = True

    def _frame(self, rows: list[dict]) -> DataFrame:
        return self.spark.createDataFrame(pa.Table.from_pylist(rows, schema=RUNS_SCHEMA))

    def record(self, records: list[RunRecord]) -> None:
        """Append run records in one commit (appends never conflict with each other)."""
        if not records:
            return
        self.ensure()
        self._append_now(records)

    def snapshot(self, now: datetime) -> LogSnapshot:
        """Every object's state and this month's transactions, in one read of the log."""
        self.ensure()
        month = now.astimezone(timezone.utc).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        ok = "status = 'succeeded'"
        rows = (
            self.spark.sql(
                f"""
            SELECT object, entity,
              max(watermark_after) FILTER (WHERE {ok}) AS watermark,
              max(started_at) FILTER (WHERE {ok} AND mode <> 'incremental') AS last_full_sync,
              max(started_at) FILTER (WHERE {ok} AND keys_swept) AS last_key_sweep,
              max_by(struct(started_at, table_version, target_count, target_sums), started_at)
                FILTER (WHERE reconciled IS NOT NULL) AS reconcile,
              max(started_at) FILTER (WHERE target_basis = 'scan') AS last_target_scan,
              max_by(struct(fields_hash, source_digest, table_version, run_id, ended_at,
                            refused_fields, page_size), ended_at)
                FILTER (WHERE {ok}) AS latest,
              count(*) FILTER (WHERE {ok}) AS succeeded,
              coalesce(sum(transactions) FILTER (WHERE started_at >= {timestamp_literal(month)}), 0)
                AS month_transactions
            FROM {self.table}
            GROUP BY object, entity
            """
            )
            .toArrow()
            .to_pylist()
        )
        # An object with failed runs only has no state: it starts over as if never synced.
        states = {
            (r["object"], r["entity"]): _state(r)
            for r in rows
            if r["object"] != RUN_OBJECT and r["succeeded"]
        }
        return LogSnapshot(states, sum(int(r["month_transactions"]) for r in rows))

    def get(self, object: str, entity: str = "") -> SyncState | None:  # noqa: A002
        """One object's state (a read of the log: for tests and the status command)."""
        return self.snapshot(datetime.now(timezone.utc)).states.get((object, entity))

    def states(self) -> list[SyncState]:
        snap = self.snapshot(datetime.now(timezone.utc))
        return sorted(snap.states.values(), key=lambda s: (s.object, s.entity))

    def last_runs(self, limit: int = 50) -> list[RunRecord]:
        """The newest runs first."""
        self.ensure()
        order = "ORDER BY started_at DESC, object, entity"
        rows = self.spark.sql(f"SELECT * FROM {self.table} {order} LIMIT {int(limit)}")
        return [RunRecord.from_row(row) for row in rows.toArrow().to_pylist()]

    def _migrate_legacy(self) -> None:
        legacy = self.names.qualified(LEGACY_STATE_TABLE)
        rows = self.spark.table(legacy).toArrow().to_pylist()
        records = [_from_legacy(row) for row in rows]
        self._append_now(records)
        self.spark.sql(f"DROP TABLE IF EXISTS {legacy}")
        log.info("moved %d watermarks from %s into %s", len(records), legacy, self.table)

    def _append_now(self, records: list[RunRecord]) -> None:
        if records:
            frame = self._frame([r.row() for r in records])
            with_conflict_retry(
                lambda: frame.write.format("delta").mode("append").saveAsTable(self.table)
            )


_COMMENT = "intacct-sync run log: one row per object and run (and a _run row per run)"


def _state(row: dict) -> SyncState:
    reconcile = row.get("reconcile") or {}
    latest = row.get("latest") or {}
    return SyncState(
        object=row["object"],
        entity=row["entity"],
        watermark=row["watermark"],
        last_full_sync=row["last_full_sync"],
        last_key_sweep=row["last_key_sweep"],
        last_reconcile=reconcile.get("started_at"),
        reconciled_version=reconcile.get("table_version"),
        target_count=reconcile.get("target_count"),
        target_sums=parse_sums(reconcile.get("target_sums")) if reconcile else None,
        last_target_scan=row["last_target_scan"],
        fields_hash=latest.get("fields_hash"),
        source_digest=latest.get("source_digest"),
        refused_fields=tuple(filter(None, (latest.get("refused_fields") or "").split(","))),
        page_size=latest.get("page_size"),
        table_version=latest.get("table_version"),
        run_id=latest.get("run_id"),
        updated_at=latest.get("ended_at"),
    )


def _from_legacy(row: dict) -> RunRecord:
    at = row.get("updated_at") or row.get("last_full_sync") or datetime.now(timezone.utc)
    return RunRecord(
        run_id=f"migrated-{row.get('run_id') or 'state'}",
        object=row["object"],
        entity=row["entity"],
        started_at=at,
        ended_at=at,
        status="succeeded",
        mode="full" if row.get("last_full_sync") else "incremental",
        watermark_after=row.get("watermark"),
        keys_swept=row.get("last_key_reconcile") is not None,
        warnings=["state moved from the former _sync_state table"],
    )
