"""MERGE pieces: source dedupe, the "only if newer" condition, conflict retry."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

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

# Delta's concurrent-commit errors: another writer committed first and the whole operation can
# rerun. Matched by class name (classic Spark with delta-spark's Python package turns them into
# delta.exceptions classes) and by error condition or message (Spark Connect, Databricks and
# classic Spark without that package see the same conditions in the text).
CONFLICT_CLASSES = (
    "ConcurrentAppendException",
    "ConcurrentDeleteReadException",
    "ConcurrentDeleteDeleteException",
    "ConcurrentTransactionException",
    "ConcurrentWriteException",
    "MetadataChangedException",
    "ProtocolChangedException",
    "DeltaConcurrentModificationException",
)
CONFLICT_CONDITIONS = (
    "DELTA_CONCURRENT_",  # APPEND, DELETE_READ, DELETE_DELETE, TRANSACTION, WRITE
    "DELTA_METADATA_CHANGED",
    "DELTA_PROTOCOL_CHANGED",
    # Two writers creating one table at once: the loser can find the other's half-made folder
    # (no commit yet). Rerunning once the winner has committed makes CREATE ... IF NOT EXISTS a
    # no-op.
    "DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION",
)


def is_conflict(exc: BaseException) -> bool:
    """Another writer got there first and rerunning the whole operation is safe."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & set(CONFLICT_CLASSES):
        return True
    condition = ""
    for getter in ("getCondition", "getErrorClass"):
        try:
            condition = getattr(exc, getter)() or ""
            break
        except Exception:  # noqa: BLE001, S112 - older or other error types
            continue
    text = f"{condition} {exc}"
    return any(token in text for token in CONFLICT_CONDITIONS) or any(
        name in text for name in CONFLICT_CLASSES
    )


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

    A newer cursor, or a soft-deleted row that came back. A cursor that differs but is less than
    an hour *older* is taken too: Intacct's timestamps are naive wall times, and when the clocks
    fall back an edit at 01:20 (second pass) reads as earlier than one made at 01:35 (first pass)
    the same night; what Intacct returns now is its current version. With the *same* cursor (or
    both null, or an object without one) the row is taken when any column differs (compared
    null-safely, so a replay changes nothing): Intacct does not move WHENMODIFIED when a related
    record changes a copied-in name, and two edits can share one second (docs/protocol.md §17); what
    Intacct returns now is the truth. A column the target lacks a value for but the source has
    (a field just added by schema evolution) is filled in likewise.
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
            f"((s.{c} <=> t.{c}) AND ({differs}))",
        ]
    else:
        parts.append(f"({differs})")
    return " OR ".join(parts)
