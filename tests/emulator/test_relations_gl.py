"""The general ledger holds together: balanced batches, subledger postings, the GLDETAIL view,
the account group tree, reporting periods and the budget."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import pytest

from intacct_sync.emulator import Company
from intacct_sync.emulator.catalog import build_objects
from intacct_sync.emulator.templates import generate_store

D = Decimal


@pytest.fixture(scope="module")
def company() -> Company:
    return Company(seed=7, scale="small")


def _day(text: str):
    return datetime.strptime(text, "%m/%d/%Y").date()


def test_every_batch_balances_to_the_cent(company):
    balance = defaultdict(Decimal)
    for e in company.rows("GLENTRY"):
        balance[e["BATCHNO"]] += D(e["AMOUNT"]) * int(e["TR_TYPE"])
    assert set(balance) == {b["RECORDNO"] for b in company.rows("GLBATCH")}
    assert set(balance.values()) == {Decimal(0)}


def test_subledgers_post_to_their_journals_and_control_accounts(company):
    batches = {b["RECORDNO"]: b for b in company.rows("GLBATCH")}
    credits = defaultdict(Decimal)  # (journal, account) -> credits - debits
    for e in company.rows("GLENTRY"):
        b = batches[e["BATCHNO"]]
        credits[(b["JOURNAL"], b["MODULE"], e["ACCOUNTNO"])] -= D(e["AMOUNT"]) * int(e["TR_TYPE"])
    bills = sum(
        D(b["TOTALENTERED"]) for b in company.rows("APBILL") if b["STATE"] in ("Posted", "Paid")
    )
    ap_adjust = sum(D(a["TOTALENTERED"]) for a in company.rows("APADJUSTMENT"))
    assert credits[("APJ", "3.AP", "2000")] == bills + ap_adjust
    paid = sum(D(p["TOTALPAID"]) for p in company.rows("APPYMT"))
    assert credits[("CDJ", "3.AP", "2000")] == -paid and credits[("CDJ", "3.AP", "1010")] == paid
    invoiced = sum(D(i["TOTALENTERED"]) for i in company.rows("ARINVOICE"))
    ar_adjust = sum(D(a["TOTALENTERED"]) for a in company.rows("ARADJUSTMENT"))
    assert credits[("ARJ", "4.AR", "1100")] == -(invoiced + ar_adjust)
    received = sum(D(p["TOTALPAID"]) for p in company.rows("ARPYMT"))
    assert credits[("CRJ", "4.AR", "1100")] == received
    # the subledger batches are summaries: one per month, document type and entity
    subledger = [b for b in batches.values() if b["MODULE"] != "2.GL"]
    keys = [(b["BATCH_TITLE"], b["MEGAENTITYID"]) for b in subledger]
    assert len(keys) == len(set(keys)) and all(b["STATE"] == "Posted" for b in subledger)


def test_gldetail_is_glentry_joined_to_its_batch_and_account(company):
    batches = {b["RECORDNO"]: b for b in company.rows("GLBATCH")}
    accounts = {a["RECORDNO"]: a for a in company.rows("GLACCOUNT")}
    entries = company.rows("GLENTRY")
    detail = {d["RECORDNO"]: d for d in company.rows("GLDETAIL")}
    assert set(detail) == {e["RECORDNO"] for e in entries}
    for e in entries:
        d, b = detail[e["RECORDNO"]], batches[e["BATCHNO"]]
        assert (d["BATCHKEY"], d["BATCH_NO"], d["BATCH_TITLE"], d["BATCH_DATE"]) == (
            b["RECORDNO"],
            b["BATCHNO"],
            b["BATCH_TITLE"],
            b["BATCH_DATE"],
        )
        assert (d["MODULEKEY"], d["JOURNAL"]) == (b["MODULE"], b["JOURNAL"])
        assert (d["ACCOUNTNO"], d["ACCOUNTTITLE"]) == (
            accounts[e["ACCOUNTKEY"]]["ACCOUNTNO"],
            accounts[e["ACCOUNTKEY"]]["TITLE"],
        )
        assert (d["AMOUNT"], d["TR_TYPE"], d["ENTRY_DATE"], d["WHENMODIFIED"]) == (
            e["AMOUNT"],
            e["TR_TYPE"],
            e["ENTRY_DATE"],
            e["WHENMODIFIED"],
        )
        debit, credit = (e["AMOUNT"], "0") if e["TR_TYPE"] == "1" else ("0", e["AMOUNT"])
        assert (d["DEBITAMOUNT"], d["CREDITAMOUNT"]) == (debit, credit)
        assert (d["DEPARTMENTID"], d["LOCATIONID"], d["VENDORID"]) == (
            e["DEPARTMENT"],
            e["LOCATION"],
            e["VENDORID"],
        )


def test_gldetail_links_each_line_to_its_source_document(company):
    bills = defaultdict(list)  # RECORDID is the vendor's invoice number: not unique
    for b in company.rows("APBILL"):
        bills[b["RECORDID"]].append((b["TOTALENTERED"], b["TOTALDUE"], b["WHENDUE"]))
    invoices = {i["RECORDID"]: i for i in company.rows("ARINVOICE")}
    seen = set()
    for d in company.rows("GLDETAIL"):
        if d["RECORDTYPE"] == "pi":
            assert (d["TOTALENTERED"], d["TOTALDUE"], d["WHENDUE"]) in bills[d["RECORDID"]]
            assert d["DOCUMENT"] == d["RECORDID"] and d["MODULEKEY"] == "3.AP"
        elif d["RECORDTYPE"] == "ri":
            assert d["TOTALPAID"] == invoices[d["RECORDID"]]["TOTALPAID"]
        elif d["MODULEKEY"] == "2.GL":
            assert not d["RECORDTYPE"] and not d["RECORDID"]
        seen.add(d["RECORDTYPE"])
    assert {"pi", "pp", "pa", "ri", "rp", "ra", "ei"} <= seen
    # the stored link (storage-only GLENTRY columns) names an existing document of that type
    links = company.store.execute(
        "SELECT e.PRRECORDKEY, b.RECORDID, e.DOCUMENT FROM GLENTRY e "
        "JOIN APBILL b ON b.RECORDNO = e.PRRECORDKEY WHERE e.PRRECORDTYPE = 'pi'"
    )
    linked = company.store.execute("SELECT COUNT(*) FROM GLENTRY WHERE PRRECORDTYPE = 'pi'")
    assert len(links) == linked[0][0] > 0 and all(r[1] == r[2] for r in links)


def _flatten(company) -> dict[str, dict[str, list[str]]]:
    """statement -> account number -> the leaf groups it falls in: how a client flattens the
    tree (GLACCTGRPMEMBER.CHILDNAME -> GLACCTGRP.NAME; GLACCTRANGE.PARENTKEY -> the group)."""
    groups = {g["RECORDNO"]: g for g in company.rows("GLACCTGRP")}
    by_name = {g["NAME"]: g for g in groups.values()}
    children = defaultdict(list)
    for m in company.rows("GLACCTGRPMEMBER"):
        children[m["PARENTKEY"]].append(by_name[m["CHILDNAME"]]["RECORDNO"])
    ranges = defaultdict(list)
    for r in company.rows("GLACCTRANGE"):
        ranges[r["PARENTKEY"]].append((r["RANGEFROM"], r["RANGETO"]))
    roots = set(groups) - {c for kids in children.values() for c in kids}
    out = {}
    for root in roots:
        found = defaultdict(list)
        todo = [root]
        while todo:
            key = todo.pop()
            todo += children[key]
            for low, high in ranges[key]:
                for a in company.rows("GLACCOUNT"):
                    if low <= a["ACCOUNTNO"] <= high:
                        found[a["ACCOUNTNO"]].append(groups[key]["NAME"])
        out[groups[root]["NAME"]] = found
    return out


def test_account_groups_form_trees_covering_every_account_once(company):
    trees = _flatten(company)
    assert set(trees) == {"Balance Sheet", "Income Statement"}
    accounts = company.rows("GLACCOUNT")
    kinds = {"Balance Sheet": "balancesheet", "Income Statement": "incomestatement"}
    for statement, found in trees.items():
        expected = {a["ACCOUNTNO"] for a in accounts if a["ACCOUNTTYPE"] == kinds[statement]}
        assert set(found) == expected
        assert all(len(leaves) == 1 for leaves in found.values()), statement
    assert trees["Balance Sheet"]["1010"] == ["Cash and Cash Equivalents"]
    groups = {g["RECORDNO"]: g for g in company.rows("GLACCTGRP")}
    assert {g["MEMBERTYPE"] for g in groups.values()} == {"Groups", "Accounts"}
    parent = {
        m["CHILDNAME"]: groups[m["PARENTKEY"]]["NAME"] for m in company.rows("GLACCTGRPMEMBER")
    }
    chain, name = [], "Cash and Cash Equivalents"
    while name in parent:
        name = parent[name]
        chain.append(name)
    assert chain == ["Current Assets", "Assets", "Balance Sheet"]


def test_reporting_periods_cover_every_transaction_date(company):
    periods = company.rows("REPORTINGPERIOD")
    months = [
        (_day(p["START_DATE"]), _day(p["END_DATE"]))
        for p in periods
        if p["HEADER1"] == "Month Ended"
    ]
    assert {p["HEADER1"] for p in periods} == {"Month Ended", "Quarter Ended", "Year Ended"}
    assert all(
        p["BUDGETING"] == ("true" if p["HEADER1"] == "Month Ended" else "false") for p in periods
    )
    dated = {
        "APBILL": ("WHENCREATED", "WHENDUE", "WHENPAID"),
        "ARINVOICE": ("WHENCREATED", "WHENDUE", "WHENPAID"),
        "ARPYMT": ("WHENPAID",),
        "APPYMT": ("WHENPAID",),
        "GLENTRY": ("ENTRY_DATE",),
        "GLBATCH": ("BATCH_DATE", "REVERSED"),
        "EEXPENSES": ("WHENCREATED",),
    }
    for obj, fields in dated.items():
        for row in company.rows(obj):
            for f in fields:
                if row[f]:
                    day = _day(row[f])
                    assert sum(lo <= day <= hi for lo, hi in months) == 1, (obj, f, row[f])


def test_budget_lines_point_at_periods_accounts_and_their_budget(company):
    periods = {p["RECORDNO"]: p for p in company.rows("REPORTINGPERIOD")}
    accounts = {a["RECORDNO"]: a for a in company.rows("GLACCOUNT")}
    budgets = {b["RECORDNO"] for b in company.rows("GLBUDGETHEADER")}
    items = company.rows("GLBUDGETITEM")
    assert items and all(i["BUDGETKEY"] in budgets for i in items)
    for i in items:
        period, acct = periods[i["PERIODKEY"]], accounts[i["ACCOUNTKEY"]]
        assert period["BUDGETING"] == "true" and i["PERIODNAME"] == period["NAME"]
        assert i["ACCT_NO"] == acct["ACCOUNTNO"] and D(i["AMOUNT"]) > 0
    assert "WHENMODIFIED" not in items[0]


def test_generation_is_deterministic_and_the_seed_matters():
    """Two fresh generations (no copy of a kept company) give the same rows."""
    tables = ("APBILL", "ARINVOICE", "GLENTRY", "GLDETAIL", "CONTACT", "GLBUDGETITEM")

    def dump(seed: int) -> dict:
        store, _ = generate_store(build_objects(), seed, "small", "America/Los_Angeles", None)
        return {t: store.execute(f'SELECT * FROM "{t}" ORDER BY RECORDNO') for t in tables}  # noqa: S608

    assert dump(11) == dump(11) != dump(12)


def test_hierarchy_view_is_the_flattened_tree(company):
    trees = _flatten(company)
    rows = company.rows("GLACCTGRPHIERARCHY")
    for statement, found in trees.items():
        below = {r["ACCOUNTNO"] for r in rows if r["GLACCTGRPNAME"] == statement}
        assert below == set(found)
    leaf = {(r["ACCOUNTNO"], r["GLACCTGRPNAME"]) for r in rows}
    assert ("1010", "Cash and Cash Equivalents") in leaf and ("1010", "Assets") in leaf
    groups_of_1010 = {r["GLACCTGRPNAME"] for r in rows if r["ACCOUNTNO"] == "1010"}
    assert groups_of_1010 == {
        "Balance Sheet",
        "Assets",
        "Current Assets",
        "Cash and Cash Equivalents",
    }
    changed = Company(seed=7, scale="small")  # a copy of its own: the module's stays intact
    fixed = next(r["GLACCTGRPKEY"] for r in rows if r["GLACCTGRPNAME"] == "Fixed Assets")
    changed.delete("GLACCTGRP", int(fixed))
    names = {r["GLACCTGRPNAME"] for r in changed.rows("GLACCTGRPHIERARCHY")}
    assert "Fixed Assets" not in names and "Current Assets" in names


@pytest.mark.parametrize(
    "rtype,obj",
    [("pi", "APBILL"), ("pa", "APADJUSTMENT"), ("ri", "ARINVOICE"), ("ra", "ARADJUSTMENT"),
     ("rp", "ARPYMT"), ("ei", "EEXPENSES")],
)  # fmt: skip
def test_each_document_posts_into_the_gl_batch_of_its_summary(company, rtype, obj):
    pairs = company.store.execute(
        f"SELECT DISTINCT h.PRBATCH, h.PRBATCHKEY, b.BATCH_TITLE, b.PRBATCHKEY FROM GLENTRY e "  # noqa: S608
        f'JOIN "{obj}" h ON h.RECORDNO = e.PRRECORDKEY JOIN GLBATCH b ON b.RECORDNO = e.BATCHNO '
        f"WHERE e.PRRECORDTYPE = ?",
        (rtype,),
    )
    assert pairs and all(p[0] == p[2] and p[1] == p[3] for p in pairs)
