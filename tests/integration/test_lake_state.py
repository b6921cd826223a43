"""Sync state and run log tables, exact live summaries, and identifier validation."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from intacct_sync.lake.compare import live_summary
from intacct_sync.lake.names import TableNames
from intacct_sync.lake.runlog import Reconciliation, RunRecord
from intacct_sync.lake.schema import column_name
from intacct_sync.lake.state import StateStore
from intacct_sync.lake.writer import TableWriter
from tests.fixtures.spark import BILL_SCHEMA, RUN_AT, bills, ts

T0 = datetime(2024, 4, 1, 8, 30, 15, 123456, tzinfo=timezone.utc)


def run(run_id, obj, started, entity="", **kw) -> RunRecord:
    return RunRecord(run_id, obj, entity, started, ended_at=started + timedelta(seconds=5), **kw)


@pytest.mark.spark
def test_state_comes_from_the_run_log_per_object_and_entity(spark, lake_names):
    store = StateStore(spark, lake_names)
    assert store.snapshot(T0).states == {}
    sums = {"totalentered": Decimal("10.05")}
    store.record(
        [
            run("r1", "APBILL", T0, status="succeeded", mode="full", watermark_after=T0,
                keys_swept=True, table_version=3, fields_hash="f1", transactions=5,
                reconciliation=Reconciliation("APBILL", 3, 3, sums, sums)),
            run("r1", "VENDOR", T0, entity="E1", status="succeeded", watermark_after=T0),
        ]
    )  # fmt: skip
    later = T0 + timedelta(hours=1)
    store.record(
        [
            run("r2", "APBILL", later, status="succeeded", watermark_after=later,
                table_version=4, fields_hash="f2", transactions=2),
            run("r3", "APBILL", later + timedelta(hours=1), status="failed",
                watermark_before=later, error_message="boom", transactions=1),
        ]
    )  # fmt: skip
    snap = store.snapshot(later + timedelta(hours=2))
    bill = snap.states[("APBILL", "")]
    assert bill.watermark == later  # the failed run did not move it
    assert (bill.last_full_sync, bill.last_key_sweep, bill.last_reconcile) == (T0, T0, T0)
    assert (bill.reconciled_version, bill.target_count, bill.target_sums) == (3, 3, sums)
    assert (bill.fields_hash, bill.table_version, bill.run_id) == ("f2", 4, "r2")
    assert snap.states[("VENDOR", "E1")].watermark == T0
    assert ("VENDOR", "") not in snap.states
    assert snap.month_transactions == 8


@pytest.mark.spark
def test_a_legacy_state_table_moves_into_the_log(spark, lake_names):
    legacy = lake_names.qualified("_sync_state")
    spark.sql(
        f"CREATE TABLE {legacy} (object STRING, entity STRING, watermark TIMESTAMP, "
        "last_full_sync TIMESTAMP, last_key_reconcile TIMESTAMP, updated_at TIMESTAMP, "
        "run_id STRING) USING delta"
    )
    spark.sql(
        f"INSERT INTO {legacy} VALUES ('APBILL', '', TIMESTAMP '2024-04-01 08:00:00', "
        "TIMESTAMP '2024-03-01 00:00:00', NULL, TIMESTAMP '2024-04-01 08:05:00', 'old')"
    )
    store = StateStore(spark, lake_names)
    state = store.snapshot(T0).states[("APBILL", "")]
    assert state.watermark == datetime(2024, 4, 1, 8, tzinfo=timezone.utc)
    assert state.last_key_sweep is None and state.last_full_sync is not None
    assert not lake_names.exists(spark, "_sync_state")


@pytest.mark.spark
def test_run_records_round_trip_newest_first(spark, lake_names):
    store = StateStore(spark, lake_names)
    sums = {"totalentered": Decimal("10.05")}
    first = RunRecord(
        run_id="r1", object="APBILL", entity="", started_at=T0, ended_at=T0 + timedelta(seconds=5),
        status="succeeded", mode="full", rows_read=3, rows_inserted=3, api_calls=4, pages=1,
        bytes=2048, watermark_after=T0, transactions=2,
        reconciliation=Reconciliation("APBILL", 3, 3, sums, sums, api_calls=1),
    )  # fmt: skip
    second = replace(
        first, run_id="r2", started_at=T0 + timedelta(days=1), status="failed", mode="incremental",
        error_message="Intacct error XL03000006: too many operations", warnings=["a warning"],
    )  # fmt: skip
    store.record([first])
    store.record([second])

    # A failed run keeps the watermark it started with (None here).
    assert store.last_runs() == [replace(second, watermark_after=None), first]
    assert store.last_runs(limit=1)[0].warnings == ["a warning"]
    assert json.loads(first.row()["source_sums"]) == {"totalentered": "10.05"}
    assert store.last_runs()[1].reconciled is True
    with pytest.raises(ValueError, match="status"):
        replace(first, status="ok")


@pytest.mark.spark
def test_live_summary_sums_money_exactly(spark, lake_names):
    writer = TableWriter(spark, lake_names, "ap_bill", key="RECORDNO", cursor="WHENMODIFIED")
    amounts = ["0.10", "0.20", "1234567890123456.0000000001", "-0.30"]
    page = bills(*[(i + 1, ts(1), a) for i, a in enumerate(amounts)])
    writer.load([page], BILL_SCHEMA, run_id="r1", entity="E1", synced_at=RUN_AT)
    writer.mark_deleted([4], run_id="d", synced_at=RUN_AT)

    table = lake_names.qualified("ap_bill")
    assert live_summary(table, ["TOTALENTERED"]) == (
        3,
        {"totalentered": Decimal("1234567890123456.3000000001")},
    )
    by_paid = live_summary(table, ["TOTALENTERED"], group_by=["ISPAID"])
    assert by_paid == {
        (False,): (2, {"totalentered": Decimal("1234567890123456.1000000001")}),
        (True,): (1, {"totalentered": Decimal("0.20")}),
    }


@pytest.mark.parametrize(
    "catalog, schema, table",
    [
        ("main", "x`; DROP TABLE y", "t"),
        ("main", "ok", "t`; DROP TABLE y; --"),
        ("ma in", "ok", "t"),
        ("main", "1abc", "t"),
        ("main", "ok", "a" * 256),
        ("main", "ok", ""),
    ],
)
def test_bad_identifiers_are_refused(catalog, schema, table):
    with pytest.raises(ValueError, match="invalid"):
        TableNames(catalog, schema, local=False).qualified(table)


def test_names_map_catalog_locally_and_keep_three_parts_on_databricks():
    assert TableNames("main", "intacct", local=True).qualified("ap_bill") == "`intacct`.`ap_bill`"
    remote = TableNames("main", "intacct", local=False)
    assert remote.qualified("_sync_state") == "`main`.`intacct`.`_sync_state`"
    assert column_name("PAYTOCONTACT.CONTACTNAME") == "paytocontact_contactname"
    with pytest.raises(ValueError, match="column name"):
        column_name("GL`DIM")
