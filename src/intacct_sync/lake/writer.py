"""Arrow pages -> one Delta table: MERGE (only newer), history versions, deletes.

Every operation is a SQL statement over a temporary view (``lake/sql.py``), so the writer runs
unchanged on classic Spark, Spark Connect and Databricks. Nothing is written until the first
page with rows arrives: an object whose window holds no change costs no Delta operation.
"""

# ruff: noqa: S608 -- SQL holds only checked identifiers (names.py) and generated view names.

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from intacct_sync.lake.compare import SIGN
from intacct_sync.lake.errors import EmptyKeySet, MissingKeys
from intacct_sync.lake.history import HistoryTable
from intacct_sync.lake.merge import dedupe, newer_condition, with_conflict_retry
from intacct_sync.lake.names import TableNames
from intacct_sync.lake.options import Transfer, WriterOptions
from intacct_sync.lake.schema import (
    AUDIT_COLUMNS,
    Evolution,
    column_name,
    ensure_table,
    spark_schema,
)
from intacct_sync.lake.spark import BULK_ROWS, bulk_session
from intacct_sync.lake.sql import (
    MergeCounts,
    last_commit,
    merge_counts,
    num_files,
    quote_string,
    temp_view,
    timestamp_literal,
)
from intacct_sync.lake.staging import SEQ, Stage, chunks, default_transfer

KEY = "_key"  # the one column of a staged key set
# Deletes of up to this many keys are one UPDATE/DELETE naming them (mark_deleted_matching);
# beyond, the statement text would grow large, so the keys go through a view and a MERGE.
INLINE_KEYS = 5000
# Delta's idempotent-write id for a first load appended into an empty table (see _first_load).
FIRST_LOAD_TXN = "intacct-sync-first-load"
CREATED = "CREATE TABLE"  # the history's operation for CREATE TABLE without rows


@dataclass(frozen=True)
class LoadResult:
    rows_in: int
    inserted: int
    updated: int
    deleted: int = 0
    written: bool = False  # a Delta commit was made (False: nothing to write, nothing touched)
    deletes_applied: bool = False  # the deletes handed to load went into the same MERGE


