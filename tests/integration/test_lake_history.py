"""History mode: one row per version, valid-from/to and current flags, idempotent replays."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from intacct_sync.lake.options import WriterOptions
from intacct_sync.lake.writer import TableWriter
from tests.fixtures.spark import BILL_SCHEMA, RUN_AT, bills, ts

pytestmark = pytest.mark.spark
DELETED_AT = datetime(2024, 5, 2, tzinfo=timezone.utc)


def history(spark, names) -> TableWriter:
    options = WriterOptions(mode="history")
    return TableWriter(spark, names, "ap_bill_history", "RECORDNO", "WHENMODIFIED", options)


def versions(spark, names) -> list[tuple]:
    rows = spark.sql(
        f"SELECT recordno, whenmodified, totalentered, _valid_from, _valid_to, _is_current, "
        f"_deleted FROM {names.qualified('ap_bill_history')} ORDER BY recordno, whenmodified"
    ).toArrow()
    return [tuple(r.values()) for r in rows.to_pylist()]


def changes_add_up(w: TableWriter, before: int) -> bool:
    """The live figures at ``before`` plus the change feed since give the live figures now
    (reconciliation's ``changes`` basis, on versions that close and reopen)."""
    from intacct_sync.lake.compare import change_summary, live_summary

    after = w.version()
    count, sums = live_summary(w.live_dataframe(before), ["TOTALENTERED"])
    added, added_sums = change_summary(w.changes(before + 1, after), ["TOTALENTERED"])
    now = live_summary(w.live_dataframe(after), ["TOTALENTERED"])
    return (count + added, {c: sums[c] + v for c, v in added_sums.items()}) == now


def test_each_version_is_kept_with_its_validity_and_replays_change_nothing(spark, lake_names):
    w = history(spark, lake_names)
    w.load([bills((1, ts(1), "10.00"), (2, ts(2), "20.00"))], BILL_SCHEMA, run_id="r1",
           synced_at=RUN_AT)  # fmt: skip
    first = w.version()
    change = [bills((1, ts(2), "11.00"), (1, ts(3), "12.00"), (1, ts(3), "12.00"))]
    w.load(change, BILL_SCHEMA, run_id="r2", synced_at=RUN_AT)
    expected = [
        (1, ts(1), Decimal("10"), ts(1), ts(2), False, False),
        (1, ts(2), Decimal("11"), ts(2), ts(3), False, False),
        (1, ts(3), Decimal("12"), ts(3), None, True, False),
        (2, ts(2), Decimal("20"), ts(2), None, True, False),
    ]
    assert versions(spark, lake_names) == expected
    replay = w.load(change, BILL_SCHEMA, run_id="r3", synced_at=RUN_AT)  # the lookback
    assert (replay.inserted, replay.updated) == (0, 0)
    assert versions(spark, lake_names) == expected
    # An older version read late (out of order) slots in between and the chain is redone.
    w.load([bills((2, ts(1, 12), "19.00"))], BILL_SCHEMA, run_id="r4", synced_at=RUN_AT)
    assert versions(spark, lake_names)[3:] == [
        (2, ts(1, 12), Decimal("19"), ts(1, 12), ts(2), False, False),
        (2, ts(2), Decimal("20"), ts(2), None, True, False),
    ]
    assert sorted(r["recordno"] for r in w.live_dataframe().collect()) == [1, 2]
    assert changes_add_up(w, first)


def test_a_deleted_record_closes_its_last_version(spark, lake_names):
    w = history(spark, lake_names)
    w.load([bills((1, ts(1), "10.00"), (1, ts(2), "11.00"), (2, ts(1), "20.00"))], BILL_SCHEMA,
           run_id="r1", synced_at=RUN_AT)  # fmt: skip
    first = w.version()
    assert w.mark_deleted([1], run_id="del", synced_at=DELETED_AT) == 1
    rows = versions(spark, lake_names)
    assert rows[1] == (1, ts(2), Decimal("11"), ts(2), DELETED_AT, False, True)
    assert rows[0][4:] == (ts(2), False, False)  # the earlier version is untouched
    # A replay of the window after the delete does not reopen it.
    w.load([bills((1, ts(2), "11.00"))], BILL_SCHEMA, run_id="r2", synced_at=RUN_AT)
    assert versions(spark, lake_names)[1] == (
        1,
        ts(2),
        Decimal("11"),
        ts(2),
        DELETED_AT,
        False,
        True,
    )
    assert [r["recordno"] for r in w.live_dataframe().collect()] == [2]
    assert changes_add_up(w, first)


# make stress: history mode's replays are in make test; the crash suite kills runs in history
# mode
@pytest.mark.slow
def test_a_crash_between_insert_and_revalidation_is_repaired_by_the_rerun(spark, lake_names):
    w = history(spark, lake_names)
    w.load([bills((1, ts(1), "10.00"))], BILL_SCHEMA, run_id="r1", synced_at=RUN_AT)
    page = bills((1, ts(2), "11.00"))
    # As if killed after the first statement: the new version is in, two versions are current.
    w.load([page], BILL_SCHEMA, run_id="r2", synced_at=RUN_AT)
    spark.sql(
        f"UPDATE {lake_names.qualified('ap_bill_history')} SET _is_current = true, _valid_to = NULL"
    )
    assert [r[5] for r in versions(spark, lake_names)] == [True, True]
    w.load([page], BILL_SCHEMA, run_id="r3", synced_at=RUN_AT)  # the rerun reads the window again
    assert [r[4:6] for r in versions(spark, lake_names)] == [(ts(2), False), (None, True)]
