"""Paged reads against the emulator: keyset pages, call counts, windows, keys, sums, deletes."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest

from intacct_sync.emulator import Emulator, Fault
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.objects import udd_spec
from intacct_sync.intacct.options import ClientOptions
from intacct_sync.intacct.records import Window
from intacct_sync.intacct.retry import RetryPolicy
from intacct_sync.intacct.session import Credentials

LA = ZoneInfo("America/Los_Angeles")


def make_client(emu: Emulator, **kw) -> IntacctClient:
    return IntacctClient(
        emu.url,
        Credentials.from_mapping(emu.credentials),
        ClientOptions(retry=RetryPolicy(sleep=lambda s: None), **kw),
    )


def now_window(emu: Emulator, start: datetime | None = None) -> Window:
    return Window(start, emu.company.clock.now())


def keys_of(pages) -> list[int]:  # type: ignore[no-untyped-def]
    return [k for p in pages for k in p.batch.column("RECORDNO").to_pylist()]


def read_bills(emu: Emulator, **client_kw):  # type: ignore[no-untyped-def]
    """A full read of APBILL: (pages, the calls it made after lookup opened the session).

    The fields query refuses (docs/protocol.md §17) are handed in as an earlier run would, so the
    counts below are the paging's own."""
    with make_client(emu, **client_kw) as client:
        client.remember_refused("APBILL", ("PAYTOCONTACTNAME", "RETURNTOCONTACTNAME"))
        fields = client.readable_fields(CATALOG["APBILL"])
        before = client.stats()
        pages = list(client.read_pages(CATALOG["APBILL"], fields, now_window(emu)))
        return pages, client.stats() - before


@pytest.fixture(scope="module")
def big():
    with Emulator(seed=7, scale="small", port=0, bills=10_500) as e:
        yield e


@pytest.fixture(scope="module")
def emu():
    with Emulator(seed=7, scale="small", port=0) as e:
        yield e


def test_10k_bills_in_pages_of_2000_with_exact_call_count(big: Emulator) -> None:
    n = big.company.count("APBILL")
    assert n >= 10_000
    pages, used = read_bills(big)
    keys = keys_of(pages)
    assert len(keys) == n == len(set(keys))
    assert sorted(keys) == sorted(int(r["RECORDNO"]) for r in big.company.rows("APBILL"))
    # ceil(n/2000) keyset pages in key order, rows without a cursor in the same pass (the
    # emulator leaves a few); too few pages to split; the session was opened by lookup
    assert any(not r["WHENMODIFIED"] for r in big.company.rows("APBILL"))
    assert used.calls == {"query": math.ceil(n / 2000)}
    assert all(p.batch.num_rows <= 2000 for p in pages)
    assert pages[0].totalcount == n
    assert pages[0].batch.schema.field("TOTALDUE").type == pa.decimal128(38, 10)
    assert sum(p.bytes for p in pages) == used.bytes_received


def test_a_large_full_read_splits_into_key_ranges_that_keep_both_slots_busy() -> None:
    """105 pages over 2 request slots: after the first page the key range is cut in two, read
    at once. Every row once, 2 requests in flight, and 1-2 calls more than reading in a row
    (the max-key query, one more part-filled page)."""
    with Emulator(seed=7, scale="small", port=0, bills=10_500, latency=0.02) as emu:
        n = emu.company.count("APBILL")
        pages, used = read_bills(emu, max_in_flight=2, page_size=100)
        keys = keys_of(pages)
        assert len(keys) == n == len(set(keys))
        assert sorted(keys) == sorted(int(r["RECORDNO"]) for r in emu.company.rows("APBILL"))
        assert math.ceil(n / 100) + 1 <= used.calls["query"] <= math.ceil(n / 100) + 2
        assert emu.stats.max_in_flight == 2
        assert pages[0].totalcount == n


def test_a_full_read_with_one_slot_reads_in_a_row(big: Emulator) -> None:
    pages, used = read_bills(big, max_in_flight=1, page_size=500)
    keys = keys_of(pages)
    assert keys == sorted(keys) and len(keys) == big.company.count("APBILL")
    assert used.calls == {"query": math.ceil(len(keys) / 500)}


