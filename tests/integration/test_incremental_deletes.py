"""Deletes reach the tables three ways: AUDITHISTORY, key sweep, header cascades.

The make-test cases share one company and one schema, synced once in full (the bills, their
lines and payment details, and VENDOR); each test deletes its own records and syncs only the
objects it is about, in file order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from pyspark.sql import functions as F

from intacct_sync.lake.state import StateStore
from intacct_sync.runner import run_sync
from tests.support.lake_check import check_all
from tests.support.sync import SyncedCompany, client_for, settings_for, synced_company

pytestmark = pytest.mark.spark

BILLS = ("APBILL", "APBILLITEM", "APPYMTDETAIL")


@pytest.fixture(scope="module")
def synced(spark) -> Iterator[SyncedCompany]:
    with synced_company(spark, "del", (*BILLS, "VENDOR")) as company:
        assert_succeeded(company.first)
        yield company


def synced_run(spark, synced: SyncedCompany, objects: tuple[str, ...], **overrides):
    """A later run of the module's schema, for the objects a test is about."""
    return by_object(synced.run(spark, objects, **overrides))


def rows(spark, names, table: str, key: int) -> list:
    return spark.table(names.qualified(table)).where(F.col("recordno") == key).collect()


def first_key(company, name: str, **where) -> int:
    return next(
        int(r["RECORDNO"])
        for r in company.rows(name)
        if all(r[k] == str(v) for k, v in where.items())
    )


def assert_succeeded(summary) -> None:
    assert [(r.object, r.error_message) for r in summary.failed] == []


def by_object(summary) -> dict:
    assert_succeeded(summary)
    return {r.object: r for r in summary.results}


def sync(spark, emulator, settings):
    with client_for(emulator, settings) as client:
        return by_object(run_sync(settings, client=client, spark=spark, now=emulator.clock.now))


def test_header_line_and_recreated_bill_deletes_end_as_intacct_has_them(spark, synced):
    emulator, lake_names, company = synced.emu, synced.names, synced.emu.company
    paid = first_key(company, "APPYMTDETAIL")
    header = int(company.rows("APPYMTDETAIL")[0]["RECORDKEY"])  # a bill with lines and payments
    lines = [
        int(r["RECORDNO"]) for r in company.rows("APBILLITEM") if r["RECORDKEY"] == str(header)
    ]
    recreated = next(
        int(r["RECORDNO"]) for r in company.rows("APBILL") if int(r["RECORDNO"]) != header
    )
    lone = next(  # a line of a third bill, so no cascade reaches it first
        int(r["RECORDNO"])
        for r in company.rows("APBILLITEM")
        if int(r["RECORDKEY"]) not in (header, recreated)
    )
    emulator.clock.advance(timedelta(minutes=10))
    company.delete("APBILL", header)
    company.delete("APBILLITEM", lone)  # audited as 'apbillitem' on its own
    new_key = company.recreate_bill(recreated)
    emulator.clock.advance(timedelta(minutes=10))

    by = synced_run(spark, synced, BILLS)

    check_all(spark, lake_names, company, list(BILLS))
    assert by["APBILL"].rows_deleted == 2
    # A line object's run row counts its own deletes and the lines of its deleted headers, all
    # marked in one statement.
    run_id = by["APBILLITEM"].run_id
    items = spark.table(lake_names.qualified("ap_bill_item"))
    gone_lines = items.where(F.col("_deleted") & (F.col("_run_id") == run_id)).count()
    assert by["APBILLITEM"].rows_deleted == gone_lines >= len(lines) + 1
    assert [r["_deleted"] for r in rows(spark, lake_names, "ap_bill", header)] == [True]
    assert all(r["_deleted"] for k in lines for r in rows(spark, lake_names, "ap_bill_item", k))
    assert [r["_deleted"] for r in rows(spark, lake_names, "ap_payment_detail", paid)] == [True]
    assert [r["_deleted"] for r in rows(spark, lake_names, "ap_bill_item", lone)] == [True]
    # The bill recreated from Purchasing: its old key deleted, the new one live, one live row.
    assert [r["_deleted"] for r in rows(spark, lake_names, "ap_bill", recreated)] == [True]
    assert [r["_deleted"] for r in rows(spark, lake_names, "ap_bill", new_key)] == [False]


@pytest.mark.slow  # make stress: test_lake_deletes covers hard deletes on the writer in make test
def test_hard_delete_removes_the_rows(spark, lake_names, emulator):
    settings = settings_for(
        emulator, lake_names, objects=("APBILL", "APBILLITEM"), hard_delete=True
    )
    sync(spark, emulator, settings)
    bill = first_key(emulator.company, "APBILL")
    emulator.company.delete("APBILL", bill)
    emulator.clock.advance(timedelta(minutes=5))
    sync(spark, emulator, settings)
    assert rows(spark, lake_names, "ap_bill", bill) == []
    item = spark.table(lake_names.qualified("ap_bill_item"))
    assert item.where(F.col("recordkey") == bill).count() == 0
    assert item.where("_deleted").count() == 0


def test_forbidden_audit_history_falls_back_to_key_reconciliation_with_a_warning(spark, synced):
    emulator, lake_names = synced.emu, synced.names
    emulator.company.settings.forbidden = {"AUDITHISTORY"}
    try:
        bill = first_key(emulator.company, "APBILL")
        emulator.company.delete("APBILL", bill)
        emulator.clock.advance(timedelta(minutes=5))
        result = synced_run(spark, synced, ("APBILL",))["APBILL"]
    finally:
        emulator.company.settings.forbidden = set()

    assert result.rows_deleted == 1
    assert [r["_deleted"] for r in rows(spark, lake_names, "ap_bill", bill)] == [True]
    assert len(result.warnings) == 1 and "AUDITHISTORY is not readable" in result.warnings[0]
    assert result.keys_swept
    runs = spark.table(lake_names.qualified("_sync_runs")).where(F.col("object") == "APBILL")
    warnings = runs.orderBy(F.col("started_at").desc()).first()
    assert "AUDITHISTORY" in json.loads(warnings["warnings"])[0]
    check_all(spark, lake_names, emulator.company, ["APBILL"])


def test_key_sweep_catches_an_unaudited_delete_on_its_cadence_or_on_demand(spark, synced):
    emulator, lake_names, company = synced.emu, synced.names, synced.emu.company
    state = StateStore(spark, lake_names)
    stamped = state.get("VENDOR", "").last_key_sweep
    assert stamped is not None  # the full read compared every key
    vendor = first_key(company, "VENDOR")
    company.delete("VENDOR", vendor)
    company.store.execute("DELETE FROM AUDITHISTORY WHERE OBJECTKEY = ?", (str(vendor),))
    emulator.clock.advance(timedelta(minutes=5))

    synced_run(spark, synced, ("VENDOR",))  # not due yet: the audit trail has nothing to say
    assert [r["_deleted"] for r in rows(spark, lake_names, "vendor", vendor)] == [False]
    assert state.get("VENDOR", "").last_key_sweep == stamped

    emulator.clock.advance(timedelta(minutes=5))
    forced = synced_run(spark, synced, ("VENDOR",), sweep_keys=True)["VENDOR"]
    assert forced.rows_deleted == 1 and forced.keys_swept
    assert [r["_deleted"] for r in rows(spark, lake_names, "vendor", vendor)] == [True]
    assert state.get("VENDOR", "").last_key_sweep > stamped
    check_all(spark, lake_names, company, ["VENDOR"])
