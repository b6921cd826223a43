"""The AUDITHISTORY hiccup as a fault kind (docs/protocol.md §4.4, §9, §17)."""

from __future__ import annotations

from intacct_sync.emulator import Fault
from intacct_sync.emulator.faults import KINDS

from .gw import data_call, fn, query, result, session


def _audit_query(offset: int) -> str:
    return query("AUDITHISTORY", ["ID", "OBJECTTYPE"], "", f"<offset>{offset}</offset>")


def _audit_rbq() -> str:
    return fn(
        "<readByQuery><object>AUDITHISTORY</object><fields>ID</fields><query/>"
        "<pagesize>100</pagesize></readByQuery>"
    )


def test_the_nth_audithistory_page_fails_with_dl02000001(emulator):
    sid = session(emulator)
    emulator.faults.add("audit_error@page=2")
    statuses = []
    for body in (
        _audit_query(0),
        query("VENDOR", ["RECORDNO"]),  # other objects do not count
        _audit_rbq(),  # the 2nd AUDITHISTORY page
        _audit_query(100),
    ):
        statuses.append(result(data_call(emulator, sid, body)))
    assert [r.findtext("status") for r in statuses] == ["success", "success", "failure", "success"]
    error = statuses[2].find("errormessage/error")
    assert error.findtext("errorno") == "DL02000001"
    assert error.findtext("description") == "Error"
    assert error.findtext("description2") == "There was an error processing the request."
    assert [(i["kind"], i["at_object"], i["decisive"]) for i in emulator.faults.injected] == [
        ("audit_error", "AUDITHISTORY", True)
    ]


def test_readmore_pages_do_not_count_and_times_repeats(emulator):
    sid = session(emulator)
    rid = result(data_call(emulator, sid, _audit_rbq())).find("data").get("resultId")
    emulator.faults.add("audit_error@call=1,times=2")
    more = fn(f"<readMore><resultId>{rid}</resultId></readMore>")
    assert result(data_call(emulator, sid, more)).findtext("status") == "success"
    got = [result(data_call(emulator, sid, _audit_query(o))).findtext("status") for o in (0, 0, 0)]
    assert got == ["failure", "failure", "success"]


def test_grammar_of_the_new_kinds():
    assert {"busy_company", "lossy_value", "audit_error", "in_process"} <= KINDS
    f = Fault.parse("audit_error@page=3,times=2")
    assert (f.kind, f.page, f.times, f.object) == ("audit_error", 3, 2, "AUDITHISTORY")
    f = Fault.parse("lossy_value@page=2,object=glentry,variant=timestamp")
    assert (f.object, f.variant) == ("GLENTRY", "timestamp")
    assert Fault.parse("in_process@function=readByQuery,call=2").function == "readByQuery"
