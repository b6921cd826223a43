"""Delta through SQL and DataFrames only: the one path that runs on classic Spark, on a Spark
Connect server, on serverless and through Databricks Connect.

No ``sparkContext``, no JVM, no ``delta.tables.DeltaTable``: a source DataFrame becomes a
temporary view, and the Delta operations are statements (``MERGE INTO``, ``DESCRIBE HISTORY``,
``DESCRIBE DETAIL``, ``CREATE TABLE ... USING delta``) that Delta's SQL extension runs wherever
the session lives.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class MergeCounts:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0


def quote_string(text: str) -> str:
    """A SQL string literal (comments, run ids): quotes and backslashes escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def timestamp_literal(moment: datetime) -> str:
    """A UTC instant as a SQL timestamp literal (the sessions run in UTC)."""
    utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return f"TIMESTAMP '{utc.isoformat(sep=' ')}'"


@contextmanager
def temp_view(frame: Any, prefix: str = "src") -> Iterator[str]:
    """``frame`` as a uniquely named temporary view for the statement that reads it.

    Views are per session and threads share the session, so every name is unique; it is
    dropped afterwards so a long run does not pile them up.
    """
    name = f"_isync_{prefix}_{uuid.uuid4().hex[:12]}"
    frame.createOrReplaceTempView(name)
    try:
        yield name
    finally:
        frame.sparkSession.catalog.dropTempView(name)


def merge_counts(result: Any) -> MergeCounts:
    """Counts of a ``MERGE INTO`` from the row it returns (Delta 2.0+ and Databricks)."""
    row = result.first() if result is not None else None
    if row is None:
        return MergeCounts()
    names = row.asDict()
    return MergeCounts(
        int(names.get("num_inserted_rows") or 0),
        int(names.get("num_updated_rows") or 0),
        int(names.get("num_deleted_rows") or 0),
    )


def last_commit(spark: Any, table: str) -> tuple[int, str]:
    """The newest version of a Delta table and the operation that made it."""
    row = spark.sql(f"DESCRIBE HISTORY {table} LIMIT 1").first()
    return int(row["version"]), str(row["operation"])


def num_files(spark: Any, table: str) -> int:
    """Data files of the current version (0: no rows, whatever the history)."""
    return int(spark.sql(f"DESCRIBE DETAIL {table}").first()["numFiles"] or 0)
