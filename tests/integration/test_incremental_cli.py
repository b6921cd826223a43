"""Dimensions with their hierarchies, and a backfill or full refresh of one object by CLI."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from intacct_sync.cli import execute
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.runner import run_sync
from tests.support.lake_check import check_all, check_table
from tests.support.sync import client_for, settings_for

pytestmark = pytest.mark.spark


@pytest.mark.slow  # make stress: the analytics hierarchies check parents in make test
def test_dimensions_and_discovered_udds_keep_their_parent_hierarchies(spark, lake_names, emulator):
    keep = {"DEPARTMENT", "CLASS"}
    settings = settings_for(emulator, lake_names, exclude=tuple(sorted(set(CATALOG) - keep)))
    with client_for(emulator, settings) as client:
        summary = run_sync(settings, client=client, spark=spark)

    synced = sorted(r.object for r in summary.results)
    assert synced == ["CLASS", "DEPARTMENT", "FUND", "GRANT_PROGRAM"]  # UDDs from getDimensions
    assert summary.exit_code == 0 and all(r.reconciled for r in summary.results)
    check_all(spark, lake_names, emulator.company, synced)
    for table, id_column in (("department", "departmentid"), ("class", "classid")):
        frame = spark.table(lake_names.qualified(table))
        assert {"parentid", "parentkey"} <= set(frame.columns)
        children = frame.where(F.col("parentid").isNotNull())
        assert children.count() > 0
        orphans = children.join(
            frame.select(F.col(id_column).alias("parentid")), "parentid", "left_anti"
        )
        assert orphans.count() == 0  # every parent is in the table: the tree can be flattened


@pytest.fixture
def cli(emulator, lake_names, monkeypatch):
    for key, value in emulator.credentials.items():
        monkeypatch.setenv(f"INTACCT_{key.upper()}", value)
    base = [
        "--endpoint-url", emulator.url, "--catalog", lake_names.catalog,
        "--schema", lake_names.schema, "--lag-minutes", "0", "--no-progress",
        "--no-analytics",  # the views have their own module (test_analytics)
    ]  # fmt: skip
    return lambda *args: execute(["run", *base, *args])


def damage(spark, names, table: str, condition: str) -> int:
    """Delete rows behind the sync's back; returns how many."""
    from delta.tables import DeltaTable

    before = spark.table(names.qualified(table)).count()
    DeltaTable.forName(spark, names.qualified(table)).delete(condition)
    return before - spark.table(names.qualified(table)).count()


def versions(spark, names, table: str) -> int:
    return spark.sql(f"DESCRIBE HISTORY {names.qualified(table)}").first()["version"]


def last_run(spark, names, obj: str):
    runs = spark.table(names.qualified("_sync_runs")).where(F.col("object") == obj)
    return runs.orderBy(F.col("started_at").desc()).first()


def test_full_refresh_of_one_object_by_cli_leaves_the_others_alone(
    spark, lake_names, emulator, cli
):
    assert cli("--objects", "VENDOR,APBILL") == 0
    bills_version = versions(spark, lake_names, "ap_bill")
    damage(spark, lake_names, "vendor", "recordno % 2 = 0")

    assert cli("--full-refresh", "--objects", "VENDOR") == 0

    assert last_run(spark, lake_names, "VENDOR")["mode"] == "full"
    assert last_run(spark, lake_names, "APBILL")["mode"] == "full"  # still the first run's row
    assert versions(spark, lake_names, "ap_bill") == bills_version
    check_table(spark, lake_names, emulator.company, "VENDOR")


@pytest.mark.slow  # make stress: backfill windows are unit-tested (test_plan) in make test
def test_backfill_from_a_date_by_cli_rereads_changes_since_then(spark, lake_names, emulator, cli):
    assert cli("--objects", "APBILL") == 0
    lost = damage(spark, lake_names, "ap_bill", "whenmodified >= '2026-10-01'")
    assert lost > 0

    assert cli("--objects", "APBILL", "--backfill-from", "2026-10-01") == 0

    row = last_run(spark, lake_names, "APBILL")
    assert row["mode"] == "backfill" and row["rows_inserted"] >= lost and row["reconciled"]
    check_table(spark, lake_names, emulator.company, "APBILL")
