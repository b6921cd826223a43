"""Subledger documents post to the GL as Intacct does: one journal entry per summary.

Intacct groups subledger transactions into summaries and posts each summary to the GL as one
journal entry (GLBATCH) in the module's journal; the summary frequency decides the grouping
(Intacct help: "Summary overview -- Accounts Payable"). Here a summary is one month of one
document type in one entity: bills and AP adjustments in APJ, AP payments in CDJ, invoices and
AR adjustments in ARJ, receipts in CRJ, expense reports in EEJ; GLBATCH.MODULE is the
subledger's module key (3.AP, 4.AR, 6.EE) and PRBATCHKEY the summary's key.

Each document posts its lines (expense debits of a bill, revenue credits of an invoice, ...)
and one offset line to its control account (AP 2000, AR 1100, cash 1010, accrued 2100) for
the opposite total, so every batch balances to the cent in base currency. Amounts are signed
integer cents while posting: positive debits, negative credits.

CHOICE: at scale ``large`` (``detail=False``) a summary's lines are grouped by account, without
dimensions or document links, so the benchmark company stays dominated by its AP bill lines;
small and medium post one GL line per document line (GLDETAIL then shows each document).
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from .generate_master import Master
from .generate_txn import TxnGenerator
from .timeline import Timeline
from .values import cents_text

# record type -> (journal, JOURNALKEY, module, summary title)
JOURNALS = {
    "pi": ("APJ", 2, "3.AP", "Bills"),
    "pa": ("APJ", 2, "3.AP", "AP Adjustments"),
    "pp": ("CDJ", 6, "3.AP", "Payments"),
    "ri": ("ARJ", 5, "4.AR", "Invoices"),
    "ra": ("ARJ", 5, "4.AR", "AR Adjustments"),
    "rp": ("CRJ", 7, "4.AR", "Receipts"),
    "ei": ("EEJ", 8, "6.EE", "Expenses"),
}
# GLENTRY fields of each dimension: (object, ID field, key field, name field, source name)
DIM_FIELDS = {
    "DEPARTMENT": ("DEPARTMENT", "DEPARTMENTKEY", "DEPARTMENTTITLE", "DEPARTMENTID", "TITLE"),
    "LOCATION": ("LOCATION", "LOCATIONKEY", "LOCATIONNAME", "LOCATIONID", "NAME"),
    "CLASS": ("CLASSID", "CLASSDIMKEY", "CLASSNAME", "CLASSID", "NAME"),
    "PROJECT": ("PROJECTID", "PROJECTDIMKEY", "PROJECTNAME", "PROJECTID", "NAME"),
    "CUSTOMER": ("CUSTOMERID", "CUSTOMERDIMKEY", "CUSTOMERNAME", "CUSTOMERID", "NAME"),
    "VENDOR": ("VENDORID", "VENDORDIMKEY", "VENDORNAME", "VENDORID", "NAME"),
    "EMPLOYEE": (
        "EMPLOYEEID",
        "EMPLOYEEDIMKEY",
        "EMPLOYEENAME",
        "EMPLOYEEID",
        "CONTACT.CONTACTNAME",
    ),
    "ITEM": ("ITEMID", "ITEMDIMKEY", "ITEMNAME", "ITEMID", "NAME"),
}
Dims = tuple  # of (object, RECORDNO) pairs


@dataclass(frozen=True)
class Doc:
    """The subledger document a posting comes from."""

    rtype: str  # pi, pa, pp, ri, ra, rp, ei
    key: int
    recordid: str | None
    day: str  # GL posting date, YYYY-MM-DD
    created: int  # epoch: the GL lines are written when the document is
    stamp: str  # that moment in the company zone
    entity: dict  # MEGAENTITY* fields ({} at the top level)
    prbatchkey: int | None
    currency: str = "USD"
    rate: str = "1"


@dataclass
class _Batch:
    docs: list[Doc] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)  # (doc, base, trx, account, frags, memo)
    sums: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Poster:
    def __init__(self, m: Master, detail: bool) -> None:
        self.detail = detail
        self.accounts = {a["ACCOUNTNO"]: a for a in m.of("GLACCOUNT")}
        self.rows = {obj: {r["RECORDNO"]: r for r in m.of(obj)} for obj in DIM_FIELDS}
        self._frags: dict[tuple[str, int], dict] = {}
        self.batches: dict[tuple, _Batch] = {}

    def frag(self, obj: str, key: int) -> dict:
        """The GLENTRY dimension fields of one master record (built once, shared)."""
        found = self._frags.get((obj, key))
        if found is None:
            id_f, key_f, name_f, src_id, src_name = DIM_FIELDS[obj]
            row = self.rows[obj][key]
            found = {id_f: row[src_id], key_f: key, name_f: row.get(src_name)}
            self._frags[(obj, key)] = found
        return found

    def post(
        self, doc: Doc, lines: list[tuple[int, int, str, Dims, str | None]], offset: str, dims: Dims
    ) -> None:
        """``lines``: (signed base cents, signed trx cents, account no, dims, memo); the offset
        line to account ``offset`` takes the opposite of their total."""
        month = doc.day[:7]
        batch = self.batches.setdefault(
            (doc.rtype, month, doc.entity.get("MEGAENTITYKEY")), _Batch()
        )
        batch.docs.append(doc)
        base_total = sum(line[0] for line in lines)
        trx_total = sum(line[1] for line in lines)
        every = [*lines, (-base_total, -trx_total, offset, dims, None)]
        if not self.detail:
            for base, _trx, account, _dims, _memo in every:
                batch.sums[account] += base
            return
        for base, trx, account, line_dims, memo in every:
            if base:
                frags = tuple(self.frag(o, k) for o, k in line_dims if k is not None)
                batch.lines.append((doc, base, trx, account, frags, memo))

    def emit(self, gen: TxnGenerator, seq: dict[str, int]) -> None:
        """Write the GLBATCH and GLENTRY rows; keys and entry numbers continue the ones the
        manual journal entries used."""
        for (rtype, month, _entity), batch in sorted(
            self.batches.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0)
        ):
            journal = JOURNALS[rtype][0]
            seq[journal] = seq.get(journal, 0) + 1
            self._emit(gen, rtype, month, batch, seq[journal])

    def _emit(self, gen: TxnGenerator, rtype: str, month: str, batch: _Batch, number: int) -> None:
        journal, jkey, module, title = JOURNALS[rtype]
        first = min(batch.docs, key=lambda d: d.created)
        last = max(batch.docs, key=lambda d: d.created)
        year, mon = int(month[:4]), int(month[5:7])
        day = f"{month}-{calendar.monthrange(year, mon)[1]:02d}"
        rec = gen.next_key("GLBATCH")
        ent = first.entity
        if self.detail:
            lines = batch.lines
        else:
            lines = [
                (None, b, b, a, (), f"{title} summary") for a, b in sorted(batch.sums.items()) if b
            ]
        debits = sum(line[1] for line in lines if line[1] > 0)
        gen.sink(
            "GLBATCH",
            {
                "RECORDNO": rec,
                "BATCHNO": number,
                "BATCH_TITLE": f"{title}: {month.replace('-', '/')} Batch",
                "BATCH_DATE": day,
                "JOURNAL": journal,
                "JOURNALKEY": jkey,
                "STATE": "Posted",
                "MODULE": module,
                "PRBATCHKEY": first.prbatchkey,
                "ADJ": 0,
                "MODIFIED": last.stamp,
                "MODIFIEDBYID": "jdoe",
                "USERINFO.LOGINID": "jdoe",
                "BASELOCATION": ent.get("MEGAENTITYKEY"),
                "BASELOCATION_NO": ent.get("MEGAENTITYID"),
                "WHENCREATED": first.stamp,
                "WHENMODIFIED": last.stamp,
                "CREATEDBY": 1,
                "MODIFIEDBY": 1,
                "BALANCE": cents_text(debits),
                "_created": first.created,
                **ent,
            },
        )
        for n, (doc, base, trx, account, frags, memo) in enumerate(lines, start=1):
            gen.sink(
                "GLENTRY",
                self._line(
                    gen,
                    rec,
                    number,
                    n,
                    doc or last,
                    base,
                    trx,
                    account,
                    frags,
                    memo,
                    day,
                    doc is not None,
                ),
            )

    def _line(
        self, gen, rec, number, n, doc: Doc, base, trx, account, frags, memo, day, linked
    ) -> dict:
        acct = self.accounts[account]
        key = gen.next_key("GLENTRY")
        foreign = linked and doc.currency != "USD"
        row = {
            "RECORDNO": key,
            "BATCHNO": rec,
            "BATCH_NUMBER": number,
            "LINE_NO": n,
            "TR_TYPE": 1 if base > 0 else -1,
            "ENTRY_DATE": doc.day if linked else day,
            "AMOUNT": cents_text(abs(base)),
            "TRX_AMOUNT": cents_text(abs(trx)),
            "ACCOUNTKEY": acct["RECORDNO"],
            "ACCOUNTNO": account,
            "ACCOUNTTITLE": acct["TITLE"],
            "DOCUMENT": doc.recordid if linked else None,
            "DESCRIPTION": memo,
            "STATISTICAL": 0,
            "STATE": "Posted",
            "CURRENCY": doc.currency if linked else "USD",
            "BASECURR": "USD",
            "EXCHANGE_RATE": doc.rate if linked else "1",
            "EXCH_RATE_DATE": doc.day if foreign else None,
            "EXCH_RATE_TYPE_ID": "Intacct Daily Rate" if foreign else None,
            "ADJ": 0,
            "BILLABLE": 0,
            "BILLED": 0,
            "WHENCREATED": doc.stamp,
            "WHENMODIFIED": doc.stamp,
            "CREATEDBY": 1,
            "MODIFIEDBY": 1,
            "PRRECORDTYPE": doc.rtype if linked else None,
            "PRRECORDKEY": doc.key if linked else None,
            **doc.entity,
        }
        for frag in frags:
            row.update(frag)
        return row


def bill_hook(poster: Poster, tl: Timeline) -> Callable[[dict, list[dict], int], None]:
    """TxnGenerator.on_bill: a posted bill debits each line's expense account (with the
    line's dimensions) and credits AP for the total, in the bill's currency."""

    def on_bill(bill: dict, lines: list[dict], created: int) -> None:
        vendor = (("VENDOR", lines[0]["VENDORDIMKEY"]),)
        posted = [
            (
                line["_base"],
                line["_trx"],
                line["ACCOUNTNO"],
                (
                    ("DEPARTMENT", line["DEPARTMENTKEY"]),
                    ("LOCATION", line["LOCATIONKEY"]),
                    ("CLASS", line.get("CLASSDIMKEY")),
                    ("PROJECT", line.get("PROJECTDIMKEY")),
                    *vendor,
                ),
                line["ENTRYDESCRIPTION"],
            )
            for line in lines
        ]
        poster.post(make_doc("pi", bill, created, bill["WHENPOSTED"], tl), posted, "2000", vendor)

    return on_bill


def payment_hook(poster: Poster, tl: Timeline) -> Callable[[dict, int], None]:
    """TxnGenerator.on_payment: a payment debits AP and credits the checking account's cash."""
    vendors = {r["VENDORID"]: r["RECORDNO"] for r in poster.rows["VENDOR"].values()}

    def on_payment(pay: dict, cents: int) -> None:
        vendor = (("VENDOR", vendors[pay["VENDORID"]]),)
        doc = make_doc("pp", pay, pay["_epoch"], pay["WHENPAID"], tl)
        poster.post(doc, [(cents, cents, "2000", vendor, "Payment")], "1010", ())

    return on_payment


def make_doc(rtype: str, head: dict, created: int, day: str, tl: Timeline) -> Doc:
    """The Doc of a header row (its MEGAENTITY*, RECORDID, PRBATCHKEY, currency)."""
    ent = {k: head[k] for k in ("MEGAENTITYKEY", "MEGAENTITYID", "MEGAENTITYNAME") if head.get(k)}
    return Doc(
        rtype,
        head["RECORDNO"],
        head.get("RECORDID"),
        day,
        created,
        tl.local(created),
        ent,
        head.get("PRBATCHKEY"),
        head.get("CURRENCY") or "USD",
        head.get("EXCHANGE_RATE") or "1",
    )
