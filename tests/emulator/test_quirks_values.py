"""Values off their declared type: lossless by default, lossy if planted (docs/protocol.md §17)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from intacct_sync.emulator import Emulator

from .gw import data_call, fn, query, result, rows, session

DATE_ONLY = re.compile(r"^\d\d/\d\d/\d{4}$")
FULL_STAMP = re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$")


def _page(emu, obj: str, fields: list[str]) -> list[dict[str, str]]:
    root = data_call(emu, session(emu), query(obj, fields, "", "<pagesize>2000</pagesize>"))
    assert result(root).findtext("status") == "success"
    return rows(root)


def _rbq(emu, obj: str, fields: list[str]) -> list[dict[str, str]]:
    body = fn(
        f"<readByQuery><object>{obj}</object><fields>{','.join(fields)}</fields><query/>"
        "<pagesize>1000</pagesize></readByQuery>"
    )
    return rows(data_call(emu, session(emu), body))


def _decimal_ints(page: list[dict[str, str]], field: str) -> set[str]:
    return {r["RECORDNO"] for r in page if r[field].endswith(".0")}


def test_some_integers_arrive_as_n_point_0_and_lose_nothing(emulator_module):
    emu = emulator_module
    stored = {r["RECORDNO"]: r for r in emu.company.rows("APBILL")}
    page = _page(emu, "APBILL", ["RECORDNO", "DUE_IN_DAYS", "TERMKEY"])
    shaped = _decimal_ints(page, "DUE_IN_DAYS")
    assert 0.1 < len(shaped) / len(page) < 0.35, "about one row in five"
    for r in page:
        for field in ("DUE_IN_DAYS", "TERMKEY"):
            value = r[field]
            assert re.fullmatch(r"-?\d+(\.0)?", value) or value == "", value
            if value:
                assert float(value) == int(stored[r["RECORDNO"]][field])
        assert re.fullmatch(r"\d+", r["RECORDNO"])  # keys are never shaped
    # The same rows are shaped whichever function reads them (chosen by key).
    assert _decimal_ints(_rbq(emu, "APBILL", ["RECORDNO", "DUE_IN_DAYS"]), "DUE_IN_DAYS") == shaped
    lines = _rbq(emu, "APBILLITEM", ["RECORDNO", "LINE_NO"])
    assert _decimal_ints(lines, "LINE_NO") and not all(r["LINE_NO"].endswith(".0") for r in lines)


def test_some_master_timestamps_arrive_as_a_date_meaning_midnight(emulator_module):
    emu = emulator_module
    for obj in ("VENDOR", "CUSTOMER", "PROJECT"):
        stored = {r["RECORDNO"]: r["WHENCREATED"] for r in emu.company.rows(obj)}
        page = _page(emu, obj, ["RECORDNO", "WHENCREATED", "WHENMODIFIED"])
        short = [r for r in page if DATE_ONLY.match(r["WHENCREATED"])]
        assert short and len(short) < len(page), obj
        for r in page:
            assert FULL_STAMP.match(r["WHENMODIFIED"])
            when = r["WHENCREATED"]
            expected = when + " 00:00:00" if DATE_ONLY.match(when) else when
            assert stored[r["RECORDNO"]] == expected, (obj, r)
            created = datetime.strptime(stored[r["RECORDNO"]], "%m/%d/%Y %H:%M:%S")
            assert created <= datetime.strptime(r["WHENMODIFIED"], "%m/%d/%Y %H:%M:%S")


def test_shapes_are_deterministic_per_seed():
    def shaped(seed: int) -> tuple[set[str], set[str]]:
        with Emulator(seed=seed) as emu:
            bills = _page(emu, "APBILL", ["RECORDNO", "DUE_IN_DAYS"])
            vendors = _page(emu, "VENDOR", ["RECORDNO", "WHENCREATED"])
            return _decimal_ints(bills, "DUE_IN_DAYS"), {
                r["RECORDNO"] for r in vendors if DATE_ONLY.match(r["WHENCREATED"])
            }

    assert shaped(7) == shaped(7)
    assert shaped(7) != shaped(8)


def test_the_switch_prints_every_value_in_its_type(emulator):
    emulator.quirks.value_shapes = False
    bills = _page(emulator, "APBILL", ["RECORDNO", "DUE_IN_DAYS"])
    assert not _decimal_ints(bills, "DUE_IN_DAYS")
    vendors = _page(emulator, "VENDOR", ["RECORDNO", "WHENCREATED"])
    assert all(FULL_STAMP.match(r["WHENCREATED"]) for r in vendors)
    assert any(r["WHENCREATED"].endswith(" 00:00:00") for r in vendors)  # still stored so


@pytest.mark.parametrize(
    "variant,field,check",
    [
        ("", "DUE_IN_DAYS", lambda v: re.fullmatch(r"\d+\.5", v)),
        ("integer", "DUE_IN_DAYS", lambda v: re.fullmatch(r"\d+\.5", v)),
        ("timestamp", "WHENMODIFIED", lambda v: v == "00/00/0000 00:00:00"),
    ],
)
def test_lossy_value_fault_plants_one_value_on_the_page(emulator, variant, field, check):
    sid = session(emulator)
    option = f",variant={variant}" if variant else ""
    emulator.faults.add(f"lossy_value@page=2,object=APBILL{option}")
    fields = ["RECORDNO", "VENDORID", "DUE_IN_DAYS", "WHENMODIFIED"]
    pages = [
        rows(data_call(emulator, sid, query("APBILL", fields, "", f"<offset>{o}</offset>")))
        for o in (0, 100, 200)
    ]
    planted = [
        (p, i) for p, page in enumerate(pages) for i, r in enumerate(page) if check(r[field])
    ]
    assert planted == [(1, 0)]  # the second page's first record, nothing else
    assert emulator.faults.injected[-1]["decisive"] is True


def test_lossy_value_without_a_typed_column_plants_nothing(emulator):
    sid = session(emulator)
    emulator.faults.add("lossy_value@page=1,object=VENDOR")
    page = rows(data_call(emulator, sid, query("VENDOR", ["RECORDNO", "NAME"])))
    assert all(re.fullmatch(r"\d+", r["RECORDNO"]) for r in page)
    assert emulator.faults.injected[-1]["decisive"] is False
