"""GLACCTGRPHIERARCHY: Intacct's flattened account-group tree, a view here.

developer.intacct.com (account-groups page) documents GLACCTGRPHIERARCHY for "List the entire
hierarchy of the Revenue group" (filter GLACCTGRPNAME) and "List the groups containing account
1010" (filter ACCOUNTNO): one row per account group and account *anywhere below it*, whatever
the depth. The emulator computes it from GLACCTGRP, GLACCTGRPMEMBER, GLACCTRANGE and GLACCOUNT
with a recursive query, so it follows every change to them. Field names: conduit
``glacctgrphierarchy.ex``. RECORDNO is made from the two keys (group x 1,000,000 + account) as
the object has no stored key (CHOICE).
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

from .schema import ObjectDef, Relationship, parse_fields

COLUMNS = (
    ("RECORDNO", "i", "g.RECORDNO * 1000000 + a.RECORDNO"),
    ("GLACCTGRPKEY", "i", "g.RECORDNO"),
    ("GLACCTGRPNAME", "t", "g.NAME"),
    ("GLACCTGRPTITLE", "t", "g.TITLE"),
    ("GLACCTGRPNORMALBALANCE", "t", "g.NORMAL_BALANCE"),
    ("GLACCTGRPMEMBERTYPE", "t", "g.MEMBERTYPE"),
    ("GLACCTGRPHOWCREATED", "t", "'U'"),
    ("GLACCTGRPLOCATIONKEY", "i", "g.MEGAENTITYKEY"),
    ("ACCOUNTKEY", "i", "a.RECORDNO"),
    ("ACCOUNTNO", "t", "a.ACCOUNTNO"),
    ("ACCOUNTTITLE", "t", "a.TITLE"),
    ("ACCOUNTNORMALBALANCE", "t", "a.NORMALBALANCE"),
    ("ACCOUNTTYPE", "t", "a.ACCOUNTTYPE"),
    ("ACCOUNTLOCATIONKEY", "i", "a.MEGAENTITYKEY"),
)


def hierarchy() -> ObjectDef:
    select = ", ".join(f'{expr} AS "{name}"' for name, _code, expr in COLUMNS)
    view = (
        "WITH RECURSIVE below(top, grp) AS ("
        " SELECT RECORDNO, RECORDNO FROM GLACCTGRP"
        " UNION SELECT below.top, c.RECORDNO FROM below"
        " JOIN GLACCTGRPMEMBER m ON m.PARENTKEY = below.grp"
        " JOIN GLACCTGRP c ON c.NAME = m.CHILDNAME)"
        f" SELECT DISTINCT {select} FROM below"
        " JOIN GLACCTRANGE r ON r.PARENTKEY = below.grp"
        " JOIN GLACCOUNT a ON a.ACCOUNTNO BETWEEN r.RANGEFROM AND r.RANGETO"
        " JOIN GLACCTGRP g ON g.RECORDNO = below.top"
    )
    fields = parse_fields(" ".join(f"{name}:{code}" for name, code, _ in COLUMNS))
    rels = (
        Relationship("GLACCTGRP", "GLACCTGRP", "GLACCTGRPKEY"),
        Relationship("GLACCOUNT", "GLACCOUNT", "ACCOUNTKEY"),
    )
    return ObjectDef(
        "GLACCTGRPHIERARCHY", "Account Group Hierarchy", fields, relationships=rels, view=view
    )
