"""Arrow pages -> one Delta table: MERGE (insert / update only if newer), append, deletes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from intacct_sync.lake.errors import EmptyKeySet, MissingKeys
from intacct_sync.lake.merge import (
    MergeCounts,
    dedupe,
    merge_counts,
    newer_condition,
    with_conflict_retry,
)
from intacct_sync.lake.names import TableNames
from intacct_sync.lake.options import Transfer, WriterOptions
from intacct_sync.lake.schema import AUDIT_COLUMNS, column_name, ensure_table, spark_schema
from intacct_sync.lake.staging import SEQ, Stage, chunks, default_transfer

KEY = "_key"  # the one column of a staged key set
# Delta's idempotent-write id for a first load appended into an empty table (see _first_load).
FIRST_LOAD_TXN = "intacct-sync-first-load"


@dataclass(frozen=True)
class LoadResult:
    rows_in: int
    inserted: int
    updated: int
    deleted: int = 0
    unchanged: int | None = None  # rows MERGE matched and left alone (None if not known)


class TableWriter:
    """Writes one object's pages into its Delta table.

    >>> writer = TableWriter(spark, names, "ap_bill", key="RECORDNO", cursor="WHENMODIFIED")
    >>> writer.load(pages, schema, run_id="r1", synced_at=now)  # doctest: +SKIP
    LoadResult(rows_in=2000, inserted=1990, updated=10, deleted=0, unchanged=0)
    """

    def __init__(
        self,
        spark: SparkSession,
        names: TableNames,
        table: str,
        key: str,
        cursor: str | None,
        options: WriterOptions | None = None,
    ) -> None:
        self.spark, self.names, self.table = spark, names, table
        self.options = options = options or WriterOptions()
        self.qualified = names.qualified(table)
        self.key = column_name(key)
        self.cursor = column_name(cursor) if cursor else None
        self.mode, self.hard_delete = options.mode, options.hard_delete
        self.chunk_rows, self.staging_dir = options.chunk_rows, options.staging_dir
        self.transfer: Transfer = options.transfer or default_transfer(options.staging_dir)
        self.retry_attempts = options.retry_attempts

    def load(
        self,
        batches: Iterable[pa.RecordBatch],
        schema: pa.Schema,
        *,
        run_id: str,
        entity: str = "",
        synced_at: datetime,
    ) -> LoadResult:
        """MERGE (or append) the pages in one commit to the target; returns the commit's counts."""
        wanted = spark_schema(schema)
        if self.key not in wanted.names:
            raise MissingKeys(
                f"{self.table}: key {self.key} is not among the fields {wanted.names}"
            )
        evolution = ensure_table(self.spark, self.names, self.table, wanted, self.key)
        types = {f.name: f.dataType for f in evolution.schema}
        data = T.StructType(
            [T.StructField(f.name, types[f.name]) for f in wanted if f.name not in AUDIT_COLUMNS]
        )
        rows_in = 0
        keys: list[pa.Array | pa.ChunkedArray] = []
        with Stage(self.spark, self.names, self.table, self.transfer, self.staging_dir) as stage:
            for chunk in chunks(batches, data, self.chunk_rows):
                if chunk.column(self.key).null_count:
                    # A null key never matches in MERGE: it would insert a duplicate every run.
                    raise MissingKeys(f"{self.table}: rows without a {self.key} in the source")
                rows_in += chunk.num_rows
                keys.append(chunk.column(self.key))
                stage.add(chunk)
            if stage.empty:
                return LoadResult(0, 0, 0)
            source = _with_audit(stage.dataframe(), run_id, entity, synced_at)
            if self.mode == "append":
                return self._append(source, rows_in)
            return self._merge(source, rows_in, unique_keys=_distinct(keys) == rows_in)

    def _append(self, source: DataFrame, rows_in: int) -> LoadResult:
        rows = source.drop(SEQ)

        def write() -> None:
            rows.write.format("delta").mode("append").saveAsTable(self.qualified)

        with_conflict_retry(write, self.retry_attempts)
        return LoadResult(rows_in, rows_in, 0)

    def _merge(self, source: DataFrame, rows_in: int, unique_keys: bool = False) -> LoadResult:
        rows = dedupe(source, self.key, self.cursor)
        columns = rows.columns
        condition = newer_condition(self.cursor, columns)
        values = {c: F.col(f"s.`{c}`") for c in columns}
        target = DeltaTable.forName(self.spark, self.qualified)
        first_loads: list[bool] = []

        def merge() -> MergeCounts:
            first_loads.clear()
            if unique_keys and self._first_load(source, target):
                first_loads.append(True)
                return MergeCounts(inserted=rows_in)
            result = (
                target.alias("t")
                .merge(rows.alias("s"), f"t.`{self.key}` = s.`{self.key}`")
                .whenMatchedUpdate(condition=condition, set=values)
                .whenNotMatchedInsert(values=values)
                .execute()
            )
            return merge_counts(result, target)

        counts = with_conflict_retry(merge, self.retry_attempts)
        unchanged = 0 if first_loads else self._unchanged(target, counts)
        return LoadResult(rows_in, counts.inserted, counts.updated, 0, unchanged)

    def _first_load(self, source: DataFrame, target: DeltaTable) -> bool:
        """Into an empty table, rows with distinct keys are appended: no join, no shuffle.

        A MERGE into nothing only inserts, so the result is the same. Two runs doing this at
        once would both append; Delta's idempotent-write options prevent it: both tag the commit
        with the same application id and the table version they found empty, so the second
        commit fails with ``ConcurrentTransactionException``, is rerun by the conflict retry,
        finds the table no longer empty and MERGEs. False when the table has data.
        """
        if target.detail().select("numFiles").first()[0]:
            return False
        version = target.history(1).select("version").first()[0]
        (
            source.drop(SEQ)
            .write.format("delta")
            .mode("append")
            .option("txnAppId", FIRST_LOAD_TXN)
            .option("txnVersion", str(version + 1))
            .saveAsTable(self.qualified)
        )
        return True

    def _unchanged(self, target: DeltaTable, counts: MergeCounts) -> int | None:
        metrics = target.history(1).select("operation", "operationMetrics").first()
        if metrics is None or metrics[0] != "MERGE":
            return None
        m = metrics[1] or {}
        ours = (str(counts.inserted), str(counts.updated)) == (
            m.get("numTargetRowsInserted"),
            m.get("numTargetRowsUpdated"),
        )
        return int(m["numSourceRows"]) - counts.inserted - counts.updated if ours else None

    def mark_deleted(
        self, keys: Iterable[int] | pa.Array, *, run_id: str, synced_at: datetime
    ) -> int:
        """Soft-delete (with hard_delete: DELETE) the rows with these keys; returns the count."""
        return self._delete_matching(self.key, self._key_frame(keys), run_id, synced_at)

    def mark_deleted_where_parent(
        self,
        parent_column: str,
        parent_keys: Iterable[int] | pa.Array,
        *,
        run_id: str,
        synced_at: datetime,
    ) -> int:
        """Delete the lines of deleted headers (e.g. ap_bill_item rows whose recordkey is gone)."""
        column = column_name(parent_column)
        return self._delete_matching(column, self._key_frame(parent_keys), run_id, synced_at)

    def _delete_matching(
        self, column: str, keys: DataFrame, run_id: str, synced_at: datetime
    ) -> int:
        if not self.names.exists(self.spark, self.table):
            return 0
        target = DeltaTable.forName(self.spark, self.qualified)

        def merge() -> MergeCounts:
            builder = target.alias("t").merge(keys.alias("s"), f"t.`{column}` = s.{KEY}")
            if self.hard_delete:
                builder = builder.whenMatchedDelete()
            else:
                builder = builder.whenMatchedUpdate(
                    condition="NOT coalesce(t._deleted, false)", set=_deleted_set(run_id, synced_at)
                )
            return merge_counts(builder.execute(), target)

        counts = with_conflict_retry(merge, self.retry_attempts)
        return counts.deleted if self.hard_delete else counts.updated

    def sweep_keys(
        self,
        live_keys: Iterable[pa.Array],
        *,
        run_id: str,
        synced_at: datetime,
        entity: str | None = None,
        allow_empty: bool = False,
    ) -> int:
        """Delete every live row whose key is not in the full key set the source returned.

        ``entity`` limits the sweep to that entity's rows. An empty key set would delete the whole
        table, which is almost always a failed read: it is refused unless ``allow_empty``.
        """
        if not self.names.exists(self.spark, self.table):
            return 0
        key_table = f"{self.table}_keys"
        with Stage(self.spark, self.names, key_table, self.transfer, self.staging_dir) as stage:
            for part in _key_chunks(live_keys, self.chunk_rows):
                stage.add(part)
            if stage.empty and not allow_empty:
                raise EmptyKeySet(
                    f"{self.table}: sweep_keys got no keys; refusing to delete every row "
                    "(pass allow_empty=True if the object really is empty)"
                )
            keys = stage.dataframe() if not stage.empty else self._key_frame([])
            return self._sweep(keys.select(KEY).distinct(), run_id, synced_at, entity)

    def _sweep(self, keys: DataFrame, run_id: str, synced_at: datetime, entity: str | None) -> int:
        target = DeltaTable.forName(self.spark, self.qualified)
        scope = "NOT coalesce(t._deleted, false)"
        scope_col = F.expr(scope)
        if entity is not None:
            scope_col = scope_col & (F.col("t._entity") == F.lit(entity))

        def merge() -> MergeCounts:
            builder = target.alias("t").merge(keys.alias("s"), f"t.`{self.key}` = s.{KEY}")
            if self.hard_delete:
                builder = builder.whenNotMatchedBySourceDelete(condition=scope_col)
            else:
                builder = builder.whenNotMatchedBySourceUpdate(
                    condition=scope_col, set=_deleted_set(run_id, synced_at)
                )
            return merge_counts(builder.execute(), target)

        counts = with_conflict_retry(merge, self.retry_attempts)
        return counts.deleted if self.hard_delete else counts.updated

    def _key_frame(self, keys: Iterable[int] | pa.Array) -> DataFrame:
        array = keys if isinstance(keys, pa.Array) else pa.array(list(keys), pa.int64())
        table = pa.table({KEY: array.cast(pa.int64())})
        return self.spark.createDataFrame(table).distinct()

    def live_dataframe(self) -> DataFrame:
        """The table's rows that are not soft-deleted."""
        return self.spark.table(self.qualified).where("NOT coalesce(_deleted, false)")


