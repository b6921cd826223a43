"""readByQuery's query language and the readMore chain, including expiry (docs/protocol.md §5.1)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from .gw import data_call, fn, result, rows, session


def rbq(obj: str, q: str, fields: str = "RECORDNO", size: int = 1000) -> str:
    q = q.replace("&", "&amp;").replace("<", "&lt;")
    return fn(
        f"<readByQuery><object>{obj}</object><fields>{fields}</fields><query>{q}</query>"
        f"<pagesize>{size}</pagesize><returnFormat>xml</returnFormat></readByQuery>"
    )


def keys(emu, sid, obj: str, q: str) -> set[str]:
    root = data_call(emu, sid, rbq(obj, q))
    assert result(root).findtext("status") == "success", result(root).findtext(".//description2")
    return {r["RECORDNO"] for r in rows(root)}


@pytest.fixture(scope="module")
def ctx(emulator_module):
    return (
        emulator_module,
        session(emulator_module),
        emulator_module.company.rows("APBILL", include_private=False),
    )


@pytest.mark.parametrize(
    "q,pred",
    [
        ("TOTALENTERED >= 5000", lambda b: Decimal(b["TOTALENTERED"]) >= 5000),
        ("TOTALENTERED < 1000.5", lambda b: Decimal(b["TOTALENTERED"]) < Decimal("1000.5")),
        ("CURRENCY != 'USD'", lambda b: b["CURRENCY"] != "USD"),
        (
            "CURRENCY <> 'USD' AND TOTALENTERED > 100",
            lambda b: b["CURRENCY"] != "USD" and Decimal(b["TOTALENTERED"]) > 100,
        ),
        ("CURRENCY = 'EUR' OR CURRENCY = 'GBP'", lambda b: b["CURRENCY"] in ("EUR", "GBP")),
        ("CURRENCY in ('EUR', 'CAD')", lambda b: b["CURRENCY"] in ("EUR", "CAD")),
        ("CURRENCY not in ('USD')", lambda b: b["CURRENCY"] != "USD"),
        ("VENDORNAME like 'Acme%'", lambda b: b["VENDORNAME"].startswith("Acme")),
        ("VENDORNAME not like '%Inc'", lambda b: not b["VENDORNAME"].endswith("Inc")),
        ("DOCNUMBER IS NULL", lambda b: b["DOCNUMBER"] == ""),
        ("DOCNUMBER is not null", lambda b: b["DOCNUMBER"] != ""),
        (
            "NOT (CURRENCY = 'USD') AND (STATE = 'Paid' OR STATE = 'Draft')",
            lambda b: b["CURRENCY"] != "USD" and b["STATE"] in ("Paid", "Draft"),
        ),
        ("STATE = 'A'", lambda b: b["STATE"] == "Posted"),
        ("SYSTEMGENERATED = 'F'", lambda b: b["SYSTEMGENERATED"] == "F"),
        (
            "WHENCREATED > '06/01/2026'",
            lambda b: datetime.strptime(b["WHENCREATED"], "%m/%d/%Y") > datetime(2026, 6, 1),
        ),
    ],
)
def test_query_language(ctx, q, pred):
    emu, sid, bills = ctx
    assert keys(emu, sid, "APBILL", q) == {b["RECORDNO"] for b in bills if pred(b)}


def test_quoted_strings_with_backslash_escapes(emulator):
    emulator.company.insert("VENDOR", {"VENDORID": "V-ERIN", "NAME": "Erin's Software"})
    sid = session(emulator)
    root = data_call(emulator, sid, rbq("VENDOR", r"NAME = 'Erin\'s Software'", "VENDORID,NAME"))
    assert rows(root) == [{"VENDORID": "V-ERIN", "NAME": "Erin's Software"}]


def test_status_filters_with_t_and_f(ctx):
    emu, sid, _ = ctx
    vendors = emu.company.rows("VENDOR", include_private=False)
    assert keys(emu, sid, "VENDOR", "STATUS = 'T'") == {
        v["RECORDNO"] for v in vendors if v["STATUS"] == "active"
    }


@pytest.mark.parametrize(
    "q",
    [
        "TOTALENTERED >",
        "CURRENCY = 'USD",
        "(CURRENCY = 'USD'",
        "AND",
        "CURRENCY == 'x'",
        "CURRENCY = 'USD'; DROP TABLE APBILL",
    ],
)
def test_malformed_query_gives_dl02000001(ctx, q):
    emu, sid, _ = ctx
    err = result(data_call(emu, sid, rbq("APBILL", q))).find("errormessage/error")
    assert err.findtext("errorno") == "DL02000001"
    assert err.findtext("description2") == "There was an error processing the request."
    assert emu.company.count("APBILL") >= 300


def test_readmore_chain_keeps_resultid_and_totalcount(ctx):
    emu, sid, bills = ctx
    first = result(data_call(emu, sid, rbq("APBILL", "", "RECORDNO,TOTALDUE", size=70))).find(
        "data"
    )
    rid, total = first.get("resultId"), first.get("totalcount")
    assert total == str(len(bills)) and rid
    seen = [r.findtext("RECORDNO") for r in first]
    remaining = int(first.get("numremaining"))
    while remaining:
        res = result(data_call(emu, sid, fn(f"<readMore><resultId>{rid}</resultId></readMore>")))
        assert res.findtext("function") == "readMore"
        data = res.find("data")
        assert (data.get("resultId"), data.get("totalcount"), data.get("listtype")) == (
            rid,
            total,
            "apbill",
        )
        assert int(data.get("numremaining")) == remaining - int(data.get("count"))
        remaining = int(data.get("numremaining"))
        seen += [r.findtext("RECORDNO") for r in data]
    assert sorted(seen, key=int) == [b["RECORDNO"] for b in bills]


def test_resultid_is_empty_when_everything_fits(ctx):
    emu, sid, _ = ctx
    data = result(data_call(emu, sid, rbq("DEPARTMENT", ""))).find("data")
    assert data.get("resultId") == "" and data.get("numremaining") == "0"


def test_legacy_readmore_by_object(ctx):
    emu, sid, _ = ctx
    data_call(emu, sid, rbq("VENDOR", "", size=10))
    data = result(data_call(emu, sid, fn("<readMore><object>VENDOR</object></readMore>"))).find(
        "data"
    )
    assert data.get("listtype") == "vendor" and data.get("count") == "10"


def test_readmore_fails_on_unknown_and_expired_resultid(emulator):
    sid = session(emulator)
    err = result(
        data_call(emulator, sid, fn("<readMore><resultId>bad</resultId></readMore>"))
    ).find("errormessage/error")
    assert err.findtext("errorno") == "readMore failed"
    assert (
        err.findtext("description2")
        == "Attempt to readMore with an invalid or expired resultId: bad"
    )
    rid = result(data_call(emulator, sid, rbq("APBILL", "", size=10))).find("data").get("resultId")
    emulator.clock.advance(timedelta(minutes=31))
    sid = session(emulator)
    res = result(data_call(emulator, sid, fn(f"<readMore><resultId>{rid}</resultId></readMore>")))
    assert res.findtext("errormessage/error/errorno") == "readMore failed"


def test_pagesize_above_1000_is_refused(ctx):
    emu, sid, _ = ctx
    res = result(data_call(emu, sid, rbq("APBILL", "", size=1001)))
    assert res.findtext("status") == "failure"
    assert "between 1 and 1000" in res.findtext("errormessage/error/description2")


def test_unknown_field_in_fields_list(ctx):
    emu, sid, _ = ctx
    res = result(data_call(emu, sid, rbq("APBILL", "", "RECORDNO,NOPE")))
    assert "Invalid field(s) NOPE" in res.findtext("errormessage/error/description2")


def test_read_takes_at_most_100_keys(ctx):
    emu, sid, _ = ctx
    many = ",".join(str(1001 + i) for i in range(101))
    res = result(
        data_call(
            emu,
            sid,
            fn(f"<read><object>APBILL</object><keys>{many}</keys><fields>*</fields></read>"),
        )
    )
    assert res.findtext("status") == "failure"