class TableWriter:
    """Writes one object's pages into its Delta table.

    >>> writer = TableWriter(spark, names, "ap_bill", key="RECORDNO", cursor="WHENMODIFIED")
    >>> writer.load(pages, schema, run_id="r1", synced_at=now)  # doctest: +SKIP
    LoadResult(rows_in=2000, inserted=1990, updated=10, deleted=0, written=True)
    """

    def __init__(
        self,
        spark: SparkSession,
        names: TableNames,
        table: str,
        key: str,
        cursor: str | None,
        options: WriterOptions | None = None,
        *,
        table_rows: int = 0,
    ) -> None:
        self.spark, self.names, self.table = spark, names, table
        # Rows the table is known to hold (the caller's last count; a load raises it): with
        # BULK_ROWS or more, statements that read or rewrite its rows run with generated code.
        self.table_rows = table_rows
        self.options = options = options or WriterOptions()
        self.qualified = names.qualified(table)
        self.key = column_name(key)
        self.cursor = column_name(cursor) if cursor else None
        self.mode, self.hard_delete = options.mode, options.hard_delete
        self.chunk_rows, self.staging_dir = options.chunk_rows, options.staging_dir
        self.transfer: Transfer = options.transfer or default_transfer(options.staging_dir)
        self.retry_attempts = options.retry_attempts
        self.staging_names = (
            TableNames(names.catalog, options.staging_schema, local=names.local)
            if options.staging_schema
            else names
        )
        self.history = HistoryTable(self) if self.mode == "history" else None

    # --- the table ------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.names.exists(self.spark, self.table)

    def ensure(self, schema: pa.Schema, comment: str | None = None) -> Evolution:
        """Create the table, or add the columns it lacks (and their comments)."""
        wanted = self._wanted(schema)
        return ensure_table(self.spark, self.names, self.table, wanted, self.key, comment)

    def _rows_session(self, rows: int = 0) -> SparkSession:
        """The session for a statement over the table's rows (and ``rows`` more): the local
        session's generated-code twin for a big table (``bulk_session``), else ``spark``."""
        if max(rows, self.table_rows) >= BULK_ROWS:
            return bulk_session(self.spark)
        return self.spark

    def version(self) -> int:
        """The table's newest Delta version (one metadata read)."""
        return last_commit(self.spark, self.qualified)[0]

    def _wanted(self, schema: pa.Schema) -> T.StructType:
        wanted = spark_schema(schema, history=self.history is not None)
        if self.key not in wanted.names:
            raise MissingKeys(
                f"{self.table}: key {self.key} is not among the fields {wanted.names}"
            )
        return wanted

    # --- rows -----------------------------------------------------------------------------

    def load(
        self,
        batches: Iterable[pa.RecordBatch],
        schema: pa.Schema,
        *,
        run_id: str,
        entity: str = "",
        synced_at: datetime,
        comment: str | None = None,
        has_rows: bool = False,
        deletes: Callable[[], Mapping[str, Iterable[int]]] | None = None,
    ) -> LoadResult:
        """MERGE the pages in one commit to the target; returns the commit's counts.

        The table is prepared only once a page with rows has arrived (the pages keep coming
        meanwhile); no rows, no Delta operation. ``has_rows``: the caller knows the table holds
        rows (an earlier run counted them), so it is not asked whether it is empty (two metadata
        reads before the MERGE). ``deletes``: called once the rows are staged, the keys to
        delete by column (as ``mark_deleted_matching`` takes them); up to ``INLINE_KEYS`` they go
        into the same MERGE (``deletes_applied``), so the table is rewritten once, not twice.
        """
        pending = _first_with_rows(iter(batches))
        if pending is None:
            return LoadResult(0, 0, 0)
        evolution = self.ensure(schema, comment)
        types = {f.name: f.dataType for f in evolution.schema}
        data = T.StructType(
            [
                T.StructField(f.name, types[f.name])
                for f in spark_schema(schema)
                if f.name not in AUDIT_COLUMNS
            ]
        )
        rows_in = 0
        keys: list[pa.Array | pa.ChunkedArray] = []
        stage = Stage(self.spark, self.staging_names, self.table, self.transfer, self.staging_dir)
        with stage:
            for chunk in chunks(pending, data, self.chunk_rows):
                if chunk.column(self.key).null_count:
                    # A null key never matches in MERGE: it would insert a duplicate every run.
                    raise MissingKeys(f"{self.table}: rows without a {self.key} in the source")
                rows_in += chunk.num_rows
                keys.append(chunk.column(self.key))
                stage.add(chunk)
            source = _with_audit(
                stage.dataframe(self._rows_session(rows_in)), run_id, entity, synced_at
            )
            if self.history is not None:
                return self.history.load(source, rows_in)
            unique = _distinct(keys) == rows_in
            gone = _by_column(deletes()) if deletes is not None else {}
            folded = deletes is not None and not _too_many(gone)
            if not folded:  # none, or too many keys for one statement: the caller deletes after
                gone = {}
            result = self._merge(
                source, rows_in, unique, first=not has_rows, gone=gone, stamp=(run_id, synced_at)
            )
            self.table_rows += result.inserted
            return replace(result, deletes_applied=folded)

    def _merge(
        self,
        source: DataFrame,
        rows_in: int,
        unique_keys: bool,
        first: bool = True,
        gone: dict[str, pa.Array] | None = None,
        stamp: tuple[str, datetime] | None = None,
    ) -> LoadResult:
        """One MERGE: newer rows update, new keys insert; with ``gone`` (keys by column), the
        live rows they match are deleted in the same commit, and source rows they match are
        neither taken nor inserted (a delete wins). A row the source has is judged by the
        source's values: a line the source moved to a header not deleted stays (Intacct moves a
        recreated bill's payment details to the new bill), as it did when the MERGE ran first
        and the delete after."""
        # Distinct keys need no dedupe: the window sort is a shuffle of the whole source.
        rows = source.drop(SEQ) if unique_keys else dedupe(source, self.key, self.cursor)
        columns = rows.columns
        condition = newer_condition(self.cursor, columns)
        assign = ", ".join(f"t.`{c}` = s.`{c}`" for c in columns)
        names = ", ".join(f"`{c}`" for c in columns)
        values = ", ".join(f"s.`{c}`" for c in columns)
        clauses = [
            f"WHEN MATCHED AND ({condition}) THEN UPDATE SET {assign}",
            f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})",
        ]
        in_target = in_source = ""
        if gone:
            assert stamp is not None
            action, live = self._delete_action(*stamp), self._live_condition()
            in_target, in_source = _matching_condition(gone, "t"), _matching_condition(gone, "s")
            clauses = [
                f"WHEN MATCHED AND {in_source} AND {live} THEN {action}",
                f"WHEN MATCHED AND NOT {in_source} AND ({condition}) THEN UPDATE SET {assign}",
                f"WHEN NOT MATCHED AND NOT {in_source} THEN INSERT ({names}) VALUES ({values})",
                f"WHEN NOT MATCHED BY SOURCE AND {in_target} AND {live} THEN {action}",
            ]
        soft = bool(gone) and not (self.hard_delete and self.history is None)
        spark = source.sparkSession  # the temporary view below belongs to it

        def merge() -> MergeCounts:
            if unique_keys and first and not gone and self._first_load(source):
                return MergeCounts(inserted=rows_in)
            # A soft delete is an update to the MERGE's counts: the rows it will take are
            # counted first, in the same attempt (a conflict reruns both).
            with temp_view(rows) as view:
                taking = self._count_taken(spark, view, in_target, in_source) if soft else 0
                result = spark.sql(
                    f"MERGE INTO {self.qualified} t USING {view} s "
                    f"ON t.`{self.key}` = s.`{self.key}` " + " ".join(clauses)
                )
                counts = merge_counts(result)
            if soft:
                return MergeCounts(counts.inserted, counts.updated - taking, taking)
            return counts

        counts = with_conflict_retry(merge, self.retry_attempts)
        return LoadResult(rows_in, counts.inserted, counts.updated, counts.deleted, written=True)

    def _count_taken(self, spark: SparkSession, view: str, in_target: str, in_source: str) -> int:
        """The live rows the MERGE's delete clauses will take: judged by the source row where
        the source has the key, by the table's otherwise."""
        row = spark.sql(
            f"SELECT count(*) AS n FROM {self.qualified} t LEFT JOIN {view} s "
            f"ON t.`{self.key}` = s.`{self.key}` WHERE {self._live_condition()} AND CASE "
            f"WHEN s.`{self.key}` IS NULL THEN {in_target} ELSE {in_source} END"
        ).first()
        return int(row["n"])

    def _first_load(self, source: DataFrame) -> bool:
        """Into an empty table, rows with distinct keys are appended: no join, no shuffle.

        A MERGE into nothing only inserts, so the result is the same. Two runs doing this at
        once would both append; Delta's idempotent-write options prevent it: both tag the commit
        with the same application id and the table version they found empty, so the second
        commit fails with a concurrent-transaction conflict, is rerun by the conflict retry,
        finds the table no longer empty and MERGEs. False when the table has data. (Should the
        other commit land before this one starts, Delta skips this one as already made: the
        table holds the other run's read of the same object, and the next window, which
        reaches back ``lookback``, brings what changed between the two reads.)

        Emptiness is judged at the version the commit is tagged with, so a first load that
        lands in between is seen (files) or refused (same tag): a table whose newest commit
        is its creation is empty at that version (one history read); any other newest
        commit (columns added, rows deleted) asks for the data files, read after the version.
        """
        version, operation = last_commit(self.spark, self.qualified)
        if operation != CREATED and num_files(self.spark, self.qualified):
            return False
        (
            source.drop(SEQ)
            .write.format("delta")
            .mode("append")
            .option("txnAppId", FIRST_LOAD_TXN)
            .option("txnVersion", str(version + 1))
            .saveAsTable(self.qualified)
        )
        return True

    # --- deletes --------------------------------------------------------------------------

    def mark_deleted(
        self, keys: Iterable[int] | pa.Array, *, run_id: str, synced_at: datetime
    ) -> int:
        """Soft-delete (with hard_delete: DELETE) the rows with these keys; returns the count."""
        return self.mark_deleted_matching({self.key: keys}, run_id=run_id, synced_at=synced_at)

    def mark_deleted_matching(
        self,
        matching: dict[str, Iterable[int] | pa.Array],
        *,
        run_id: str,
        synced_at: datetime,
    ) -> int:
        """Delete the live rows whose value in any of the columns is among its keys, in one
        commit: ``{"RECORDNO": [deleted lines], "RECORDKEY": [deleted bills]}`` takes a line
        object's own deletes and its headers' in one pass. Returns the rows taken."""
        wanted = _by_column(matching)
        if not wanted or not self.exists():
            return 0
        if _too_many(wanted):
            # The live condition keeps a row taken by one column from being counted again.
            return sum(
                self._delete_by_merge(column, keys, run_id, synced_at)
                for column, keys in wanted.items()
            )
        # One UPDATE (or DELETE) naming the keys: Delta reads only the files whose key
        # statistics can hold them, in one pass. A MERGE on a key view plans a join and runs
        # several Spark jobs (measured locally: 4-8 s for a handful of keys, against 0.2-0.5 s).
        where = f"{_matching_condition(wanted, 't')} AND {self._live_condition()}"

        spark = self._rows_session()

        def statement() -> int:
            if self.hard_delete and self.history is None:
                result = spark.sql(f"DELETE FROM {self.qualified} t WHERE {where}")
            else:
                assign = self._delete_assignments(run_id, synced_at)
                result = spark.sql(f"UPDATE {self.qualified} t SET {assign} WHERE {where}")
            row = result.first()
            return int(row["num_affected_rows"] or 0) if row is not None else 0

        return with_conflict_retry(statement, self.retry_attempts)

    def _delete_by_merge(
        self, column: str, keys: pa.Array, run_id: str, synced_at: datetime
    ) -> int:
        live = self._live_condition()
        action = self._delete_action(run_id, synced_at)
        frame = self._key_frame(keys, self._rows_session())

        def merge() -> MergeCounts:
            with temp_view(frame, "keys") as view:
                return merge_counts(
                    frame.sparkSession.sql(
                        f"MERGE INTO {self.qualified} t USING {view} s "
                        f"ON t.`{column}` = s.{KEY} WHEN MATCHED AND {live} THEN {action}"
                    )
                )

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
        Returns the rows deleted; when none is missing, nothing is committed.
        """
        if not self.exists():
            return 0
        key_table = f"{self.table}_keys"
        spark = self._rows_session()
        stage = Stage(spark, self.staging_names, key_table, self.transfer, self.staging_dir)
        with stage:
            for part in _key_chunks(live_keys, self.chunk_rows):
                stage.add(part)
            if stage.empty and not allow_empty:
                raise EmptyKeySet(
                    f"{self.table}: the key sweep got no keys; refusing to delete every row "
                    "(pass allow_empty=True if the object really is empty)"
                )
            keys = stage.dataframe() if not stage.empty else self._key_frame(_int_keys([]), spark)
            return self._sweep(keys.select(KEY).distinct(), run_id, synced_at, entity)

    def _sweep(self, keys: DataFrame, run_id: str, synced_at: datetime, entity: str | None) -> int:
        scope = self._live_condition()
        if entity is not None:
            scope += f" AND t._entity = {quote_string(entity)}"
        # The rows to delete are found first (live rows whose key Intacct no longer returns), so
        # a sweep that finds nothing missing commits nothing, and the MERGE is a plain WHEN
        # MATCHED on those keys: a NOT MATCHED BY SOURCE merge never scans its source in Delta's
        # first pass, which (sources not materialized) reads as a changed source and warns.
        spark = keys.sparkSession  # the statements below read the keys
        live = spark.table(self.qualified).alias("t").where(scope)
        gone = live.join(keys, F.col(f"t.`{self.key}`") == F.col(KEY), "left_anti").select(
            F.col(f"t.`{self.key}`").alias(KEY)
        )
        if gone.limit(1).count() == 0:
            return 0
        action = self._delete_action(run_id, synced_at)

        def merge() -> MergeCounts:
            with temp_view(gone, "gone") as view:
                return merge_counts(
                    spark.sql(
                        f"MERGE INTO {self.qualified} t USING {view} s "
                        f"ON t.`{self.key}` = s.{KEY} "
                        f"WHEN MATCHED AND {scope} THEN {action}"
                    )
                )

        counts = with_conflict_retry(merge, self.retry_attempts)
        return counts.deleted if self.hard_delete else counts.updated

    def _live_condition(self) -> str:
        current = " AND coalesce(t._is_current, true)" if self.history is not None else ""
        return f"NOT coalesce(t._deleted, false){current}"

    def _delete_action(self, run_id: str, synced_at: datetime) -> str:
        if self.hard_delete and self.history is None:
            return "DELETE"
        return f"UPDATE SET {self._delete_assignments(run_id, synced_at)}"

    def _delete_assignments(self, run_id: str, synced_at: datetime) -> str:
        stamp = timestamp_literal(synced_at)
        closing = (
            f", t._valid_to = {stamp}, t._is_current = false" if self.history is not None else ""
        )
        return f"t._deleted = true, t._synced_at = {stamp}, t._run_id = '{run_id}'{closing}"

    def _key_frame(self, keys: pa.Array, spark: SparkSession) -> DataFrame:
        """Keys (already distinct int64: ``_int_keys``) as a one-column DataFrame of ``spark``."""
        return spark.createDataFrame(pa.table({KEY: keys}))

    def live_dataframe(self, version: int | None = None) -> DataFrame:
        """The table's rows that are not soft-deleted (history tables: the current versions);
        at ``version``, the rows as that Delta version holds them."""
        live = self._live_condition()
        spark = self._rows_session()
        if version is None:
            frame = spark.table(self.qualified)
        else:
            frame = spark.sql(f"SELECT * FROM {self.qualified} VERSION AS OF {int(version)}")
        return frame.alias("t").where(live)

    def changes(self, start: int, end: int) -> DataFrame:
        """The live row images the commits from version ``start`` to ``end`` (both included)
        added (``_sign`` 1: inserts, updates' new images) or removed (``_sign`` -1: deletes,
        updates' old images), from the table's change data feed.

        Fails (Delta refuses) when the feed does not cover every one of those versions: it was
        off for one of them, or the table's log no longer reaches back that far. Read in
        ``spark`` whatever the table's size: the changed rows are few.
        """
        frame = self.spark.sql(
            f"SELECT * FROM table_changes({quote_string(self.qualified)}, {int(start)}, {int(end)})"
        )
        added = F.col("_change_type").isin("insert", "update_postimage")
        signed = frame.withColumn(SIGN, F.when(added, F.lit(1)).otherwise(F.lit(-1)))
        return signed.alias("t").where(self._live_condition())


# At the top level a record's owning entity is its MEGAENTITYID (empty for shared records);
# an entity session's rows belong to that entity (docs/protocol.md §10).
OWNER_COLUMN = "megaentityid"


def _first_with_rows(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch] | None:
    """The batches from the first one with rows on, or None when none has any."""
    for batch in batches:
        if batch.num_rows:
            return _chain(batch, batches)
    return None


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest


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


def _matching_condition(keys: dict[str, pa.Array], alias: str) -> str:
    """True where any column holds one of its keys; never null (a null column is no match)."""
    listed = " OR ".join(
        f"{alias}.`{column}` IN ({', '.join(str(k) for k in values.to_pylist())})"
        for column, values in keys.items()
    )
    return f"coalesce(({listed}), false)"


def _by_column(matching: Mapping[str, Iterable[int]]) -> dict[str, pa.Array]:
    """Distinct int64 keys by column name; columns without keys dropped."""
    keys = {column_name(c): _int_keys(k) for c, k in matching.items()}
    return {c: k for c, k in keys.items() if len(k)}


def _too_many(keys: dict[str, pa.Array]) -> bool:
    return sum(len(k) for k in keys.values()) > INLINE_KEYS


def _key_chunks(live_keys: Iterable[pa.Array], chunk_rows: int) -> Iterable[pa.Table]:
    for array in live_keys:
        keys = array.cast(pa.int64())
        for start in range(0, len(keys), chunk_rows):
            yield pa.table({KEY: keys.slice(start, chunk_rows)})


def _int_keys(keys: Iterable[int] | pa.Array) -> pa.Array:
    """Distinct non-null keys as int64, sorted."""
    array = keys if isinstance(keys, pa.Array) else pa.array(list(keys), pa.int64())
    return pc.unique(array.cast(pa.int64()).drop_null()).sort()


def _distinct(keys: list[pa.Array | pa.ChunkedArray]) -> int:
    """How many distinct values the key columns of the staged chunks hold."""
    arrays = [a for c in keys for a in (c.chunks if isinstance(c, pa.ChunkedArray) else [c])]
    if not arrays:
        return 0
    return pc.count_distinct(pa.chunked_array(arrays)).as_py()
