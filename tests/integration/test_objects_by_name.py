"""Every object a finance team reports on, by name: curated specs, inferred ones, exactly.

One company and one schema for the module: every object below synced in full by one run; then
each test changes its own objects in the emulator and syncs only those.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from intacct_sync.config import ConfigError
from intacct_sync.pipeline import RunSummary
from intacct_sync.runner import run_sync
from tests.support.lake_check import check_all, check_table
from tests.support.sync import SyncedCompany, client_for, settings_for, synced_company

pytestmark = pytest.mark.spark

FINANCE = (
    "ARINVOICE", "ARINVOICEITEM", "ARPYMT", "ARPYMTDETAIL", "GLACCTGRP", "GLACCTGRPMEMBER",
    "REPORTINGPERIOD", "APTERM", "GLDETAIL",
)  # fmt: skip
TABLES = {
    "ar_invoice", "ar_invoice_item", "ar_payment", "ar_payment_detail", "gl_account_group",
    "gl_account_group_member", "reporting_period", "ap_term", "gl_detail",
}  # fmt: skip


EXPENSES = ("EEXPENSES",)  # left out of the catalog: specified from its lookup
BUDGETS = ("GLBUDGETHEADER", "GLBUDGETITEM")


@pytest.fixture(scope="module")
def synced(spark) -> Iterator[SyncedCompany]:
    objects = (*FINANCE, *EXPENSES, *BUDGETS)
    with synced_company(spark, "byname", objects, discover_udds=False) as company:
        yield company


def again(spark, synced: SyncedCompany, objects: tuple[str, ...]) -> RunSummary:
    """A later run of the module's schema, for the objects a test is about, on the emulator's
    clock (the tests before moved it ahead of real time)."""
    return synced.run(spark, objects)


def test_the_finance_objects_land_by_name_exactly_and_reconcile(spark, synced):
    emulator, lake_names = synced.emu, synced.names
    summary = synced.first
    assert [(r.object, r.error_message) for r in summary.failed] == []
    tables = set(lake_names.list_tables(spark))
    assert TABLES <= tables
    for table in TABLES:
        assert spark.table(lake_names.qualified(table)).count() > 0, table
    check_all(spark, lake_names, emulator.company, list(FINANCE))
    finance = [r for r in summary.results if r.object in FINANCE]
    assert sorted(r.object for r in finance) == sorted(FINANCE)
    assert all(r.reconciled is not False for r in finance), [
        (r.object, r.warnings) for r in summary.results if r.reconciled is False
    ]
    # GL detail is read in yearly WHENMODIFIED slices, never unfiltered.
    detail = {r.object: r for r in summary.results}["GLDETAIL"]
    assert detail.pages >= 2 and detail.reconciled is True
    # Deleting a journal entry takes its GL detail lines with it (GL detail has no audit trail).
    company = emulator.company
    batch = int(company.rows("GLDETAIL")[0]["BATCHKEY"])
    company.delete("GLBATCH", batch)
    emulator.clock.advance(timedelta(minutes=5))
    second = again(spark, synced, (*FINANCE, "GLBATCH"))
    assert second.exit_code == 0
    check_table(spark, lake_names, company, "GLDETAIL")


def test_an_object_left_out_of_the_catalog_syncs_from_its_lookup(spark, synced):
    emulator, lake_names, company = synced.emu, synced.names, synced.emu.company
    (first,) = [r for r in synced.first.results if r.object == "EEXPENSES"]
    assert first.status == "succeeded" and first.reconciled is True
    check_table(spark, lake_names, company, "EEXPENSES")  # table "eexpenses"
    keys = [int(r["RECORDNO"]) for r in company.rows("EEXPENSES")]
    company.update("EEXPENSES", keys[0], {"DESCRIPTION": "corrected"})
    company.delete("EEXPENSES", keys[1])  # audited: found by the run's AUDITHISTORY read
    emulator.clock.advance(timedelta(minutes=5))
    second = again(spark, synced, EXPENSES)
    (result,) = second.results
    assert (result.mode, result.rows_updated, result.rows_deleted) == ("incremental", 1, 1)
    check_table(spark, lake_names, company, "EEXPENSES")


def test_budget_lines_without_a_cursor_are_read_in_full_and_written_only_on_change(spark, synced):
    lake_names, company = synced.names, synced.emu.company
    check_table(spark, lake_names, company, "GLBUDGETITEM")
    version = spark.sql(
        f"DESCRIBE HISTORY {lake_names.qualified('gl_budget_item')} LIMIT 1"
    ).first()["version"]
    unchanged = {r.object: r for r in again(spark, synced, BUDGETS).results}["GLBUDGETITEM"]
    assert unchanged.mode == "full" and unchanged.rows_read > 0
    assert (unchanged.rows_inserted, unchanged.rows_updated, unchanged.rows_deleted) == (0, 0, 0)
    assert (
        spark.sql(f"DESCRIBE HISTORY {lake_names.qualified('gl_budget_item')} LIMIT 1").first()[
            "version"
        ]
        == version
    )  # the same content: nothing written
    line = int(company.rows("GLBUDGETITEM")[0]["RECORDNO"])
    company.update("GLBUDGETITEM", line, {"AMOUNT": "4242.42"})
    gone = int(company.rows("GLBUDGETITEM")[1]["RECORDNO"])
    company.delete("GLBUDGETITEM", gone)
    changed = {r.object: r for r in again(spark, synced, BUDGETS).results}["GLBUDGETITEM"]
    assert (changed.rows_updated, changed.rows_deleted) == (1, 1)
    check_table(spark, lake_names, company, "GLBUDGETITEM")


def test_an_object_the_company_does_not_have_is_a_configuration_error(lake_names, emulator):
    settings = settings_for(emulator, lake_names, objects=("APBILL", "NOTANOBJECT"))
    with client_for(emulator, settings) as client, pytest.raises(ConfigError, match="NOTANOBJECT"):
        run_sync(settings, client=client, spark=None)
