"""The objects added for finance reporting answer lookup, query and readByQuery like the rest."""

from __future__ import annotations

from decimal import Decimal

import pytest

from intacct_sync.intacct.catalog import CATALOG

from .gw import data_call, fn, query, result, rows, session

NEW_OBJECTS = (
    "ARINVOICE",
    "ARINVOICEITEM",
    "ARPYMT",
    "ARPYMTDETAIL",
    "ARADJUSTMENT",
    "ARADJUSTMENTITEM",
    "APADJUSTMENT",
    "APADJUSTMENTITEM",
    "APTERM",
    "ARTERM",
    "GLACCTGRP",
    "GLACCTGRPMEMBER",
    "GLACCTRANGE",
    "REPORTINGPERIOD",
    "GLBUDGETHEADER",
    "GLBUDGETITEM",
    "GLDETAIL",
    "GLACCTGRPHIERARCHY",
    "CHECKINGACCOUNT",
    "CONTACT",
    "EEXPENSES",
)
ALL = "<options><showprivate>true</showprivate></options><pagesize>2000</pagesize>"


@pytest.fixture(scope="module")
def sid(emulator_module):
    return session(emulator_module)


def _lookup(emu, sid, obj: str) -> dict[str, str]:
    root = data_call(emu, sid, fn(f"<lookup><object>{obj}</object></lookup>"))
    typ = result(root).find("data/Type")
    assert typ.get("Name") == obj
    return {f.findtext("ID"): f.findtext("DATATYPE") for f in typ.find("Fields")}


@pytest.mark.parametrize("obj", NEW_OBJECTS)
def test_new_object_answers_lookup_query_and_readbyquery(emulator_module, sid, obj):
    emu = emulator_module
    fields = _lookup(emu, sid, obj)
    assert fields["RECORDNO"] == "INTEGER"
    assert len(fields) >= 9
    total = emu.company.count(obj)
    assert total > 0, f"{obj} has no generated rows"
    root = data_call(emu, sid, query(obj, ["RECORDNO"], "", ALL))
    data = result(root).find("data")
    assert data.get("listtype") == obj and int(data.get("totalcount")) == total
    assert data[0].tag == obj
    root = data_call(
        emu,
        sid,
        fn(
            f"<readByQuery><object>{obj}</object><fields>*</fields><query/>"
            f"<pagesize>5</pagesize></readByQuery>"
        ),
    )
    data = result(root).find("data")
    assert data.get("listtype") == obj.lower() and data[0].tag == obj.lower()
    assert [c.tag for c in data[0]] == list(fields)


def test_wide_master_objects_carry_real_contact_fields(emulator_module, sid):
    fields = _lookup(emulator_module, sid, "VENDOR")
    for name in (
        "DISPLAYCONTACT.COMPANYNAME",
        "DISPLAYCONTACT.FIRSTNAME",
        "DISPLAYCONTACT.LASTNAME",
        "DISPLAYCONTACT.PHONE1",
        "DISPLAYCONTACT.MAILADDRESS.ADDRESS1",
        "DISPLAYCONTACT.MAILADDRESS.CITY",
        "DISPLAYCONTACT.MAILADDRESS.STATE",
        "DISPLAYCONTACT.MAILADDRESS.ZIP",
        "DISPLAYCONTACT.MAILADDRESS.COUNTRY",
        "PAYTOCONTACT.MAILADDRESS.ZIP",
        "RETURNTOCONTACT.CONTACTNAME",
        "TERMNAME",
    ):
        assert name in fields, name
    assert len(fields) > 100
    assert "CONTACT.MAILADDRESS.CITY" in _lookup(emulator_module, sid, "EMPLOYEE")
    assert {"PROJECTTYPE", "LOCATIONID", "BUDGETID", "CFDA", "AGENCY"} <= set(
        _lookup(emulator_module, sid, "PROJECT")
    )
    assert "BASEUOM" in _lookup(emulator_module, sid, "ITEM")
    assert {"PAYTOCONTACTNAME", "RETURNTOCONTACTNAME"} <= set(
        _lookup(emulator_module, sid, "APBILL")
    )
    assert "GLACCOUNTNO" in _lookup(emulator_module, sid, "APBILLITEM")


def test_value_formats_of_new_objects(emulator_module):
    invoice = emulator_module.company.rows("ARINVOICE")[0]
    assert invoice["WHENCREATED"].count("/") == 2 and len(invoice["WHENCREATED"]) == 10
    assert len(invoice["AUWHENCREATED"]) == 19 and invoice["SYSTEMGENERATED"] in ("T", "F")
    Decimal(invoice["TOTALENTERED"])  # plain decimal text
    group = emulator_module.company.rows("GLACCTGRP")[0]
    assert group["ISKPI"] in ("true", "false")
    assert emulator_module.company.rows("REPORTINGPERIOD")[0]["BUDGETING"] in ("true", "false")


