"""Synthetic company: determinism, consistency of generated money, mutations and their audit."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import requests

from intacct_sync.emulator import Company

from .gw import data_call, query, rows, session


def test_same_seed_same_rows_and_other_seed_differs():
    a, b, c = Company(seed=11), Company(seed=11), Company(seed=12)
    assert a.rows("APBILL") == b.rows("APBILL") and a.rows("GLENTRY") == b.rows("GLENTRY")
    assert a.rows("APBILL") != c.rows("APBILL")


def test_generated_money_is_consistent(emulator_module):
    company = emulator_module.company
    lines = defaultdict(Decimal)
    for line in company.rows("APBILLITEM"):
        lines[line["RECORDKEY"]] += Decimal(line["AMOUNT"])
    bills = company.rows("APBILL")
    assert all(Decimal(b["TOTALENTERED"]) == lines[b["RECORDNO"]] for b in bills)
    assert {b["CURRENCY"] for b in bills} == {"USD", "EUR", "GBP", "CAD"}
    balance = defaultdict(Decimal)
    for e in company.rows("GLENTRY"):
        assert Decimal(e["AMOUNT"]) > 0
        balance[e["BATCHNO"]] += Decimal(e["AMOUNT"]) * int(e["TR_TYPE"])
    assert set(balance.values()) == {Decimal(0)}
    batches = company.rows("GLBATCH")
    assert any(b["JOURNAL"] == "ADJ" and b["ADJ"] == "T" for b in batches)
    assert any(b["REVERSED"] for b in batches)
    pay = company.rows("APPYMTDETAIL")[0]
    item = [i for i in company.rows("APBILLITEM") if i["RECORDNO"] == pay["ENTRYKEY"]][0]
    assert item["RECORDKEY"] == pay["RECORDKEY"]


def test_generated_whenmodified_lies_in_the_year_before_the_base(emulator_module):
    stamps = [
        b["WHENMODIFIED"] for b in emulator_module.company.rows("APBILL") if b["WHENMODIFIED"]
    ]
    parsed = [datetime.strptime(s, "%m/%d/%Y %H:%M:%S") for s in stamps]
    assert min(parsed) > datetime(2025, 10, 1) and max(parsed) < datetime(2026, 11, 1)


def test_insert_update_delete_stamp_whenmodified_and_audit(emulator):
    company = emulator.company
    emulator.clock.set(datetime(2027, 1, 15, 20, 0, 5, tzinfo=timezone.utc))
    rec = company.insert("VENDOR", {"VENDORID": "V-NEW", "NAME": "New Vendor", "TOTALDUE": "12.50"})
    row = [r for r in company.rows("VENDOR") if r["RECORDNO"] == str(rec)][0]
    assert row["WHENMODIFIED"] == "01/15/2027 12:00:05"  # Los Angeles
    assert row["TOTALDUE"] == "12.5"
    emulator.clock.advance(timedelta(minutes=5))
    company.update("VENDOR", rec, {"NAME": "Renamed"})
    company.delete("VENDOR", rec)
    audit = [
        a
        for a in company.rows("AUDITHISTORY")
        if a["OBJECTKEY"] == str(rec) and a["OBJECTTYPE"] == "vendor"
    ]
    assert [a["ACCESSMODE"] for a in audit] == ["C", "M", "D"]
    assert audit[0]["ACCESSTIME"] == "01/15/2027 20:00:05"  # UTC
    assert audit[1]["ACCESSTIME"] == "01/15/2027 20:05:05"


def test_deleting_a_bill_cascades_to_lines_and_payment_details(emulator):
    company = emulator.company
    detail = company.rows("APPYMTDETAIL")[0]
    bill = int(detail["RECORDKEY"])
    company.delete("APBILL", bill)
    assert not [i for i in company.rows("APBILLITEM") if i["RECORDKEY"] == str(bill)]
    assert not [d for d in company.rows("APPYMTDETAIL") if d["RECORDKEY"] == str(bill)]


def test_recreate_bill_gets_a_new_key(emulator):
    company = emulator.company
    old = company.rows("APBILL")[0]
    lines = [i for i in company.rows("APBILLITEM") if i["RECORDKEY"] == old["RECORDNO"]]
    new = company.recreate_bill(int(old["RECORDNO"]))
    assert new != int(old["RECORDNO"])
    bills = {b["RECORDNO"]: b for b in company.rows("APBILL")}
    assert old["RECORDNO"] not in bills and bills[str(new)]["MODULEKEY"] == "9.PO"
    assert bills[str(new)]["TOTALENTERED"] == old["TOTALENTERED"]
    assert len([i for i in company.rows("APBILLITEM") if i["RECORDKEY"] == str(new)]) == len(lines)


def test_custom_field_and_null_cursor_show_through_the_gateway(emulator):
    """A custom field's default fills new records only, as Intacct documents; existing records
    stay empty and keep their WHENMODIFIED."""
    company = emulator.company
    before = {r["RECORDNO"]: r["WHENMODIFIED"] for r in company.rows("APBILL")}
    company.add_custom_field("APBILL", "PRIORITY_SCORE", "DECIMAL", default="1.5")
    company.set_null_cursor("APBILL", 1001)
    vendor = company.rows("VENDOR")[0]["VENDORID"]
    new = company.insert("APBILL", {"VENDORID": vendor, "TOTALENTERED": "10.00"})
    sid = session(emulator)
    got = rows(
        data_call(
            emulator,
            sid,
            query(
                "APBILL",
                ["RECORDNO", "PRIORITY_SCORE", "WHENMODIFIED"],
                f"<in><field>RECORDNO</field><value>1001</value><value>1002</value>"
                f"<value>{new}</value></in>",
            ),
        )
    )
    by_key = {r["RECORDNO"]: r for r in got}
    assert by_key["1001"] == {"RECORDNO": "1001", "PRIORITY_SCORE": "", "WHENMODIFIED": ""}
    assert by_key["1002"]["PRIORITY_SCORE"] == ""
    after = {r["RECORDNO"]: r["WHENMODIFIED"] for r in company.rows("APBILL")}
    assert after["1002"] == before["1002"]
    assert by_key[str(new)]["PRIORITY_SCORE"] == "1.5"


def test_admin_http_api(emulator):
    base = emulator.base_url
    rec = requests.post(
        f"{base}/admin/insert",
        json={"object": "CLASS", "values": {"CLASSID": "CX", "NAME": "X"}},
        timeout=5,
    ).json()["recordno"]
    assert (
        requests.post(
            f"{base}/admin/update",
            json={"object": "CLASS", "recordno": rec, "values": {"NAME": "Y"}},
            timeout=5,
        ).status_code
        == 200
    )
    assert requests.post(
        f"{base}/admin/delete", json={"object": "CLASS", "recordno": rec}, timeout=5
    ).ok
    bad = requests.post(
        f"{base}/admin/delete", json={"object": "CLASS", "recordno": rec}, timeout=5
    )
    assert bad.status_code == 400 and "does not exist" in bad.json()["error"]
    faults = requests.post(
        f"{base}/admin/faults", json={"add": "http_502@call=1"}, timeout=5
    ).json()
    assert faults["faults"][0]["kind"] == "http_502"
    clock = requests.post(f"{base}/admin/clock", json={"advance_seconds": 3600}, timeout=5).json()
    assert datetime.fromisoformat(clock["now"]) > datetime.now(timezone.utc) + timedelta(minutes=59)
    stats = requests.get(f"{base}/admin/stats", timeout=5).json()
    assert stats["requests"] == 0  # admin calls are not gateway calls


def test_mutation_while_paging_is_safe(emulator):
    import threading

    sid = session(emulator)
    stop = threading.Event()

    def mutate():
        n = 0
        while not stop.is_set():
            emulator.company.insert("APBILLITEM", {"RECORDKEY": 1001, "AMOUNT": "1.00"})
            n += 1

    t = threading.Thread(target=mutate)
    t.start()
    try:
        for offset in range(0, 1000, 200):
            data_call(
                emulator,
                sid,
                query(
                    "APBILLITEM",
                    ["RECORDNO"],
                    "",
                    f"<pagesize>200</pagesize><offset>{offset}</offset>",
                ),
            )
    finally:
        stop.set()
        t.join()


def test_timezone_setting_changes_whenmodified_rendering():
    emu_la = Company(seed=3, timezone_name="America/Los_Angeles")
    emu_utc = Company(seed=3, timezone_name="UTC")
    la = emu_la.rows("VENDOR")[0]["WHENMODIFIED"]
    utc = emu_utc.rows("VENDOR")[0]["WHENMODIFIED"]
    as_utc = datetime.strptime(la, "%m/%d/%Y %H:%M:%S").replace(
        tzinfo=ZoneInfo("America/Los_Angeles")
    )
    assert as_utc.astimezone(timezone.utc).strftime("%m/%d/%Y %H:%M:%S") == utc


def test_record_numbers_are_never_issued_twice():
    """Intacct's RECORDNOs come from a sequence: the key of a deleted record is not reused, by
    an insert or by a bill re-created from Purchasing."""
    company = Company(seed=3, scale="small")
    last = max(int(r["RECORDNO"]) for r in company.rows("APBILL"))
    company.delete("APBILL", last)
    vendor = company.rows("VENDOR")[0]["VENDORID"]
    inserted = company.insert("APBILL", {"VENDORID": vendor, "TOTALENTERED": "1.00"})
    assert inserted == last + 1
    company.delete("APBILL", inserted)
    assert company.recreate_bill(last - 1) == last + 2


def test_medium_scale_has_its_declared_size():
    company = Company(seed=7, scale="medium")
    assert company.count("APBILL") == 12_000


@pytest.mark.slow
def test_large_scale_has_a_million_lines():
    # How fast it generates is a benchmark figure, not a test (a loaded machine would fail it).
    company = Company(seed=7, scale="large")
    assert company.count("APBILLITEM") == 1_000_000
