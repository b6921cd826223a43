"""History mode: one row per version of a record (key + cursor), with its validity.

What Fivetran calls history mode. Each version carries ``_valid_from`` (its cursor, Intacct's
WHENMODIFIED), ``_valid_to`` (the next version's ``_valid_from``; the deletion time for the
last version of a deleted record; null while current) and ``_is_current``.

Two statements, both idempotent, so replays (the lookback, a rerun after a crash) change
nothing: a MERGE on (key, cursor) inserts the versions the table lacks; then the validity of
every version of the keys just read is recomputed from the table itself and updated where it
differs. A crash between the two leaves two versions marked current for a while; the rerun
reads the same window (the watermark did not move) and the second statement repairs them.
"""

# ruff: noqa: S608 -- SQL holds only checked identifiers (names.py) and generated view names.

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from intacct_sync.lake.merge import with_conflict_retry
from intacct_sync.lake.sql import MergeCounts, merge_counts, temp_view
from intacct_sync.lake.staging import SEQ

if TYPE_CHECKING:
    from intacct_sync.lake.writer import LoadResult, TableWriter


class HistoryTable:
    """The history-mode operations of one ``TableWriter``."""

    def __init__(self, writer: TableWriter) -> None:
        if writer.cursor is None:
            raise ValueError(f"{writer.table}: history mode needs a cursor (WHENMODIFIED)")
        self.writer = writer
        self.key, self.cursor = writer.key, writer.cursor

    def load(self, source: DataFrame, rows_in: int) -> LoadResult:
        from intacct_sync.lake.writer import LoadResult

        inserted = with_conflict_retry(lambda: self._insert(source), self.writer.retry_attempts)
        updated = with_conflict_retry(lambda: self._revalidate(source), self.writer.retry_attempts)
        return LoadResult(rows_in, inserted.inserted, updated.updated, written=True)

    def _versions(self, source: DataFrame) -> DataFrame:
        """One row per (key, cursor): the one read last when a version was read twice."""
        order = Window.partitionBy(self.key, self.cursor).orderBy(F.col(SEQ).desc())
        ranked = source.withColumn("_rank", F.row_number().over(order))
        rows = ranked.where("_rank = 1").drop("_rank", SEQ)
        return rows.select(
            "*",
            F.col(self.cursor).alias("_valid_from"),
            F.lit(None).cast("timestamp").alias("_valid_to"),
            F.lit(True).alias("_is_current"),
        )

    def _insert(self, source: DataFrame) -> MergeCounts:
        rows = self._versions(source)
        names = ", ".join(f"`{c}`" for c in rows.columns)
        values = ", ".join(f"s.`{c}`" for c in rows.columns)
        k, c = self.key, self.cursor
        with temp_view(rows, "versions") as view:
            return merge_counts(
                rows.sparkSession.sql(
                    f"MERGE INTO {self.writer.qualified} t USING {view} s "
                    f"ON t.`{k}` = s.`{k}` AND t.`{c}` <=> s.`{c}` "
                    f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})"
                )
            )

    def _revalidate(self, source: DataFrame) -> MergeCounts:
        """Recompute ``_valid_to``/``_is_current`` of every version of the keys read."""
        k, c, table = self.key, self.cursor, self.writer.qualified
        # The last version of a deleted record keeps the deletion time as its _valid_to.
        valid_to = (
            "CASE WHEN v.next_from IS NULL AND t._deleted THEN t._valid_to ELSE v.next_from END"
        )
        current = "(v.next_from IS NULL AND NOT coalesce(t._deleted, false))"
        following = f"lead(`{c}`) OVER (PARTITION BY `{k}` ORDER BY `{c}` NULLS FIRST)"
        with temp_view(source.select(k).distinct(), "keys") as keys:
            return merge_counts(
                source.sparkSession.sql(
                    f"MERGE INTO {table} t USING ("
                    f"SELECT `{k}`, `{c}`, {following} AS next_from FROM {table} "
                    f"WHERE `{k}` IN (SELECT `{k}` FROM {keys})) v "
                    f"ON t.`{k}` = v.`{k}` AND t.`{c}` <=> v.`{c}` "
                    f"WHEN MATCHED AND NOT (t._valid_to <=> {valid_to} "
                    f"AND t._is_current <=> {current}) "
                    f"THEN UPDATE SET t._valid_to = {valid_to}, t._is_current = {current}"
                )
            )
