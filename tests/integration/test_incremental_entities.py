"""Multi-entity companies: private-entity rows seen, one session per entity, restricted users."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from intacct_sync.lake.state import StateStore
from intacct_sync.runner import run_sync
from tests.support.lake_check import check_all
from tests.support.sync import client_for, settings_for

pytestmark = pytest.mark.spark


def private_keys(company, name: str) -> set[int]:
    return {int(r["RECORDNO"]) for r in company.rows(name) if r["MEGAENTITYID"] == "E200"}


def run(spark, emulator, settings):
    with client_for(emulator, settings) as client:
        return run_sync(settings, client=client, spark=spark, now=emulator.clock.now)


def test_top_level_sync_sees_private_entity_rows_and_reconciles(spark, lake_names, emulator):
    company = emulator.company
    assert company.entities["E200"].private
    hidden = private_keys(company, "APBILL")
    assert hidden  # the generated company has bills owned by the private entity
    summary = run(spark, emulator, settings_for(emulator, lake_names, objects=("APBILL",)))

    assert summary.exit_code == 0
    check_all(spark, lake_names, company, ["APBILL"], include_private=True)
    table = spark.table(lake_names.qualified("ap_bill"))
    seen = {r["recordno"] for r in table.where(F.col("megaentityid") == "E200").collect()}
    assert seen == hidden
    result = summary.results[0]
    assert result.reconciled is True
    assert result.reconciliation.source_count == company.count("APBILL")  # showprivate count


def test_one_session_per_entity_owns_its_private_rows(spark, lake_names, emulator):
    company = emulator.company
    settings = settings_for(emulator, lake_names, objects=("APBILL",), entities=("E100", "E200"))
    summary = run(spark, emulator, settings)

    assert [(r.object, r.entity, r.status) for r in summary.results] == [
        ("APBILL", "E100", "succeeded"),
        ("APBILL", "E200", "succeeded"),
    ]
    assert all(r.reconciled for r in summary.results), [r.warnings for r in summary.results]
    check_all(spark, lake_names, company, ["APBILL"], include_private=True)
    table = spark.table(lake_names.qualified("ap_bill"))
    owners = {r["_entity"] for r in table.where(F.col("megaentityid") == "E200").collect()}
    assert owners == {"E200"}
    states = StateStore(spark, lake_names).states()  # from the run log
    assert sorted(s.entity for s in states if s.object == "APBILL") == ["E100", "E200"]


def test_user_restricted_to_an_entity_gets_a_clear_message_not_an_empty_table(
    spark, lake_names, emulator
):
    emulator.company.settings.users["xml_gateway"].entity = "E100"
    summary = run(spark, emulator, settings_for(emulator, lake_names, objects=("VENDOR",)))

    assert summary.exit_code == 1
    error = summary.results[0].error_message
    assert "restricted to entity 'E100'" in error and "entities: [E100]" in error
    assert not lake_names.exists(spark, "vendor")

    allowed = run(
        spark, emulator, settings_for(emulator, lake_names, objects=("VENDOR",), entities=("E100",))
    )
    assert allowed.exit_code == 0
