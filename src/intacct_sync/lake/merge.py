"""MERGE pieces: source dedupe, the "only if newer" condition, commit metrics, conflict retry."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from delta.exceptions import (
    ConcurrentAppendException,
    ConcurrentDeleteDeleteException,
    ConcurrentDeleteReadException,
    ConcurrentTransactionException,
    ConcurrentWriteException,
    DeltaConcurrentModificationException,
    MetadataChangedException,
    ProtocolChangedException,
)
from delta.tables import DeltaTable
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from intacct_sync.lake.errors import CommitConflict
from intacct_sync.lake.staging import SEQ

T = TypeVar("T")
log = logging.getLogger(__name__)

# Delta's typed commit conflicts: another writer committed first; the whole operation can rerun.
CONFLICTS: tuple[type[BaseException], ...] = (
    DeltaConcurrentModificationException,
    ConcurrentAppendException,
    ConcurrentDeleteReadException,
    ConcurrentDeleteDeleteException,
    ConcurrentTransactionException,
    ConcurrentWriteException,
    MetadataChangedException,
    ProtocolChangedException,  # two writers creating one table at once
)

# Two writers creating one table at once: the loser can also find the other's half-made folder
# (no commit yet) and refuse it as "not empty and also not a Delta table". Rerunning once the
# winner has committed makes ``createIfNotExists`` a no-op.
_CREATE_RACE = "DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION"


def is_conflict(exc: BaseException) -> bool:
    """Another writer got there first and rerunning the whole operation is safe."""
    if isinstance(exc, CONFLICTS):
        return True
    return isinstance(exc, AnalysisException) and _CREATE_RACE in str(exc)


@dataclass(frozen=True)
class MergeCounts:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0


def with_conflict_retry(
    operation: Callable[[], T], attempts: int = 5, sleep: Callable[[float], None] = time.sleep
) -> T:
    """Run ``operation``, rerunning it only on Delta's concurrent-commit exceptions."""
    try:
        for attempt in Retrying(
            retry=retry_if_exception(is_conflict),
            stop=stop_after_attempt(attempts),
            wait=wait_random_exponential(multiplier=0.2, max=5),
            sleep=sleep,
            before_sleep=_log_conflict,
            reraise=True,
        ):
            with attempt:
                return operation()
    except Exception as exc:
        if not is_conflict(exc):
            raise
        raise CommitConflict(
            f"other writers kept committing first ({attempts} attempts); rerun once the other "
            f"runs have ended. Last conflict: {exc.__class__.__name__}: {exc}"
        ) from exc
    raise AssertionError("unreachable: tenacity reraises the last error")


def _log_conflict(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("Delta commit conflict (attempt %d), retrying: %s", state.attempt_number, error)


def dedupe(source: DataFrame, key: str, cursor: str | None) -> DataFrame:
    """One row per key: the latest cursor wins; on a tie (or no cursor) the row read last."""
    order = [F.col(SEQ).desc()]
    if cursor:
        order.insert(0, F.col(cursor).desc_nulls_last())
    rank = F.row_number().over(Window.partitionBy(key).orderBy(*order))
    return source.withColumn("_rank", rank).where("_rank = 1").drop("_rank", SEQ)


def newer_condition(cursor: str | None, columns: list[str]) -> str:
    """When a matched target row takes the source row.

    A newer cursor, a target without cursor, or a soft-deleted row that came back. A cursor that
    differs but is less than an hour *older* is taken too: Intacct's timestamps are naive wall
    times, and when the clocks fall back an edit at 01:20 (second pass) reads as earlier than one
    made at 01:35 (first pass) the same night; what Intacct returns now is its current version.
    Where both
    cursors are null (or the object has none) every column is compared null-safely, so a replay
    changes nothing. A column the target lacks a value for but the source has (a field just added
    by schema evolution, even if the run that added it crashed) is filled in without a newer cursor.
    """
    data = [c for c in columns if not c.startswith("_")]
    differs = " OR ".join(f"NOT (t.`{c}` <=> s.`{c}`)" for c in data) or "false"
    filled = " OR ".join(f"(t.`{c}` IS NULL AND s.`{c}` IS NOT NULL)" for c in data) or "false"
    parts = ["coalesce(t._deleted, false)", f"({filled})"]
    if cursor:
        c = f"`{cursor}`"
        parts += [
            f"s.{c} > t.{c}",
            f"(s.{c} <> t.{c} AND s.{c} > t.{c} - INTERVAL 1 HOUR)",  # the repeated DST hour
            f"(t.{c} IS NULL AND s.{c} IS NULL AND ({differs}))",
        ]
    else:
        parts.append(f"({differs})")
    return " OR ".join(parts)


def merge_counts(result: DataFrame | None, table: DeltaTable) -> MergeCounts:
    """Counts of the MERGE just run: its result row, else the commit's operationMetrics."""
    row = result.first() if result is not None and result.columns else None
    if row is not None and "num_inserted_rows" in row:
        return MergeCounts(
            int(row["num_inserted_rows"]),
            int(row["num_updated_rows"]),
            int(row["num_deleted_rows"]),
        )
    metrics = table.history(1).select("operationMetrics").first()[0] or {}
    return MergeCounts(
        int(metrics.get("numTargetRowsInserted", 0)),
        int(metrics.get("numTargetRowsUpdated", 0)),
        int(metrics.get("numTargetRowsDeleted", 0)),
    )
