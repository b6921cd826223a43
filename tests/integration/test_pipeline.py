"""The sync pipeline end to end: emulator over HTTP -> client -> local Delta tables.

The tests from the money one to the failed object share one company and one schema, synced once
(VENDOR and APBILL); each later run syncs only the objects its test is about, in file order: a
new custom field (VENDOR), then a failed object (faults on APBILL, cleared at the end).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from pyspark.sql import functions as F

from intacct_sync.config import Settings
from intacct_sync.intacct.catalog import DEFAULT
from intacct_sync.pipeline import RunSummary
from intacct_sync.runner import run_sync
from tests.support.lake_check import check_all, check_table
from tests.support.sync import SyncedCompany, client_for, settings_for, synced_company

pytestmark = pytest.mark.spark


# make stress: every default object, twice (the analysis views too); make test keeps full and
# incremental syncs equal to Intacct (test_spark_connect, test_incremental_deletes, the objects by
# name) and test_analytics' no-change run, and the bench's no-change run makes 1 commit
@pytest.mark.slow
def test_first_sync_equals_emulator_and_second_sync_changes_nothing(spark, lake_names, emulator):
    settings = settings_for(emulator, lake_names, analytics=True)
    with client_for(emulator, settings) as client:
        first = run_sync(settings, client=client, spark=spark)
        assert [r.error_message for r in first.failed] == []
        synced = sorted(r.object for r in first.results)
        assert set(DEFAULT) <= set(synced) and len(synced) >= len(DEFAULT) + 2  # UDDs found
        compared = check_all(spark, lake_names, emulator.company, synced)
        assert compared > 1000
        owners = spark.table(lake_names.qualified("ap_bill")).select("megaentityid", "_entity")
        pairs = {(r[0] or "", r[1]) for r in owners.distinct().collect()}
        assert pairs == {(m, m) for m, _ in pairs} and ("", "") in pairs and len(pairs) >= 2
        assert all(r.mode == "full" for r in first.results)

        versions = {t: table_version(spark, lake_names, t) for t in _tables(spark, lake_names)}
        second = run_sync(settings, client=client, spark=spark)
    assert second.exit_code == 0
    # User-defined dimensions are small and have no audit trail: read in full every run.
    assert {r.object for r in second.results if r.mode != "incremental"} == {
        "FUND",
        "GRANT_PROGRAM",
    }
    assert [
        (r.object, r.rows_inserted, r.rows_updated, r.rows_deleted)
        for r in second.results
        if r.rows_inserted or r.rows_updated or r.rows_deleted
    ] == []
    # Nothing changed in Intacct: no table was written; the run log took one append.
    after = {t: table_version(spark, lake_names, t) for t in versions}
    assert {t: v for t, v in after.items() if v != versions[t]} == {
        "_sync_runs": versions["_sync_runs"] + 1
    }
    # One billed transaction per object (its change window) and one AUDITHISTORY read.
    assert second.transactions == len(second.results) + 1, [
        (r.object, r.transactions) for r in second.results
    ]
    check_all(spark, lake_names, emulator.company, synced)


def _tables(spark, names) -> list[str]:
    # Tables only: the analysis views the run keeps beside them have no Delta history.
    return names.list_tables(spark, views=False)


def table_version(spark, names, table: str) -> int:
    return spark.sql(f"DESCRIBE HISTORY {names.qualified(table)} LIMIT 1").first()["version"]


@pytest.fixture(scope="module")
def synced(spark) -> Iterator[SyncedCompany]:
    """One company, VENDOR and APBILL synced once in full into a schema of the module's own."""
    with synced_company(spark, "pipe", ("VENDOR", "APBILL")) as company:
        first = company.first
        assert first.exit_code == 0, [(r.object, r.error_message) for r in first.failed]
        yield company


def sync(spark, synced: SyncedCompany, *objects: str) -> RunSummary:
    """A later run of the shared schema, for the objects a test is about."""
    return synced.run(spark, objects)


def test_money_keeps_every_cent_as_decimal(spark, synced):
    bill = synced.emu.company.rows("APBILL")[0]
    bills = spark.table(synced.names.qualified("ap_bill"))
    row = bills.where(F.col("recordno") == int(bill["RECORDNO"])).first()
    assert isinstance(row["totalentered"], Decimal)
    assert row["totalentered"] == Decimal(bill["TOTALENTERED"])
    assert dict(bills.dtypes)["totalentered"] == "decimal(38,10)"


