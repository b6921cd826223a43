"""The account group tree: GLACCTGRP, GLACCTGRPMEMBER (groups of groups), GLACCTRANGE.

Two statements, each a tree a few levels deep, e.g. Balance Sheet > Assets > Current Assets >
Cash and Cash Equivalents (1000..1099). A ``Groups`` group's children are GLACCTGRPMEMBER rows
(PARENTKEY -> the parent's RECORDNO, CHILDNAME -> the child's NAME); an ``Accounts`` group's
accounts are those whose ACCOUNTNO lies in one of its GLACCTRANGE rows (RANGEFROM <= ACCOUNTNO
<= RANGETO as text, so sub-account 6300.11 falls in 6000..6999). The ranges of one statement
do not overlap and cover every account of its type, so each GLACCOUNT sits in exactly one leaf
of its statement's tree: balance-sheet accounts under Balance Sheet, income-statement accounts
under Income Statement.
"""

from __future__ import annotations

from .generate_docs import Kit

# NAME, normal balance, MEMBERTYPE, children: group NAMEs or (RANGEFROM, RANGETO) pairs
TREE = (
    ("Balance Sheet", "debit", "Groups", ("Assets", "Liabilities and Equity")),
    ("Assets", "debit", "Groups", ("Current Assets", "Fixed Assets")),
    (
        "Current Assets",
        "debit",
        "Groups",
        ("Cash and Cash Equivalents", "Accounts Receivable", "Other Current Assets"),
    ),
    ("Cash and Cash Equivalents", "debit", "Accounts", (("1000", "1099"),)),
    ("Accounts Receivable", "debit", "Accounts", (("1100", "1199"),)),
    ("Other Current Assets", "debit", "Accounts", (("1200", "1499"),)),
    ("Fixed Assets", "debit", "Accounts", (("1500", "1999"),)),
    ("Liabilities and Equity", "credit", "Groups", ("Liabilities", "Equity")),
    ("Liabilities", "credit", "Groups", ("Current Liabilities", "Long-term Liabilities")),
    ("Current Liabilities", "credit", "Groups", ("Accounts Payable", "Other Current Liabilities")),
    ("Accounts Payable", "credit", "Accounts", (("2000", "2099"),)),
    ("Other Current Liabilities", "credit", "Accounts", (("2100", "2499"),)),
    ("Long-term Liabilities", "credit", "Accounts", (("2500", "2999"),)),
    ("Equity", "credit", "Accounts", (("3000", "3999"),)),
    (
        "Income Statement",
        "credit",
        "Groups",
        ("Gross Profit", "Operating Expenses", "Other Income and Expense"),
    ),
    ("Gross Profit", "credit", "Groups", ("Revenue", "Cost of Sales")),
    ("Revenue", "credit", "Accounts", (("4000", "4999"),)),
    ("Cost of Sales", "debit", "Accounts", (("5000", "5999"),)),
    ("Operating Expenses", "debit", "Accounts", (("6000", "6999"),)),
    ("Other Income and Expense", "debit", "Accounts", (("7000", "7999"), ("8000", "9999"))),
)
STATEMENTS = {"Balance Sheet": "balancesheet", "Income Statement": "incomestatement"}
FILTERS = (
    "FILTERDEPT FILTERLOC FILTERVENDOR FILTERCUSTOMER FILTERPROJECT FILTEREMPLOYEE FILTERITEM "
    "FILTERCLASS"
).split()


def generate_groups(kit: Kit) -> None:
    keys = {name: n for n, (name, *_rest) in enumerate(TREE, start=1)}
    income = {name for name in _below("Income Statement")}
    member = rng_key = 0
    for name, normal, kind, children in TREE:
        stamps = kit.tl.stamps()
        rec = keys[name]
        kit.sink(
            "GLACCTGRP",
            {
                "RECORDNO": rec,
                "NAME": name,
                "TITLE": name,
                "TOTALTITLE": f"Total {name}",
                "NORMAL_BALANCE": normal,
                "ASOF": "P" if name in income else "E",  # flows for a period, balances at its end
                "INCLUDECHILDAMT": 0,
                "DBCR": "Both",
                "MEMBERTYPE": kind,
                "ISKPI": 0,
                "ACCTGROUPMANAGER": "Controller",
                **{f: "nofilter" for f in FILTERS},
                **stamps,
            },
        )
        for sort, child in enumerate(children):
            line = {
                "PARENTKEY": rec,
                "SORTORD": sort,
                **{k: v for k, v in stamps.items() if k != "_created"},
            }
            if kind == "Groups":
                member += 1
                line.update({"RECORDNO": member, "CHILDNAME": child})
                kit.sink("GLACCTGRPMEMBER", line)
            else:
                rng_key += 1
                line.update({"RECORDNO": rng_key, "RANGEFROM": child[0], "RANGETO": child[1]})
                kit.sink("GLACCTRANGE", line)


def _below(root: str) -> list[str]:
    """``root`` and every group under it."""
    children = {name: kids for name, _n, kind, kids in TREE if kind == "Groups"}
    out, todo = [], [root]
    while todo:
        name = todo.pop()
        out.append(name)
        todo.extend(children.get(name, ()))
    return out