def test_gldetail_supports_filters_orderby_and_aggregates(emulator_module, sid):
    emu = emulator_module
    detail = emu.company.rows("GLDETAIL")
    ap = [d for d in detail if d["MODULEKEY"] == "3.AP"]
    filt = "<equalto><field>MODULEKEY</field><value>3.AP</value></equalto>"
    order = "<orderby><order><field>AMOUNT</field><descending/></order></orderby>"
    got = rows(data_call(emu, sid, query("GLDETAIL", ["RECORDNO", "AMOUNT"], filt, order + ALL)))
    assert {r["RECORDNO"] for r in got} == {d["RECORDNO"] for d in ap} and ap
    amounts = [Decimal(r["AMOUNT"]) for r in got]
    assert amounts == sorted(amounts, reverse=True)
    sel = (
        "<select><field>BATCHKEY</field><sum>DEBITAMOUNT</sum><sum>CREDITAMOUNT</sum>"
        "<count>RECORDNO</count></select>"
    )
    root = data_call(emu, sid, fn(f"<query><object>GLDETAIL</object>{sel}{ALL}</query>"))
    sums = rows(root)
    assert len(sums) == emu.company.count("GLBATCH")
    assert all(r["SUM.DEBITAMOUNT"] == r["SUM.CREDITAMOUNT"] for r in sums)
    rbq = data_call(
        emu,
        sid,
        fn(
            "<readByQuery><object>GLDETAIL</object><fields>RECORDNO,JOURNAL</fields>"
            "<query>MODULEKEY = '4.AR' AND TR_TYPE = -1</query><pagesize>1000</pagesize>"
            "</readByQuery>"
        ),
    )
    expected = [
        d
        for d in emu.company.rows("GLDETAIL", include_private=False)
        if d["MODULEKEY"] == "4.AR" and d["TR_TYPE"] == "-1"
    ]
    assert len(rows(rbq)) == len(expected) > 0
    assert {r["JOURNAL"] for r in rows(rbq)} == {"ARJ", "CRJ"}


def test_gldetail_reaches_its_batch_and_account_through_relationships(emulator_module, sid):
    got = rows(
        data_call(
            emulator_module,
            sid,
            query(
                "GLDETAIL",
                ["RECORDNO", "BATCH_TITLE", "GLBATCH.BATCH_TITLE", "ACCOUNTNO", "GLACCOUNT.TITLE"],
                "",
                "<pagesize>50</pagesize>",
            ),
        )
    )
    titles = {a["ACCOUNTNO"]: a["TITLE"] for a in emulator_module.company.rows("GLACCOUNT")}
    for r in got:
        assert r["BATCH_TITLE"] == r["GLBATCH.BATCH_TITLE"]
        assert r["GLACCOUNT.TITLE"] == titles[r["ACCOUNTNO"]]


def test_budget_items_have_no_cursor(emulator_module, sid):
    fields = _lookup(emulator_module, sid, "GLBUDGETITEM")
    assert "WHENMODIFIED" not in fields and "WHENCREATED" not in fields
    assert {"BUDGETKEY", "PERIODKEY", "ACCOUNTKEY", "AMOUNT", "DEPTKEY"} <= set(fields)
    assert fields["AMOUNT"] in ("DECIMAL", "CURRENCY")


def test_eexpenses_is_the_uncatalogued_object(emulator_module, sid):
    """EEXPENSES is left out of the sync's curated catalog on purpose: a client must infer it
    from lookup, and it has what that needs (key, cursor, money, audited creates)."""
    assert "EEXPENSES" not in CATALOG
    fields = _lookup(emulator_module, sid, "EEXPENSES")
    assert fields["WHENMODIFIED"] == "TIMESTAMP" and fields["TOTALENTERED"] == "DECIMAL"
    audited = {
        a["OBJECTKEY"]
        for a in emulator_module.company.rows("AUDITHISTORY")
        if a["OBJECTTYPE"] == "eexpenses" and a["ACCESSMODE"] == "C"
    }
    assert audited == {r["RECORDNO"] for r in emulator_module.company.rows("EEXPENSES")}


@pytest.mark.parametrize(
    "obj,name,key",
    [
        ("APTERM", "Net30", "14"),
        ("GLACCTGRP", "Balance Sheet", "1"),
        ("CHECKINGACCOUNT", "BOA-CHK", "1"),
        ("GLBUDGETHEADER", "FY2026 Plan", "1"),
    ],
)
def test_readbyname_uses_each_objects_name_field(emulator_module, sid, obj, name, key):
    root = data_call(
        emulator_module,
        sid,
        fn(
            f"<readByName><object>{obj}</object><keys>{name}</keys><fields>RECORDNO</fields></readByName>"
        ),
    )
    assert [r["RECORDNO"] for r in rows(root)] == [key]