# At the top level a record's owning entity is its MEGAENTITYID (empty for shared records);
# an entity session's rows belong to that entity (PROTOCOL.md §10).
OWNER_COLUMN = "megaentityid"


def _with_audit(source: DataFrame, run_id: str, entity: str, synced_at: datetime) -> DataFrame:
    owner = F.lit(entity)
    if not entity and OWNER_COLUMN in source.columns:
        owner = F.coalesce(F.col(OWNER_COLUMN), F.lit(""))
    return source.select(
        "*",
        owner.alias("_entity"),
        F.lit(False).alias("_deleted"),
        F.lit(synced_at).cast("timestamp").alias("_synced_at"),
        F.lit(run_id).alias("_run_id"),
    )


def _deleted_set(run_id: str, synced_at: datetime) -> dict[str, Column]:
    return {
        "_deleted": F.lit(True),
        "_synced_at": F.lit(synced_at).cast("timestamp"),
        "_run_id": F.lit(run_id),
    }


def _key_chunks(live_keys: Iterable[pa.Array], chunk_rows: int) -> Iterable[pa.Table]:
    for array in live_keys:
        keys = array.cast(pa.int64())
        for start in range(0, len(keys), chunk_rows):
            yield pa.table({KEY: keys.slice(start, chunk_rows)})


def _distinct(keys: list[pa.Array | pa.ChunkedArray]) -> int:
    """How many distinct values the key columns of the staged chunks hold."""
    arrays = [a for c in keys for a in (c.chunks if isinstance(c, pa.ChunkedArray) else [c])]
    if not arrays:
        return 0
    return pc.count_distinct(pa.chunked_array(arrays)).as_py()
