"""GLDETAIL: Intacct's general-ledger detail, a VIEW over journal entry lines (docs/protocol.md §8).

Intacct documents GLDETAIL as "a query against a view, not a table" (developer.intacct.com
general-ledger-detail). The emulator makes it an SQLite view over GLENTRY joined with its
GLBATCH and GLACCOUNT, so it can never disagree with the journal entries: editing or deleting a
GLBATCH or GLENTRY changes GLDETAIL at once, and a row has no life of its own (no audit trail,
no mutation; its deletes follow GLBATCH deletes). Field names: fivetran ``get_gl_detail_columns``
and docs/protocol.md §8. The source-document fields (RECORDID, RECORDTYPE, DOCNUMBER, PRDESCRIPTION,
TOTALENTERED/PAID/DUE, WHENDUE, WHENPAID) are looked up live in the subledger header the line
was posted from, so they show the document as it is now.

CHOICEs (UNCONFIRMED in Intacct):
* AMOUNT is unsigned as on GLENTRY (the sign is TR_TYPE); DEBITAMOUNT/CREDITAMOUNT split it.
* WHENMODIFIED is the line's own WHENMODIFIED: an edit of the batch header alone (its title)
  shows in GLDETAIL without moving its cursor, like copied names in docs/protocol.md §17.
* Every line is shown whatever its batch STATE (ENTRY_STATE tells); BOOKID is ACCRUAL.
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

from .catalog_gl import GLENTRY_LINK
from .schema import ObjectDef, Relationship, parse_fields
from .store import q

# Subledger record types (PRRECORD.RECORDTYPE) and the header object each lives in.
SOURCES = {
    "pi": "APBILL",
    "pa": "APADJUSTMENT",
    "pp": "APPYMT",
    "ri": "ARINVOICE",
    "ra": "ARADJUSTMENT",
    "rp": "ARPYMT",
    "ei": "EEXPENSES",
}
# GLDETAIL field -> field of the source header
FROM_SOURCE = {
    "RECORDTYPE": ("t", "RECORDTYPE"),
    "RECORDID": ("t", "RECORDID"),
    "DOCNUMBER": ("t", "DOCNUMBER"),
    "PRDESCRIPTION": ("t", "DESCRIPTION"),
    "TOTALENTERED": ("d", "TOTALENTERED"),
    "TOTALPAID": ("d", "TOTALPAID"),
    "TOTALDUE": ("d", "TOTALDUE"),
    "WHENDUE": ("date", "WHENDUE"),
    "WHENPAID": ("date", "WHENPAID"),
}
DEBIT, CREDIT = "e.TR_TYPE = 1", "e.TR_TYPE = -1"
DIMS = (
    ("DEPARTMENT", "DEPARTMENTKEY", "DEPARTMENTID:DEPARTMENT", "DEPARTMENTTITLE"),
    ("LOCATION", "LOCATIONKEY", "LOCATIONID:LOCATION", "LOCATIONNAME"),
    ("CLASS", "CLASSDIMKEY", "CLASSID", "CLASSNAME"),
    ("PROJECT", "PROJECTDIMKEY", "PROJECTID", "PROJECTNAME"),
    ("CUSTOMER", "CUSTOMERDIMKEY", "CUSTOMERID", "CUSTOMERNAME"),
    ("VENDOR", "VENDORDIMKEY", "VENDORID", "VENDORNAME"),
    ("EMPLOYEE", "EMPLOYEEDIMKEY", "EMPLOYEEID", "EMPLOYEENAME"),
    ("ITEM", "ITEMDIMKEY", "ITEMID", "ITEMNAME"),
)


def _split(cond: str, column: str) -> str:
    return f"CASE WHEN {cond} THEN e.{q(column)} ELSE '0' END"


def _columns(defs: dict[str, ObjectDef]) -> list[tuple[str, str, str]]:
    """(GLDETAIL field, type code, SQL expression over e=GLENTRY, b=GLBATCH, a=GLACCOUNT)."""
    cols = [
        ("RECORDNO", "i", "e.RECORDNO"),
        ("BATCHKEY", "i", "b.RECORDNO"),
        ("BATCH_NO", "i", "b.BATCHNO"),
        ("BATCH_DATE", "date", "b.BATCH_DATE"),
        ("BATCH_TITLE", "t", "b.BATCH_TITLE"),
        ("JOURNAL", "t", "b.JOURNAL"),
        ("MODULEKEY", "t", "b.MODULE"),
        ("BOOKID", "t", "'ACCRUAL'"),
        ("ENTRY_DATE", "date", "e.ENTRY_DATE"),
        ("ENTRY_STATE", "t", "e.STATE"),
        ("LINE_NO", "i", "e.LINE_NO"),
        ("TR_TYPE", "i", "e.TR_TYPE"),
        ("ACCOUNTKEY", "i", "e.ACCOUNTKEY"),
        ("ACCOUNTNO", "t", "COALESCE(a.ACCOUNTNO, e.ACCOUNTNO)"),
        ("ACCOUNTTITLE", "t", "COALESCE(a.TITLE, e.ACCOUNTTITLE)"),
        ("AMOUNT", "d", "e.AMOUNT"),
        ("DEBITAMOUNT", "d", _split(DEBIT, "AMOUNT")),
        ("CREDITAMOUNT", "d", _split(CREDIT, "AMOUNT")),
        ("TRX_AMOUNT", "d", "e.TRX_AMOUNT"),
        ("TRX_DEBITAMOUNT", "d", _split(DEBIT, "TRX_AMOUNT")),
        ("TRX_CREDITAMOUNT", "d", _split(CREDIT, "TRX_AMOUNT")),
        ("CURRENCY", "t", "e.CURRENCY"),
        ("BASECURR", "t", "e.BASECURR"),
        ("EXCHANGE_RATE", "d", "e.EXCHANGE_RATE"),
        ("DOCUMENT", "t", "e.DOCUMENT"),
        ("DESCRIPTION", "t", "e.DESCRIPTION"),
        ("ENTRYDESCRIPTION", "t", "e.DESCRIPTION"),
        ("STATISTICAL", "tf", "e.STATISTICAL"),
    ]
    cols += [(name, code, _from_source(defs, src)) for name, (code, src) in FROM_SOURCE.items()]
    for _dim, key, ident, name in DIMS:
        out_id, _, src_id = ident.partition(":")
        cols += [
            (key, "i", f"e.{q(key)}"),
            (out_id, "t", f"e.{q(src_id or out_id)}"),
            (name, "t", f"e.{q(name)}"),
        ]
    cols += [
        ("WHENCREATED", "date", "e.ENTRY_DATE"),  # the transaction date (docs/protocol.md §7)
        ("MODIFIED", "ts", "b.MODIFIED"),
        ("WHENMODIFIED", "ts", "e.WHENMODIFIED"),
        ("CREATEDBY", "i", "e.CREATEDBY"),
        ("MODIFIEDBY", "i", "e.MODIFIEDBY"),
        ("MEGAENTITYKEY", "i", "e.MEGAENTITYKEY"),
        ("MEGAENTITYID", "t", "e.MEGAENTITYID"),
        ("MEGAENTITYNAME", "t", "e.MEGAENTITYNAME"),
    ]
    return cols


def _from_source(defs: dict[str, ObjectDef], field: str) -> str:
    """CASE over the line's source type: a rowid lookup in that header table."""
    kind, key = GLENTRY_LINK
    whens = [
        f"WHEN '{rtype}' THEN (SELECT s.{q(field)} FROM {q(obj)} s WHERE s.RECORDNO = e.{q(key)})"
        for rtype, obj in SOURCES.items()
        if obj in defs and defs[obj].field(field) is not None
    ]
    return f"CASE e.{q(kind)} {' '.join(whens)} END"


def gldetail(defs: dict[str, ObjectDef]) -> ObjectDef:
    cols = _columns(defs)
    select = ", ".join(f"{expr} AS {q(name)}" for name, _code, expr in cols)
    view = (
        f"SELECT {select} FROM GLENTRY e JOIN GLBATCH b ON b.RECORDNO = e.BATCHNO "
        f"LEFT JOIN GLACCOUNT a ON a.RECORDNO = e.ACCOUNTKEY"
    )
    fields = parse_fields(" ".join(f"{name}:{code}" for name, code, _ in cols))
    rels = (
        Relationship("GLBATCH", "GLBATCH", "BATCHKEY"),
        Relationship("GLACCOUNT", "GLACCOUNT", "ACCOUNTKEY"),
    )
    return ObjectDef("GLDETAIL", "General Ledger Detail", fields, relationships=rels, view=view)