def test_sync_runs_rows_are_right(spark, synced):
    row = (
        spark.table(synced.names.qualified("_sync_runs"))
        .where((F.col("run_id") == synced.first.run_id) & (F.col("object") == "APBILL"))
        .first()
    )
    n = synced.counts["APBILL"]
    assert (row["object"], row["status"], row["mode"]) == ("APBILL", "succeeded", "full")
    assert row["rows_read"] == n and row["rows_inserted"] == n and row["rows_updated"] == 0
    assert row["pages"] >= 1 and row["api_calls"] >= row["pages"] + 1  # lookup + pages
    assert row["watermark_before"] is None and row["watermark_after"] is not None
    assert row["ended_at"] >= row["started_at"]


def test_a_changed_table_is_reconciled_from_its_change_feed_exactly_and_scanned_when_it_must(
    spark, synced
):
    from intacct_sync.lake.compare import live_summary

    company, names = synced.emu.company, synced.names
    table = names.qualified("ap_bill")
    bills = [int(r["RECORDNO"]) for r in company.rows("APBILL")]

    def bills_run(**overrides):
        summary = (
            sync(spark, synced, "APBILL")
            if not overrides
            else synced.run(spark, ("APBILL",), **overrides)
        )
        (run,) = summary.results
        assert run.status == "succeeded", run.error_message
        return run

    # Intacct changes (money edited, a bill added, one deleted) and a hand edit of the table:
    # the figures come from the commits since the last reconciliation, and they are what a scan
    # of the same version finds, hand edit included: the check still catches it.
    spark.sql(f"UPDATE {table} SET totaldue = totaldue + 1 WHERE recordno = {bills[4]}")
    company.update("APBILL", bills[2], {"TOTALDUE": "0.01"})
    company.insert("APBILL", {"RECORDID": "INV-FEED", "TOTALENTERED": "12.34", "TOTALDUE": "12.34"})
    company.delete("APBILL", bills[3])
    run = bills_run()
    assert (run.rows_inserted, run.rows_updated, run.rows_deleted) == (1, 1, 1)
    assert run.reconciliation.target_basis == "changes"
    at_version = spark.sql(f"SELECT * FROM {table} VERSION AS OF {run.table_version}")
    count, sums = live_summary(at_version, ["TOTALENTERED", "TOTALDUE"])
    assert run.reconciliation.target_count == count == company.count("APBILL")
    assert run.reconciliation.target_sums == {k.upper(): v for k, v in sums.items()}
    assert run.reconciled is False
    assert run.reconciliation.differences() == [
        f"sum TOTALDUE: Intacct {run.reconciliation.source_sums['TOTALDUE']}, "
        f"table {run.reconciliation.target_sums['TOTALDUE']} (+1.0000000000)"
    ]
    logged = spark.table(names.qualified("_sync_runs")).where(F.col("run_id") == run.run_id)
    assert logged.select("target_basis", "table_version").first() == ("changes", run.table_version)

    # The feed turned off for a commit: it cannot cover the versions, so the table is scanned.
    spark.sql(f"UPDATE {table} SET totaldue = totaldue - 1 WHERE recordno = {bills[4]}")
    spark.sql(f"ALTER TABLE {table} SET TBLPROPERTIES ('delta.enableChangeDataFeed' = 'false')")
    company.update("APBILL", bills[5], {"TOTALENTERED": "7.77"})
    run = bills_run()
    assert run.rows_updated == 1 and run.reconciliation.target_basis == "scan"
    assert run.reconciled is True, run.warnings

    # On again, but a scan is due (reconcile_every since the last one): scanned.
    spark.sql(f"ALTER TABLE {table} SET TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')")
    company.update("APBILL", bills[6], {"TOTALDUE": "0.02"})
    synced.emu.clock.advance(timedelta(minutes=1))  # the next window starts after the edit
    run = bills_run(reconcile_every=timedelta(0))
    assert run.rows_updated == 1 and run.reconciliation.target_basis == "scan"
    assert run.reconciled is True, run.warnings
    # Nothing changed since (and no lookback, so nothing is read again): the figures of that
    # version stand, and only Intacct is asked.
    run = bills_run(reconcile_every=timedelta(0), lookback=timedelta(0))
    assert run.rows_read == 0 and run.reconciliation.target_basis == "unchanged"
    assert run.reconciled is True

    # The last figures are not about this run's money fields (as after a money field was added
    # to an object): they are not carried forward from the feed, the table is scanned.
    runs = names.qualified("_sync_runs")
    spark.sql(
        f"UPDATE {runs} SET target_sums = to_json(map('TOTALENTERED', "
        f"get_json_object(target_sums, '$.TOTALENTERED'))) WHERE run_id = '{run.run_id}'"
    )
    company.update("APBILL", bills[7], {"TOTALDUE": "0.03"})
    synced.emu.clock.advance(timedelta(minutes=1))
    run = bills_run()
    assert run.rows_updated == 1 and run.reconciliation.target_basis == "scan"
    assert run.reconciled is True, run.warnings
    check_table(spark, names, company, "APBILL")


