"""Incremental sync scenarios, one per seed: the tables equal Intacct after every sync.

Per seed: a full sync of AP, AR and GL (GL detail too); then inserts, updates, deletes of
headers and of a lone line (payables and receivables), a GL entry edited (its GL detail line
follows) and a journal entry deleted (its GL detail lines go with it), a bill
recreated under a new key, records with an empty WHENMODIFIED, a new custom field, on a clock
that crosses the end of daylight saving time in America/Los_Angeles (01:00-02:00 happens twice);
then an incremental sync during which bills change while it is paging. After each sync every
table equals the emulator's live rows (all columns, no key twice) and reconciliation matches
(after the first sync, with each changed table counted from its change data feed).

Every seed runs under the ``slow`` marker (``make stress``): each is a soak of several syncs (seed 1
alone took 180-190 test-seconds of ``make test``'s 1,400). Each behaviour it combines has a test of
its own in ``make test``:

- inserts, updates, header and line deletes, cascades, a re-created bill:
  ``test_incremental_deletes.py``, ``test_spark_connect.py`` (full then incremental, with deletes);
- an edit in the repeated fall-back hour: ``test_lake_writer.py``;
- rows edited while paging: ``test_client_reads.py``;
- an empty WHENMODIFIED: ``test_client_reads.py`` (read) and ``test_lake_writer.py`` (merged);
- a new custom field: ``test_pipeline.py`` and ``test_client_reads.py``;
- a changed table reconciled from its change data feed: ``test_pipeline.py``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from intacct_sync.emulator import Emulator
from intacct_sync.runner import run_sync
from tests.support.lake_check import check_all
from tests.support.sync import client_for, settings_for

pytestmark = pytest.mark.spark

OBJECTS = (
    "VENDOR", "APBILL", "APBILLITEM", "APPYMT", "APPYMTDETAIL", "GLBATCH", "GLENTRY",
    "CUSTOMER", "ARINVOICE", "ARINVOICEITEM", "ARPYMT", "ARPYMTDETAIL", "GLDETAIL",
)  # fmt: skip
# 2026-11-01 02:00 PDT becomes 01:00 PST at 09:00 UTC.
FULL_SYNC_AT = datetime(2026, 11, 1, 7, 30, tzinfo=timezone.utc)  # 00:30 PDT
SEEDS = [pytest.param(s, marks=[pytest.mark.slow, pytest.mark.timeout(2400)]) for s in range(1, 21)]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_sync_equals_intacct_and_reconciles(spark, lake_names, seed):
    rng = random.Random(seed)
    with Emulator(seed=seed, scale="small", start=FULL_SYNC_AT) as emu:
        settings = settings_for(emu, lake_names, objects=OBJECTS, analytics=True)
        with client_for(emu, settings) as client:

            def sync(ahead: timedelta = timedelta(0), first: bool = False, **overrides):
                summary = run_sync(
                    settings.with_overrides(**overrides),
                    client=client,
                    spark=spark,
                    now=lambda: emu.clock.now() + ahead,
                )
                assert_synced(spark, lake_names, emu, summary, OBJECTS, first=first)
                return by_object(summary)

            sync(first=True)
            emu.clock.set(datetime(2026, 11, 1, 8, 35, tzinfo=timezone.utc))  # 01:35 PDT
            mutate(emu.company, rng, tag="pdt")
            edit_while_paging(client, emu.company, rng)
            # Small pages, and a window ending after the edits made while paging: this very
            # run must see them, each once.
            assert sync(ahead=timedelta(minutes=1), page_size=2)["APBILL"].pages > 2
            del client.read_pages  # back to the plain reader
            # The clock falls back: 01:20 PST is written as a wall time before the last run's.
            emu.clock.set(datetime(2026, 11, 1, 9, 20, tzinfo=timezone.utc))
            mutate(emu.company, rng, tag="pst")
            sync()


def assert_synced(spark, names, emu, summary, objects, *, first: bool) -> None:
    assert [(r.object, r.error_message) for r in summary.failed] == []
    assert sorted(r.object for r in summary.results) == sorted(objects)
    check_all(spark, names, emu.company, list(objects))
    for r in summary.results:
        wrote = r.rows_inserted + r.rows_updated + r.rows_deleted
        if r.reconciled is None:  # unchanged and its daily reconciliation not due yet
            assert wrote == 0 and not first, (r.object, wrote)
        else:
            assert r.reconciled is True, (r.object, r.warnings)
            assert r.reconciliation.source_count == emu.company.count(r.object)
            # After the first sync's scans, a table that changed is counted from its change
            # data feed: these figures matching Intacct's is that path checked.
            assert r.reconciliation.target_basis == ("scan" if first else "changes"), r.object
        # Fields query refuses and pages too heavy for Intacct (docs/protocol.md §17) are found
        # by the first run, said once, and remembered by the next runs (the run log).
        refusals = [w for w in r.warnings if "refuses to query" in w]
        assert len(refusals) == (1 if first and r.refused_fields else 0), r.warnings
        timeouts = [w for w in r.warnings if "timed out (HTTP 524)" in w]
        assert len(timeouts) == (1 if first and r.page_size else 0), r.warnings
        assert [w for w in r.warnings if w not in refusals + timeouts] == []


def by_object(summary):
    return {r.object: r for r in summary.results}


def keys(company, name: str, **where) -> list[int]:
    rows = company.rows(name)
    return [int(r["RECORDNO"]) for r in rows if all(r[k] == v for k, v in where.items())]


def mutate(company, rng: random.Random, tag: str) -> None:
    """One round of everyday changes, chosen by the seed."""
    vendor = company.insert("VENDOR", {"VENDORID": f"V-{tag}", "NAME": f"Vendor {tag}"})
    bill = company.insert(
        "APBILL",
        {
            "VENDORID": f"V-{tag}",
            "RECORDID": f"INV-{tag}",
            "TOTALENTERED": "100.10",
            "TOTALDUE": "100.10",
        },
    )
    company.insert("APBILLITEM", {"RECORDKEY": bill, "LINE_NO": 1, "AMOUNT": "100.10"})
    for key in rng.sample(keys(company, "APBILL"), 3):
        company.update("APBILL", key, {"DESCRIPTION": f"edited {tag}", "TOTALDUE": "0.01"})
    for key in rng.sample(keys(company, "GLENTRY"), 2):
        company.update("GLENTRY", key, {"AMOUNT": "12.34"})
    company.delete("APBILL", rng.choice(keys(company, "APBILL")))  # lines and details follow
    company.delete("APBILLITEM", rng.choice(keys(company, "APBILLITEM")))  # a line on its own
    company.delete("GLBATCH", rng.choice(keys(company, "GLBATCH")))
    company.delete("APPYMT", rng.choice(keys(company, "APPYMT")))
    # Receivables: the same kinds of change (their lines and details follow their header).
    customer = rng.choice(company.rows("CUSTOMER"))["CUSTOMERID"]
    invoice = company.insert(
        "ARINVOICE",
        {"CUSTOMERID": customer, "RECORDID": f"AR-{tag}", "TOTALENTERED": "250.25",
         "TOTALDUE": "250.25"},
    )  # fmt: skip
    company.insert("ARINVOICEITEM", {"RECORDKEY": invoice, "LINE_NO": 1, "AMOUNT": "250.25"})
    for key in rng.sample(keys(company, "ARINVOICE"), 2):
        company.update("ARINVOICE", key, {"DESCRIPTION": f"edited {tag}", "TOTALDUE": "0.02"})
    company.delete("ARINVOICE", rng.choice(keys(company, "ARINVOICE")))
    company.delete("ARINVOICEITEM", rng.choice(keys(company, "ARINVOICEITEM")))
    company.delete("ARPYMT", rng.choice(keys(company, "ARPYMT")))
    company.recreate_bill(rng.choice(keys(company, "APBILL")))  # new RECORDNO, old one deleted
    # Records whose WHENMODIFIED is empty: caught through their creation time.
    company.set_null_cursor("VENDOR", vendor)
    company.set_null_cursor("APBILL", bill)
    field = f"RISK_{tag.upper()}"
    company.add_custom_field("VENDOR", field, "TEXT", default="standard")  # new records only
    company.insert("VENDOR", {"VENDORID": f"V-{tag}-NEW", "NAME": f"Vendor {tag} new"})
    company.update("VENDOR", rng.choice(keys(company, "VENDOR")), {field: "high"})


def edit_while_paging(client, company, rng: random.Random) -> None:
    """After the first page of bills is read, edit bills ahead of the read and insert one.
    Pages go in key order: a bill edited *behind* the read position is left for the next run,
    which is right in a real run (its window ends when the run starts, so a change made while
    paging is after the window and inside the next run's lookback). This test's window ends a
    minute ahead, so the edits fall inside it and this very run must see them. A delete made
    while paging is not made here: the run reads the audit trail once, when the first object
    MERGEs (its deletes go into that MERGE), so a delete audited after that read is the next
    run's, as it is in a real run, where the window ended before the run started."""
    read_pages = client.read_pages

    def pages(spec, *args, **kwargs):
        for i, page in enumerate(read_pages(spec, *args, **kwargs)):
            yield page
            if i == 0 and spec.name == "APBILL":
                company.clock.advance(timedelta(seconds=5))
                position = max(page.batch.column("RECORDNO").to_pylist())
                ahead = [k for k in keys(company, "APBILL") if k > position]
                for key in rng.sample(ahead, min(4, len(ahead))):
                    company.update("APBILL", key, {"DESCRIPTION": "edited while paging"})
                company.insert("APBILL", {"RECORDID": "INV-PAGING", "TOTALENTERED": "5.00"})

    client.read_pages = pages
