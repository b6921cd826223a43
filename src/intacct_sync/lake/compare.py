"""Exact counts and money sums of a table's live rows, for reconciliation against the source."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from intacct_sync.lake.schema import column_name

Sums = dict[str, Decimal]


def live_summary(
    table: DataFrame | str,
    money_columns: Sequence[str],
    group_by: Sequence[str] | None = None,
    spark: SparkSession | None = None,
) -> tuple[int, Sums] | dict[tuple, tuple[int, Sums]]:
    """Row count and exact Decimal sums of the live (not soft-deleted) rows.

    ``table`` is a DataFrame or a qualified name (``TableNames.qualified``). Column names may be
    given as Intacct names. With ``group_by``, one ``(count, sums)`` per group value tuple.

    >>> live_summary(names.qualified("ap_bill"), ["TOTALENTERED"])  # doctest: +SKIP
    (1200, {'totalentered': Decimal('81234.5600000000')})
    """
    frame = table if isinstance(table, DataFrame) else (spark or SparkSession.active()).table(table)
    if "_deleted" in frame.columns:
        frame = frame.where("NOT coalesce(_deleted, false)")
    money = [column_name(c) for c in money_columns]
    groups = [column_name(c) for c in group_by or []]
    aggs = [F.count(F.lit(1)).alias("_count")]
    # Sum of zero rows is null in SQL; reconciliation wants 0.
    aggs += [F.coalesce(F.sum(c), F.lit(0).cast(frame.schema[c].dataType)).alias(c) for c in money]
    return _figures(frame, aggs, money, groups)


SIGN = "_sign"  # +1 for a row a commit added, -1 for a row it removed (change_summary)


def change_summary(
    changes: DataFrame,
    money_columns: Sequence[str],
    group_by: Sequence[str] | None = None,
) -> tuple[int, Sums] | dict[tuple, tuple[int, Sums]]:
    """What the changed rows add to ``live_summary``'s count and sums: live rows a commit
    added count and sum positively, live rows it removed negatively.

    ``changes`` is a table's change data feed over some versions (``TableWriter.changes``): one
    row per row image, with ``_sign``. Each image is counted by its own liveness, so a soft
    delete (live before, not after) subtracts its row once. Sums are Decimal, with no
    multiplication (Spark's decimal products may round); the same shapes as ``live_summary``.
    """
    money = [column_name(c) for c in money_columns]
    groups = [column_name(c) for c in group_by or []]
    added = F.col(SIGN) > 0
    aggs = [F.coalesce(F.sum(SIGN), F.lit(0)).alias("_count")]
    aggs += [
        F.coalesce(
            F.sum(F.when(added, F.col(c)).otherwise(-F.col(c))),
            F.lit(0).cast(changes.schema[c].dataType),
        ).alias(c)
        for c in money
    ]
    return _figures(changes, aggs, money, groups)


def _figures(
    frame: DataFrame, aggs: list, money: list[str], groups: list[str]
) -> tuple[int, Sums] | dict[tuple, tuple[int, Sums]]:
    """Run the aggregates (``_count`` and one per money column) in one statement: ``(count,
    sums)``, or with ``groups`` one ``(count, sums)`` per group value tuple."""
    rows = (frame.groupBy(*groups) if groups else frame).agg(*aggs).toArrow().to_pylist()
    if not groups:
        row = rows[0]
        return int(row["_count"]), {c: _exact(row[c]) for c in money}
    return {
        tuple(row[g] for g in groups): (int(row["_count"]), {c: _exact(row[c]) for c in money})
        for row in rows
    }


def _exact(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))