@pytest.mark.slow  # make stress: the incremental scenario covers the same changes in make test
def test_updates_inserts_and_deletes_land_as_such(spark, lake_names, emulator):
    settings = settings_for(
        emulator, lake_names, objects=("VENDOR", "APBILL", "APBILLITEM", "GLBATCH", "GLENTRY")
    )
    company = emulator.company
    with client_for(emulator, settings) as client:
        run_sync(settings, client=client, spark=spark)
        bills = company.rows("APBILL")
        company.update("APBILL", int(bills[0]["RECORDNO"]), {"DESCRIPTION": "edited"})
        company.delete("APBILL", int(bills[1]["RECORDNO"]))
        new_vendor = company.insert("VENDOR", {"VENDORID": "V-NEW", "NAME": "New Vendor"})
        batch = company.rows("GLBATCH")[0]
        company.delete("GLBATCH", int(batch["RECORDNO"]))
        after = run_sync(settings, client=client, spark=spark)
    by = {r.object: r for r in after.results}
    assert by["APBILL"].rows_updated == 1 and by["APBILL"].rows_deleted == 1
    assert by["VENDOR"].rows_inserted == 1
    assert by["GLBATCH"].rows_deleted == 1
    check_all(spark, lake_names, company, [r.object for r in after.results])
    vendor = (
        spark.table(lake_names.qualified("vendor")).where(F.col("recordno") == new_vendor).first()
    )
    assert vendor["name"] == "New Vendor" and vendor["_deleted"] is False
    gone = (
        spark.table(lake_names.qualified("ap_bill"))
        .where(F.col("recordno") == int(bills[1]["RECORDNO"]))
        .first()
    )
    assert gone["_deleted"] is True  # soft delete by default


def test_new_custom_field_becomes_a_column(spark, synced):
    company = synced.emu.company
    company.add_custom_field("VENDOR", "RISK_TIER", "TEXT")
    company.update("VENDOR", int(company.rows("VENDOR")[0]["RECORDNO"]), {"RISK_TIER": "high"})
    result = sync(spark, synced, "VENDOR")
    assert result.exit_code == 0
    assert "risk_tier" in spark.table(synced.names.qualified("vendor")).columns
    check_table(spark, synced.names, company, "VENDOR")


def test_failed_object_keeps_its_watermark_and_table_and_others_go_on(spark, synced):
    from intacct_sync.emulator import Fault
    from intacct_sync.intacct.retry import RetryPolicy
    from intacct_sync.lake.state import StateStore

    emulator, names = synced.emu, synced.names
    state = StateStore(spark, names)
    mark = state.get("APBILL", "").watermark
    version = spark.sql(f"DESCRIBE HISTORY {names.qualified('ap_bill')}").first()["version"]
    emulator.company.update(
        "APBILL", int(emulator.company.rows("APBILL")[0]["RECORDNO"]), {"DESCRIPTION": "x"}
    )
    emulator.faults.add(
        Fault.parse("result_error@object=APBILL,function=query,errorno=DL02000001,times=99")
    )
    waits: list[float] = []  # every attempt is made; only the waits between them are not slept
    retry = RetryPolicy(sleep=waits.append)
    try:
        failed = synced.run(spark, ("VENDOR", "APBILL"), retry=retry)
    finally:
        emulator.faults.clear()
    assert len(waits) == retry.max_attempts - 1 and sum(waits) > 25  # 1 + 2 + 4 + 8 + 16 s
    by = {r.object: r for r in failed.results}
    assert failed.exit_code == 1
    assert by["APBILL"].status == "failed" and "DL02000001" in by["APBILL"].error_message
    assert by["VENDOR"].status == "succeeded"
    assert state.get("APBILL", "").watermark == mark
    assert spark.sql(f"DESCRIBE HISTORY {names.qualified('ap_bill')}").first()["version"] == version
    runs = spark.table(names.qualified("_sync_runs")).where(F.col("run_id") == failed.run_id)
    rows = {r["object"]: r for r in runs.collect()}
    assert rows["APBILL"]["status"] == "failed" and "DL02000001" in rows["APBILL"]["error_message"]
    assert rows["APBILL"]["watermark_after"] == rows["APBILL"]["watermark_before"]
    assert rows["VENDOR"]["status"] == "succeeded" and rows["VENDOR"]["api_calls"] >= 2


def test_unknown_object_fails_before_anything_is_written(spark, lake_names, emulator):
    from intacct_sync.config import ConfigError

    settings = settings_for(emulator, lake_names, objects=("APBILL", "NOTANOBJECT"))
    with client_for(emulator, settings) as client, pytest.raises(ConfigError, match="NOTANOBJECT"):
        run_sync(settings, client=client, spark=spark)
    assert not lake_names.exists(spark, "ap_bill")


__all__ = ["Settings", "timedelta"]
