"""The query function: every filter operator, aggregates, ordering, paging, its errors (§5.2)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from .gw import data_call, fn, query, result, rows, session

ALL = "<options><showprivate>true</showprivate></options><pagesize>2000</pagesize>"


@pytest.fixture(scope="module")
def ctx(emulator_module):
    return emulator_module, session(emulator_module), emulator_module.company.rows("APBILL")


def _keys(emu, sid, filt: str, obj: str = "APBILL", extra: str = ALL) -> set[str]:
    root = data_call(emu, sid, query(obj, ["RECORDNO"], filt, extra))
    assert result(root).findtext("status") == "success", result(root).findtext(".//description2")
    return {r["RECORDNO"] for r in rows(root)}


def _ts(text: str) -> datetime:
    return datetime.strptime(text, "%m/%d/%Y %H:%M:%S")


def _cmp(op, field, value):
    return f"<{op}><field>{field}</field><value>{value}</value></{op}>"


@pytest.mark.parametrize(
    "op,test",
    [
        ("equalto", lambda a, b: a == b),
        ("notequalto", lambda a, b: a != b),
        ("lessthan", lambda a, b: a < b),
        ("lessthanorequalto", lambda a, b: a <= b),
        ("greaterthan", lambda a, b: a > b),
        ("greaterthanorequalto", lambda a, b: a >= b),
    ],
)
def test_comparison_operators_on_money(ctx, op, test):
    emu, sid, bills = ctx
    pivot = Decimal(bills[10]["TOTALENTERED"])
    expected = {b["RECORDNO"] for b in bills if test(Decimal(b["TOTALENTERED"]), pivot)}
    assert _keys(emu, sid, _cmp(op, "TOTALENTERED", pivot)) == expected


def test_timestamp_comparison_and_between(ctx):
    emu, sid, bills = ctx
    lo, hi = "03/01/2026 00:00:00", "06/30/2026 23:59:59"
    expected = {
        b["RECORDNO"]
        for b in bills
        if b["WHENMODIFIED"] and _ts(lo) <= _ts(b["WHENMODIFIED"]) <= _ts(hi)
    }
    filt = f"<between><field>WHENMODIFIED</field><value>{lo}</value><value>{hi}</value></between>"
    assert _keys(emu, sid, filt) == expected and expected
    after = {b["RECORDNO"] for b in bills if b["WHENMODIFIED"] and _ts(b["WHENMODIFIED"]) > _ts(hi)}
    assert _keys(emu, sid, _cmp("greaterthan", "WHENMODIFIED", hi)) == after


def test_in_notin_like_notlike_null(ctx):
    emu, sid, bills = ctx
    ids = [bills[0]["VENDORID"], bills[5]["VENDORID"]]
    values = "".join(f"<value>{v}</value>" for v in ids)
    assert _keys(emu, sid, f"<in><field>VENDORID</field>{values}</in>") == {
        b["RECORDNO"] for b in bills if b["VENDORID"] in ids
    }
    assert _keys(emu, sid, f"<notin><field>VENDORID</field>{values}</notin>") == {
        b["RECORDNO"] for b in bills if b["VENDORID"] not in ids
    }
    assert _keys(emu, sid, _cmp("like", "VENDORNAME", "Acme%")) == {
        b["RECORDNO"] for b in bills if b["VENDORNAME"].startswith("Acme")
    }
    assert _keys(emu, sid, _cmp("notlike", "VENDORNAME", "Acme%")) == {
        b["RECORDNO"] for b in bills if not b["VENDORNAME"].startswith("Acme")
    }
    nulls = {b["RECORDNO"] for b in bills if not b["WHENMODIFIED"]}
    assert 2 <= len(nulls) <= 3
    assert _keys(emu, sid, "<isnull><field>WHENMODIFIED</field></isnull>") == nulls
    everything = {b["RECORDNO"] for b in bills}
    assert (
        _keys(emu, sid, "<isnotnull><field>WHENMODIFIED</field></isnotnull>") == everything - nulls
    )


def test_and_or_nest(ctx):
    emu, sid, bills = ctx
    filt = (
        "<or><and>"
        + _cmp("equalto", "CURRENCY", "EUR")
        + _cmp("greaterthan", "TOTALENTERED", "1000")
        + "</and>"
        + _cmp("equalto", "STATE", "Draft")
        + "</or>"
    )
    expected = {
        b["RECORDNO"]
        for b in bills
        if (b["CURRENCY"] == "EUR" and Decimal(b["TOTALENTERED"]) > 1000) or b["STATE"] == "Draft"
    }
    assert _keys(emu, sid, filt) == expected


def test_caseinsensitive_option(ctx):
    emu, sid, bills = ctx
    name = bills[0]["VENDORNAME"]
    assert _keys(emu, sid, _cmp("equalto", "VENDORNAME", name.upper())) == set()
    opts = (
        "<options><caseinsensitive>true</caseinsensitive><showprivate>true</showprivate></options>"
    )
    assert bills[0]["RECORDNO"] in _keys(
        emu,
        sid,
        _cmp("equalto", "VENDORNAME", name.upper()),
        extra=opts + "<pagesize>2000</pagesize>",
    )


def test_aggregates_are_exact_and_grouped(ctx):
    emu, sid, bills = ctx
    sel = (
        "<select><field>CURRENCY</field><count>RECORDNO</count><sum>TOTALENTERED</sum>"
        "<min>TOTALENTERED</min><max>TOTALENTERED</max><avg>TOTALENTERED</avg></select>"
    )
    root = data_call(
        emu,
        sid,
        fn(
            f"<query><object>APBILL</object>{sel}{ALL}"
            "<orderby><order><field>CURRENCY</field></order></orderby></query>"
        ),
    )
    got = {r["CURRENCY"]: r for r in rows(root)}
    for cur, row in got.items():
        amounts = [Decimal(b["TOTALENTERED"]) for b in bills if b["CURRENCY"] == cur]
        assert row["COUNT.RECORDNO"] == str(len(amounts))
        assert Decimal(row["SUM.TOTALENTERED"]) == sum(amounts)
        assert Decimal(row["MIN.TOTALENTERED"]) == min(amounts)
        assert Decimal(row["MAX.TOTALENTERED"]) == max(amounts)
        assert abs(Decimal(row["AVG.TOTALENTERED"]) - sum(amounts) / len(amounts)) < Decimal("1e-9")
    assert set(got) == {b["CURRENCY"] for b in bills}
    assert result(root).find("data").get("totalcount") == str(len(got))


def test_gl_batches_balance_by_tr_type(ctx):
    emu, sid, _ = ctx
    sel = "<select><field>TR_TYPE</field><sum>AMOUNT</sum></select>"
    root = data_call(emu, sid, fn(f"<query><object>GLENTRY</object>{sel}{ALL}</query>"))
    sums = {r["TR_TYPE"]: r["SUM.AMOUNT"] for r in rows(root)}
    assert sums["1"] == sums["-1"] and "e" not in sums["1"].lower()


def test_orderby_descending_and_offset_paging_cover_every_row(ctx):
    emu, sid, bills = ctx
    order = "<orderby><order><field>TOTALENTERED</field><descending/></order></orderby>"
    seen = []
    for offset in range(0, len(bills) + 100, 100):
        root = data_call(
            emu,
            sid,
            query(
                "APBILL",
                ["RECORDNO", "TOTALENTERED"],
                "",
                f"{order}<options><showprivate>true</showprivate></options>"
                f"<pagesize>100</pagesize><offset>{offset}</offset>",
            ),
        )
        seen += rows(root)
    assert len(seen) == len(bills) == len({r["RECORDNO"] for r in seen})
    amounts = [Decimal(r["TOTALENTERED"]) for r in seen]
    assert amounts == sorted(amounts, reverse=True)


def test_keyset_paging_on_whenmodified_then_recordno(ctx):
    emu, sid, bills = ctx
    order = (
        "<orderby><order><field>WHENMODIFIED</field><ascending/></order>"
        "<order><field>RECORDNO</field><ascending/></order></orderby>"
    )
    w, k, seen = "01/01/2000 00:00:00", 0, []
    while True:
        filt = (
            "<or>"
            + _cmp("greaterthan", "WHENMODIFIED", w)
            + "<and>"
            + _cmp("equalto", "WHENMODIFIED", w)
            + _cmp("greaterthan", "RECORDNO", k)
            + "</and></or>"
        )
        page = rows(
            data_call(
                emu,
                sid,
                query(
                    "APBILL",
                    ["RECORDNO", "WHENMODIFIED"],
                    filt,
                    order + "<options><showprivate>true</showprivate></options>"
                    "<pagesize>50</pagesize>",
                ),
            )
        )
        if not page:
            break
        seen += page
        w, k = page[-1]["WHENMODIFIED"], page[-1]["RECORDNO"]
    assert (
        len(seen)
        == len([b for b in bills if b["WHENMODIFIED"]])
        == len({r["RECORDNO"] for r in seen})
    )


def test_related_field_through_relationship(ctx):
    emu, sid, _ = ctx
    root = data_call(
        emu,
        sid,
        query("APBILL", ["RECORDNO", "VENDORID", "VENDOR.NAME"], "", "<pagesize>5</pagesize>"),
    )
    vendors = {v["VENDORID"]: v["NAME"] for v in emu.company.rows("VENDOR")}
    for r in rows(root):
        assert r["VENDOR.NAME"] == vendors[r["VENDORID"]]


@pytest.mark.parametrize(
    "body,text",
    [
        (
            "<query><object>APBILL</object><select><field>*</field></select></query>",
            "not supported",
        ),
        ("<query><object>APBILL</object><select/></query>", "at least one field"),
        (
            "<query><object>APBILL</object><select><field>NOPE</field></select></query>",
            "Invalid field(s) NOPE",
        ),
        (
            "<query><object>VENDOR2</object><select><field>RECORDNO</field></select></query>",
            "Object definition VENDOR2 not found",
        ),
        (
            "<query><object>APBILL</object><select><field>RECORDNO</field></select><filter>"
            "<and><equalto><field>RECORDNO</field><value>1</value></equalto></and></filter></query>",
            "at least 2",
        ),
        (
            "<query><object>APBILL</object><select><field>RECORDNO</field></select><filter>"
            "<equalto><field>RECORDNO</field><value>1</value></equalto>"
            "<equalto><field>RECORDNO</field><value>2</value></equalto></filter></query>",
            "exactly one",
        ),
        (
            "<query><object>APBILL</object><select><field>RECORDNO</field></select><filter>"
            "<equalto><field>BOGUS</field><value>1</value></equalto></filter></query>",
            "Invalid field(s) BOGUS",
        ),
        (
            "<query><object>APBILL</object><select><field>RECORDNO</field></select>"
            "<pagesize>2001</pagesize></query>",
            "between 1 and 2000",
        ),
    ],
)
def test_query_errors_are_result_failures(ctx, body, text):
    emu, sid, _ = ctx
    root = data_call(emu, sid, fn(body))
    res = result(root)
    assert res.findtext("status") == "failure"
    assert text in res.findtext("errormessage/error/description2")
    assert root.findtext("control/status") == "success"