def test_rows_modified_during_paging_are_neither_skipped_nor_duplicated(big: Emulator) -> None:
    spec = CATALOG["APBILL"]
    with make_client(big) as client:
        fields = [
            f
            for f in client.lookup("APBILL")
            if f.name in ("RECORDNO", "WHENMODIFIED", "TOTALDUE", "AUWHENCREATED")
        ]
        window = now_window(big)
        all_keys = [int(r["RECORDNO"]) for r in big.company.rows("APBILL")]
        seen: list[int] = []
        moved: set[int] = set()
        for i, page in enumerate(client.read_pages(spec, fields, window)):
            seen += page.batch.column("RECORDNO").to_pylist()
            if i == 1:  # after two pages: modify 5 rows already read and 5 not yet read
                big.company.clock.advance(timedelta(seconds=5))
                unread = [k for k in all_keys if k not in set(seen)][-5:]
                for key in seen[:5] + unread:
                    big.company.update("APBILL", key, {"DESCRIPTION": "changed while paging"})
                moved = set(unread)
        assert len(seen) == len(set(seen))  # nothing twice
        assert set(all_keys) - moved <= set(seen)  # no unmodified row skipped
        later = Window(window.end, big.company.clock.now() + timedelta(seconds=1))
        again = keys_of(client.read_pages(spec, fields, later))
        assert moved <= set(again)  # the moved rows belong to the next window


def test_incremental_window_reads_only_recent_changes(emu: Emulator) -> None:
    with make_client(emu) as client:
        fields = client.lookup("VENDOR")
        emu.company.clock.advance(timedelta(minutes=1))
        start = emu.company.clock.now()
        emu.company.clock.advance(timedelta(seconds=1))
        key = int(emu.company.rows("VENDOR")[3]["RECORDNO"])
        emu.company.update("VENDOR", key, {"NAME": "Renamed"})
        got = keys_of(client.read_pages(CATALOG["VENDOR"], fields, now_window(emu, start)))
        assert got == [key]


def test_rows_with_empty_cursor_are_included(emu: Emulator) -> None:
    with make_client(emu) as client:
        fields = client.lookup("CLASS")
        key = int(emu.company.rows("CLASS")[0]["RECORDNO"])
        emu.company.set_null_cursor("CLASS", key)
        got = keys_of(client.read_pages(CATALOG["CLASS"], fields, now_window(emu)))
        assert key in got and len(got) == emu.company.count("CLASS") == len(set(got))


def test_control_characters_in_values_survive(emu: Emulator) -> None:
    with make_client(emu) as client:
        fields = client.lookup("VENDOR")
        emu.faults.add(Fault("control_chars", object="VENDOR"))
        pages = list(client.read_pages(CATALOG["VENDOR"], fields, now_window(emu)))
        assert sum(p.num_rows for p in pages) == emu.company.count("VENDOR")
        assert client.stats().retries == 0


def test_count_aggregate_and_keys_match_the_company(emu: Emulator) -> None:
    spec = CATALOG["APBILL"]
    rows = emu.company.rows("APBILL")
    with make_client(emu) as client:
        assert client.count("APBILL") == len(rows)
        _, sums = client.summary("APBILL", ["TOTALENTERED", "TOTALDUE"], count=None)
        expected = sum((Decimal(r["TOTALENTERED"] or 0) for r in rows), Decimal(0))
        assert sums[None]["TOTALENTERED"] == expected
        keys = [k for array in client.read_keys(spec) for k in array.to_pylist()]
        assert sorted(keys) == sorted(int(r["RECORDNO"]) for r in rows)


