"""Generated transactions: AP bills with lines, AP payments with details, GL journal entries.

Rows stream into ``sink(object, row)`` so a million bill lines never sit in one list. Amounts are
integer cents; base amounts are transaction amounts times a 4-decimal exchange rate, rounded
half up, so every total is an exact sum of its lines.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from .bill_fields import LINE_CONSTANTS, bill_extras, line_fragments, summary_key
from .generate_master import Master, entity_of
from .timeline import Timeline
from .values import cents_text

Sink = Callable[[str, dict], None]
RATES = {"USD": 10000, "EUR": 10823, "GBP": 12714, "CAD": 7312}  # x 1e-4
CURRENCIES = ["USD"] * 7 + ["EUR", "GBP", "CAD"]


@dataclass
class TxnScale:
    bills: int
    lines: tuple[int, int]
    paid_ratio: float
    batches: int
    entries: tuple[int, int]


def _rate_text(rate: int) -> str:
    return (
        cents_text(rate // 100)
        if rate % 100 == 0
        else f"{rate // 10000}.{rate % 10000:04d}".rstrip("0")
    )


def _base(trx: int, rate: int) -> int:
    return (trx * rate + 5000) // 10000


class TxnGenerator:
    def __init__(self, rng: random.Random, tl: Timeline, master: Master, sink: Sink) -> None:
        self.rng, self.tl, self.m, self.sink = rng, tl, master, sink
        self.keys = {
            "APBILL": 1000,
            "APBILLITEM": 5000,
            "APPYMT": 300,
            "APPYMTDETAIL": 9000,
            "GLBATCH": 200,
            "GLENTRY": 2000,
        }
        self.expense = [a for a in master.of("GLACCOUNT") if a["ACCOUNTTYPE"] == "incomestatement"]
        self.open_payment: dict[str, dict] = {}
        self.payments: list[dict] = []
        # Called with (bill, lines, created epoch) for every posted bill, and with each
        # payment: the GL posting of the subledgers (generate_post). None: no posting.
        self.on_bill: Callable[[dict, list[dict], int], None] | None = None
        self.on_payment: Callable[[dict, int], None] | None = None
        self._fragments()

    def next_key(self, obj: str) -> int:
        self.keys[obj] += 1
        return self.keys[obj]

    def bills(self, scale: TxnScale) -> None:
        for _ in range(scale.bills):
            self._bill(scale)
        for pay in self.payments:
            cents = pay.pop("_cents")
            pay["TOTALENTERED"] = pay["TOTALPAID"] = cents_text(cents)
            pay["TRX_TOTALENTERED"] = pay["TRX_TOTALPAID"] = pay["TOTALENTERED"]
            if self.on_payment is not None:
                self.on_payment(pay, cents)
            self.sink("APPYMT", pay)

    def _bill(self, scale: TxnScale) -> None:
        rng, tl = self.rng, self.tl
        vendor = rng.choice(self.m.of("VENDOR"))
        cur = rng.choice(CURRENCIES)
        rate = RATES[cur]
        created = tl.created(min_age=45 * 86400)
        modified = tl.modified(created)
        rec = self.next_key("APBILL")
        ent = entity_of(rng)
        txn_day = tl.day(created - rng.randint(0, 5) * 86400)
        stamp = {
            "WHENCREATED": tl.local(created),
            "WHENMODIFIED": tl.local(modified),
            "CREATEDBY": 1,
            "MODIFIEDBY": 1,
            **ent,
            # line fields that come from the bill (no random draws: the stream stays as it was)
            "VENDORNAME": vendor["NAME"],
            "BASELOCATION": ent.get("MEGAENTITYKEY"),
            "EXCH_RATE_DATE": txn_day if cur != "USD" else None,
            "EXCH_RATE_TYPE_ID": "Intacct Daily Rate" if cur != "USD" else None,
        }
        lines, trx_total, base_total = [], 0, 0
        for n in range(rng.randint(*scale.lines)):
            trx = rng.randint(1_000, 500_000)
            base = _base(trx, rate)
            trx_total, base_total = trx_total + trx, base_total + base
            lines.append(self._line(rec, n + 1, vendor, cur, rate, trx, base, txn_day, stamp))
        state = rng.choices(["Posted", "Draft", "Submitted"], [90, 5, 5])[0]
        bill = {
            "RECORDNO": rec,
            "RECORDTYPE": "pi",
            "RECORDID": f"INV-{rng.randint(10000, 99999)}",
            "STATE": state,
            "RAWSTATE": {"Posted": "A", "Draft": "D", "Submitted": "S"}[state],
            "VENDORID": vendor["VENDORID"],
            "VENDORNAME": vendor["NAME"],
            "DOCNUMBER": f"PO-{rng.randint(1000, 9999)}" if rng.random() < 0.3 else None,
            "DESCRIPTION": rng.choice([None, "Monthly service", "Supplies", "Q3 retainer"]),
            "TERMNAME": "Net30",
            "TERMKEY": 14,
            "WHENCREATED": txn_day,
            "WHENPOSTED": txn_day,
            "WHENDUE": tl.day(created + 30 * 86400),
            "ONHOLD": 0,
            "BASECURR": "USD",
            "CURRENCY": cur,
            "EXCHANGE_RATE": _rate_text(rate),
            "EXCH_RATE_DATE": txn_day if cur != "USD" else None,
            "EXCH_RATE_TYPE_ID": "Intacct Daily Rate" if cur != "USD" else None,
            "TOTALENTERED": cents_text(base_total),
            "TOTALDUE": cents_text(base_total),
            "TOTALPAID": "0",
            "TOTALSELECTED": "0",
            "TRX_TOTALENTERED": cents_text(trx_total),
            "TRX_TOTALDUE": cents_text(trx_total),
            "TRX_TOTALPAID": "0",
            "TRX_TOTALSELECTED": "0",
            "PRBATCH": f"Bills: {txn_day[:7].replace('-', '/')} Batch",
            "PRBATCHKEY": summary_key(800, txn_day),
            "MODULEKEY": "9.PO" if rng.random() < 0.1 else "3.AP",
            "SYSTEMGENERATED": 0,
            "AUWHENCREATED": tl.utc(created),
            "WHENMODIFIED": stamp["WHENMODIFIED"],
            "CREATEDBY": 1,
            "MODIFIEDBY": 1,
            "DUE_IN_DAYS": 30,
            "VOUCHER_NUMBER": f"VCH-{rec:09d}",
            "APPROVAL_CODE": f"AC-{rng.randint(100, 999)}" if rng.random() < 0.5 else None,
            **ent,
            **bill_extras(vendor, ent),
        }
        if state == "Posted" and rng.random() < scale.paid_ratio:
            self._pay(bill, lines, created, base_total, trx_total)
        bill["TRX_ENTITYDUE"] = bill["TRX_TOTALDUE"]
        self.sink("APBILL", bill)
        for line in lines:
            self.sink("APBILLITEM", line)
        if self.on_bill is not None and bill["STATE"] in ("Posted", "Paid"):
            self.on_bill(bill, lines, created)

    def _fragments(self) -> None:
        """Per-dimension column groups, built once: a million lines merge dicts, not fields."""
        self.frags = line_fragments(self.m, self.expense)
        self.line_const = LINE_CONSTANTS

    def _pick(self, name: str) -> dict:
        items = self.frags[name]
        return items[int(self.rng.random() * len(items))]

    def _line(
        self,
        rec: int,
        no: int,
        vendor: dict,
        cur: str,
        rate: int,
        trx: int,
        base: int,
        day: str,
        stamp: dict,
    ) -> dict:
        rnd = self.rng.random
        acct = self._pick("acct")
        key = self.next_key("APBILLITEM")
        row = {
            **self.line_const,
            **acct,
            **self._pick("dept"),
            **self._pick("loc"),
            **stamp,
            "RECORDNO": key,
            "RECORDKEY": rec,
            "LINE_NO": no,
            "ENTRY_DATE": day,
            "AMOUNT": cents_text(base),
            "TRX_AMOUNT": cents_text(trx),
            "ENTRYDESCRIPTION": f"{acct['_title']} line {no}",
            "VENDORDIMKEY": vendor["RECORDNO"],
            "VENDORID": vendor["VENDORID"],
            "BILLABLE": int(rnd() < 0.2),
            "CURRENCY": cur,
            "EXCHANGE_RATE": _rate_text(rate),
            "_base": base,
            "_trx": trx,
        }
        if rnd() < 0.4:
            row.update(self._pick("class"))
        if rnd() < 0.3:
            row.update(self._pick("project"))
        return row

    def _pay(self, bill: dict, lines: list[dict], created: int, base: int, trx: int) -> None:
        rng, tl = self.rng, self.tl
        vendor = bill["VENDORID"]
        pay = self.open_payment.get(vendor)
        if pay is None or pay["_bills"] >= 3 or rng.random() < 0.7:
            paid = min(
                created + rng.randint(10, 40) * 86400, tl.created(min_age=86400, max_age=86400 * 2)
            )
            paid = max(paid, created + 3600)
            day = tl.day(paid)
            pay = {
                "RECORDNO": self.next_key("APPYMT"),
                "PRBATCHKEY": 900,
                "RECORDTYPE": "pp",
                "RECORDID": f"CHK-{rng.randint(10000, 99999)}",
                "FINANCIALENTITY": "BOA-CHK",
                "FINANCIALENTITYTYPE": "checkingaccount",
                "STATE": "Posted",
                "PAYMENTMETHOD": rng.choice(["Printed Check", "ACH", "EFT"]),
                "VENDORID": vendor,
                "VENDORNAME": bill["VENDORNAME"],
                "WHENCREATED": day,
                "WHENPAID": day,
                "WHENPOSTED": day,
                "BASECURR": "USD",
                "CURRENCY": "USD",
                "EXCHANGE_RATE": "1",
                "CLEARED": "F",
                "FINANCIALACCOUNTNAME": "Operating checking",
                "FINANCIALACCOUNTCURRENCY": "USD",
                "RAWSTATE": "C",
                "TOTALDUE": "0",
                "TOTALSELECTED": "0",
                "TRX_TOTALDUE": "0",
                "TRX_TOTALSELECTED": "0",
                "BILLTOPAYTOCONTACTNAME": bill["PAYTOCONTACTNAME"],
                "BILLTOPAYTOKEY": bill["BILLTOPAYTOKEY"],
                "INCLUSIVETAX": 0,
                "AUWHENCREATED": tl.utc(paid),
                "WHENMODIFIED": tl.local(paid),
                "CREATEDBY": 2,
                "MODIFIEDBY": 2,
                "_cents": 0,
                "_bills": 0,
                "_epoch": paid,
            }
            self.open_payment[vendor] = pay
            self.payments.append(pay)
        pay["_cents"] += base
        pay["_bills"] += 1
        when = tl.local(pay["_epoch"])
        bill.update(
            {
                "STATE": "Paid",
                "TOTALPAID": bill["TOTALENTERED"],
                "TOTALDUE": "0",
                "TRX_TOTALPAID": bill["TRX_TOTALENTERED"],
                "TRX_TOTALDUE": "0",
                "WHENPAID": pay["WHENPAID"],
                "WHENMODIFIED": max(bill["WHENMODIFIED"], when),
            }
        )
        for line in lines:
            line.update({"TOTALPAID": line["AMOUNT"], "TRX_TOTALPAID": line["TRX_AMOUNT"]})
            self.sink(
                "APPYMTDETAIL",
                {
                    "RECORDNO": self.next_key("APPYMTDETAIL"),
                    "PAYMENTKEY": pay["RECORDNO"],
                    "RECORDKEY": bill["RECORDNO"],
                    "ENTRYKEY": line["RECORDNO"],
                    "PAYMENTDATE": pay["WHENPAID"],
                    "PAYMENTAMOUNT": line["AMOUNT"],
                    "TRX_PAYMENTAMOUNT": line["TRX_AMOUNT"],
                    "CURRENCY": bill["CURRENCY"],
                    "STATE": "Posted",
                    "MODULEKEY": "3.AP",
                    "TRX_DISCOUNTAMOUNT": None,
                    "WHENCREATED": when,
                    "WHENMODIFIED": when,
                    "CREATEDBY": 2,
                    "MODIFIEDBY": 2,
                },
            )
