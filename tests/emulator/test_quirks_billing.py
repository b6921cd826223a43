"""API transactions counted as Intacct bills them (docs/protocol.md §12, §17)."""

from __future__ import annotations

import requests

from .gw import call, data_call, envelope, fn, post, query, result, session


def _rbq(obj: str, size: int) -> str:
    return fn(
        f"<readByQuery><object>{obj}</object><fields>RECORDNO</fields><query/>"
        f"<pagesize>{size}</pagesize></readByQuery>"
    )


def test_a_sequence_of_calls_bills_queries_and_pages_only(emulator):
    sid = session(emulator)  # getAPISession: not billed
    for meta in (
        "<lookup><object>APBILL</object></lookup>",
        "<inspect><object>VENDOR</object></inspect>",
        "<getDimensions/>",
    ):
        data_call(emulator, sid, fn(meta))
    data_call(emulator, sid, fn("<read><object>VENDOR</object><keys>1</keys></read>"))
    assert emulator.stats.transactions_total == 0

    data_call(emulator, sid, query("APBILL", ["RECORDNO"]))  # 1
    rid = result(data_call(emulator, sid, _rbq("APBILL", 100))).find("data").get("resultId")  # 1
    more = fn(f"<readMore><resultId>{rid}</resultId></readMore>")
    data_call(emulator, sid, more)  # each readMore page is another call: 1
    data_call(emulator, sid, more)  # 1
    data_call(emulator, sid, query("VENDOR", ["RECORDNO"]) + _rbq("CLASS", 10).replace("f1", "f2"))
    refused = query("ITEM", ["RECORDNO", "BASEUOM"])  # ran and refused the field: billed (CHOICE)
    assert result(data_call(emulator, sid, refused)).findtext("status") == "failure"
    # Never ran: a bad sender (control failure) and the company too busy (200024).
    vendors = query("VENDOR", ["RECORDNO"])
    bad_sender = envelope(emulator, vendors, session=sid, sender_password="x")  # noqa: S106
    post(emulator.data_url, bad_sender)
    emulator.company_load, emulator.quirks.hold_seconds = 2, 0.05
    post(emulator.data_url, envelope(emulator, query("VENDOR", ["RECORDNO"]), session=sid))
    emulator.company_load = 0

    expected = {"APBILL": 4, "VENDOR": 1, "CLASS": 1, "ITEM": 1}
    assert dict(emulator.stats.transactions) == expected
    assert emulator.stats.transactions_total == 7
    stats = requests.get(f"{emulator.base_url}/admin/stats", timeout=5).json()
    assert stats["transactions"] == {
        "total": 7,
        "by_object": expected,
        "by_function": {"query": 3, "readByQuery": 2, "readMore": 2},
    }


def test_login_and_an_expired_readmore(emulator):
    call(emulator, fn("<getAPISession/>"))
    sid = session(emulator)
    root = data_call(emulator, sid, fn("<readMore><resultId>nope</resultId></readMore>"))
    assert result(root).findtext("status") == "failure"
    assert dict(emulator.stats.transactions) == {"": 1}  # it ran; its object is unknown