def test_gl_entry_sums_by_debit_and_credit(emu: Emulator) -> None:
    rows = emu.company.rows("GLENTRY")
    with make_client(emu) as client:
        before = client.stats()
        count, sums = client.summary("GLENTRY", ["AMOUNT"], group_by="TR_TYPE")
        used = client.stats() - before
    assert used.calls["query"] == 1  # the count rides along with the sums
    assert count == len(rows)
    assert set(sums) == {r["TR_TYPE"] for r in rows}
    for tr_type, by_field in sums.items():
        expected = sum(
            (Decimal(r["AMOUNT"] or 0) for r in rows if r["TR_TYPE"] == tr_type), Decimal(0)
        )
        assert by_field["AMOUNT"] == expected


def test_audit_history_gives_deleted_keys(emu: Emulator) -> None:
    since = emu.company.clock.now() - timedelta(seconds=1)
    key = int(emu.company.rows("VENDOR")[-1]["RECORDNO"])
    emu.company.delete("VENDOR", key)
    with make_client(emu) as client:
        deleted = client.audit_deletes(
            CATALOG["VENDOR"], since, emu.company.clock.now() + timedelta(seconds=1)
        )
    assert deleted == [key]


def test_custom_fields_are_marked_by_lookup(emu: Emulator) -> None:
    emu.company.add_custom_field("GLACCOUNT", "CUSTOM_REGION", "TEXT", "West")
    with make_client(emu) as client:
        fields = {f.name: f for f in client.lookup("GLACCOUNT")}
    assert fields["CUSTOM_REGION"].is_custom and not fields["RECORDNO"].is_custom


def test_user_defined_dimensions_read_with_readbyquery_and_restart(emu: Emulator) -> None:
    with make_client(emu) as client:
        udds = [d for d in client.dimensions() if d.user_defined]
        assert udds
        spec = udd_spec(udds[0].object_name)
        fields = client.lookup(spec.name)
        emu.faults.add(Fault("resultid_expire", object=spec.name.upper(), page=2))
        pages = list(client.read_pages(spec, fields, now_window(emu), page_size=3))
        ids = [k for p in pages for k in p.batch.column("id").to_pylist()]
        assert len(ids) == len(set(ids)) == emu.company.count(spec.name)
        assert client.stats().calls.get("readByQuery", 0) >= 2  # restarted once


def test_a_readmore_page_lost_to_a_read_timeout_restarts_the_query(emu: Emulator) -> None:
    # The client gives up on readMore page 2, but Intacct ran it: the cursor moved past rows the
    # client never saw, and asking again answers the page after (make stress's fault matrix
    # found a dimension missing its last rows, then counted as deleted).
    with make_client(emu, timeout=(2.0, 0.5)) as client:
        udds = [d for d in client.dimensions() if d.user_defined]
        spec = udd_spec(udds[0].object_name)
        fields = client.lookup(spec.name)
        assert emu.company.count(spec.name) > 6  # three pages of 3 at least
        emu.faults.add(Fault("read_timeout", object=spec.name.upper(), page=2, seconds=1.0))
        pages = list(client.read_pages(spec, fields, now_window(emu), page_size=3))
        ids = [k for p in pages for k in p.batch.column("id").to_pylist()]
        assert emu.faults.injected, "the read timeout must have fired"
        assert len(ids) == len(set(ids)) == emu.company.count(spec.name)
        assert client.stats().calls.get("readByQuery", 0) == 2  # restarted once


def test_timestamps_come_back_in_utc_from_the_company_zone(emu: Emulator) -> None:
    with make_client(emu) as client:
        fields = [f for f in client.lookup("VENDOR") if f.name in ("RECORDNO", "WHENMODIFIED")]
        pages = list(client.read_pages(CATALOG["VENDOR"], fields, now_window(emu)))
    got = {
        k: t
        for p in pages
        for k, t in zip(
            p.batch.column("RECORDNO").to_pylist(),
            p.batch.column("WHENMODIFIED").to_pylist(),
            strict=True,
        )
    }
    raw = {int(r["RECORDNO"]): r["WHENMODIFIED"] for r in emu.company.rows("VENDOR")}
    checked = 0
    for key, text in raw.items():
        if text:
            local = datetime.strptime(text, "%m/%d/%Y %H:%M:%S").replace(tzinfo=LA)
            assert got[key] == local.astimezone(timezone.utc)
            checked += 1
    assert checked > 10
