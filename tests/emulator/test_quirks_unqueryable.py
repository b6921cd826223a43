"""Fields lookup lists and query refuses; readByQuery returns them (docs/protocol.md §17)."""

from __future__ import annotations

import re

import pytest

from intacct_sync.emulator.quirks import UNQUERYABLE

from .gw import data_call, fn, query, result, rows, session

SUPPORT = re.compile(r" \[Support ID: [^\]]+\]$")


def _refusal(emu, sid, obj: str, fields: list[str]) -> str:
    res = result(data_call(emu, sid, query(obj, fields)))
    assert res.findtext("status") == "failure", "the query was not refused"
    assert res.findtext("errormessage/error/errorno") == "XL03000006"
    text = res.findtext("errormessage/error/description2")
    assert SUPPORT.search(text), text
    return SUPPORT.sub("", text)


def test_query_refuses_with_the_exact_shape_in_select_order(emulator_module):
    emu = emulator_module
    sid = session(emu)
    head = "The following fields cannot be queried: "
    text = _refusal(emu, sid, "APBILL", ["RECORDNO", "PAYTOCONTACTNAME", "RETURNTOCONTACTNAME"])
    assert text == head + "[ apbill: [PAYTOCONTACTNAME, RETURNTOCONTACTNAME] ]"
    text = _refusal(emu, sid, "APBILL", ["RETURNTOCONTACTNAME", "VENDORID", "PAYTOCONTACTNAME"])
    assert text == head + "[ apbill: [RETURNTOCONTACTNAME, PAYTOCONTACTNAME] ]"


@pytest.mark.parametrize("obj,fields", sorted(UNQUERYABLE.items()))
def test_every_listed_field_is_refused_alone(emulator_module, obj, fields):
    sid = session(emulator_module)
    for field in fields:
        text = _refusal(emulator_module, sid, obj, ["RECORDNO", field])
        assert text == f"The following fields cannot be queried: [ {obj.lower()}: [{field}] ]"


def test_related_fields_add_their_object_to_the_list(emulator_module):
    sid = session(emulator_module)
    text = _refusal(
        emulator_module,
        sid,
        "APBILLITEM",
        ["RECORDNO", "APBILL.PAYTOCONTACTNAME", "GLACCOUNTNO", "APBILL.VENDORID"],
    )
    assert text == (
        "The following fields cannot be queried: "
        "[ apbill: [PAYTOCONTACTNAME], apbillitem: [GLACCOUNTNO] ]"
    )


def test_lookup_lists_them(emulator_module):
    sid = session(emulator_module)
    for obj, fields in UNQUERYABLE.items():
        root = data_call(emulator_module, sid, fn(f"<lookup><object>{obj}</object></lookup>"))
        listed = [f.findtext("ID") for f in root.iterfind(".//Fields/Field")]
        assert set(fields) <= set(listed), obj


def test_readbyquery_returns_them_with_values(emulator_module):
    emu = emulator_module
    sid = session(emu)
    for obj, fields in UNQUERYABLE.items():
        body = fn(
            f"<readByQuery><object>{obj}</object><fields>RECORDNO,{','.join(fields)}</fields>"
            "<query/><pagesize>1000</pagesize></readByQuery>"
        )
        root = data_call(emu, sid, body)
        assert result(root).findtext("status") == "success", obj
        got = {r["RECORDNO"]: r for r in rows(root)}
        stored = {r["RECORDNO"]: r for r in emu.company.rows(obj)}
        for field in fields:
            assert any(r[field] for r in got.values()), f"{obj}.{field} is empty everywhere"
            assert all(r[field] == stored[k][field] for k, r in got.items())
    bill = next(r for r in emu.company.rows("APBILL") if r["VENDORID"])
    vendor = next(v for v in emu.company.rows("VENDOR") if v["VENDORID"] == bill["VENDORID"])
    assert bill["PAYTOCONTACTNAME"] == vendor["PAYTOCONTACT.CONTACTNAME"]


def test_the_switch_lets_query_return_them(emulator):
    sid = session(emulator)
    emulator.quirks.unqueryable = False
    root = data_call(emulator, sid, query("APBILL", ["RECORDNO", "PAYTOCONTACTNAME"]))
    assert result(root).findtext("status") == "success"
    assert any(r["PAYTOCONTACTNAME"] for r in rows(root))
