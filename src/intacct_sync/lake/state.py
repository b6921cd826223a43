"""Sync bookkeeping in Delta: ``_sync_state`` (watermarks) and ``_sync_runs`` (one row per run).

Rows travel as Arrow both ways, so timestamps stay UTC-aware and nothing passes through floats.
The watermark moves only when the pipeline calls ``advance`` after its MERGE committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa
from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from intacct_sync.lake.merge import with_conflict_retry
from intacct_sync.lake.names import TableNames
from intacct_sync.lake.runlog import RunRecord
from intacct_sync.lake.schema import create_table, spark_schema

STATE_TABLE = "_sync_state"
RUNS_TABLE = "_sync_runs"
_TS = pa.timestamp("us", tz="UTC")

STATE_SCHEMA = pa.schema(
    [("object", pa.string()), ("entity", pa.string()), ("watermark", _TS),
     ("last_full_sync", _TS), ("last_key_reconcile", _TS), ("updated_at", _TS),
     ("run_id", pa.string())]
)  # fmt: skip
RUNS_SCHEMA = pa.schema(
    [("run_id", pa.string()), ("object", pa.string()), ("entity", pa.string()),
     ("started_at", _TS), ("ended_at", _TS), ("status", pa.string()), ("mode", pa.string()),
     ("rows_read", pa.int64()), ("rows_inserted", pa.int64()), ("rows_updated", pa.int64()),
     ("rows_deleted", pa.int64()), ("api_calls", pa.int64()), ("pages", pa.int64()),
     ("bytes", pa.int64()), ("watermark_before", _TS), ("watermark_after", _TS),
     ("error_message", pa.string()), ("source_count", pa.int64()), ("target_count", pa.int64()),
     ("source_sums", pa.string()), ("target_sums", pa.string()), ("reconciled", pa.bool_()),
     ("reconcile_api_calls", pa.int64()), ("warnings", pa.string())]
)  # fmt: skip


@dataclass(frozen=True)
class SyncState:
    object: str
    entity: str
    watermark: datetime | None
    last_full_sync: datetime | None
    last_key_reconcile: datetime | None
    updated_at: datetime | None
    run_id: str | None


class StateStore:
    """Reads and writes ``_sync_state`` and ``_sync_runs``; both are created on first use."""

    def __init__(self, spark: SparkSession, names: TableNames) -> None:
        self.spark, self.names = spark, names
        self._ready: set[str] = set()

    def _table(self, table: str, schema: pa.Schema) -> str:
        if table not in self._ready:
            if not self.names.exists(self.spark, table):
                create_table(self.spark, self.names, table, spark_schema(schema, False), None)
            self._ready.add(table)
        return self.names.qualified(table)

    def ensure(self) -> None:
        """Create both tables now if they are missing (before threads could race to do it)."""
        self._table(STATE_TABLE, STATE_SCHEMA)
        self._table(RUNS_TABLE, RUNS_SCHEMA)

    def _frame(self, rows: list[dict], schema: pa.Schema) -> DataFrame:
        return self.spark.createDataFrame(pa.Table.from_pylist(rows, schema=schema))

    def get(self, object: str, entity: str) -> SyncState | None:
        table = self.spark.table(self._table(STATE_TABLE, STATE_SCHEMA))
        rows = table.where((F.col("object") == object) & (F.col("entity") == entity))
        found = rows.toArrow().to_pylist()
        return SyncState(**found[0]) if found else None

    def states(self) -> list[SyncState]:
        table = self.spark.table(self._table(STATE_TABLE, STATE_SCHEMA))
        rows = table.orderBy("object", "entity").toArrow().to_pylist()
        return [SyncState(**row) for row in rows]

    def advance(
        self,
        object: str,
        entity: str,
        watermark: datetime | None,
        run_id: str,
        full: bool,
        swept_keys: bool = False,
        at: datetime | None = None,
    ) -> None:
        """Set the watermark of (object, entity); stamp the full sync / key sweep time."""
        now = at or datetime.now(timezone.utc)
        row = {
            "object": object, "entity": entity, "watermark": watermark,
            "last_full_sync": now if full else None,
            "last_key_reconcile": now if swept_keys else None,
            "updated_at": now, "run_id": run_id,
        }  # fmt: skip
        source = self._frame([row], STATE_SCHEMA)
        updates = {c: F.col(f"s.{c}") for c in ("watermark", "updated_at", "run_id")}
        if full:
            updates["last_full_sync"] = F.col("s.last_full_sync")
        if swept_keys:
            updates["last_key_reconcile"] = F.col("s.last_key_reconcile")
        target = DeltaTable.forName(self.spark, self._table(STATE_TABLE, STATE_SCHEMA))

        def merge() -> None:
            (
                target.alias("t")
                .merge(source.alias("s"), "t.object = s.object AND t.entity = s.entity")
                .whenMatchedUpdate(set=updates)
                .whenNotMatchedInsertAll()
                .execute()
            )

        with_conflict_retry(merge)

    def record_run(self, record: RunRecord) -> None:
        frame = self._frame([record.row()], RUNS_SCHEMA)
        table = self._table(RUNS_TABLE, RUNS_SCHEMA)
        with_conflict_retry(lambda: frame.write.format("delta").mode("append").saveAsTable(table))

    def last_runs(self, limit: int = 50) -> list[RunRecord]:
        """The newest runs first."""
        table = self.spark.table(self._table(RUNS_TABLE, RUNS_SCHEMA))
        ordered = table.orderBy(F.col("started_at").desc(), F.col("object"), F.col("entity"))
        rows = ordered.limit(limit).toArrow().to_pylist()
        return [RunRecord.from_row(row) for row in rows]
