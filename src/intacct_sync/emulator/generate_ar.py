"""AR invoices with lines, and the receipts (ARPYMT + ARPYMTDETAIL) that pay them.

Invoices belong to existing customers and carry an AR term (ARTERM). Every header total is the
exact sum of its lines; an invoice's TOTALPAID is the sum of the receipt details that point at
it (each line's TOTALPAID likewise) and TOTALDUE = TOTALENTERED - TOTALPAID. Unpaid and part
paid invoices are spread over the aging buckets on AS_OF (current, 1-30, 31-60, 61-90 and over
90 days past WHENDUE), so an aging report has every bucket. Amounts are USD, the customers'
currency. Invoices post to ARJ, receipts to CRJ (generate_post).
"""

from __future__ import annotations

from datetime import date, timedelta

from .bill_fields import summary_key
from .generate_docs import Kit, money, totals
from .generate_setup import TERM_DAYS, TERM_KEYS
from .timeline import AS_OF

TERM_WEIGHTS = {"Net15": 10, "Net30": 50, "Net45": 15, "Net60": 10, "2/10 Net30": 10}
# days past due on AS_OF, per bucket: current (not yet due), 1-30, 31-60, 61-90, 91+
BUCKETS = ((-60, 0), (1, 30), (31, 60), (61, 90), (91, 240))
PREFIXES = ("CONTACT", "SHIPTO", "BILLTO")


def generate_invoices(kit: Kit, count: int, lines: tuple[int, int]) -> None:
    revenue = [
        a
        for a in kit.m.of("GLACCOUNT")
        if a["ACCOUNTTYPE"] == "incomestatement" and a["NORMALBALANCE"] == "credit"
    ]
    open_count = 0
    for _ in range(count):
        fate = kit.rng.choices(("paid", "partial", "open"), (55, 15, 30))[0]
        bucket = None if fate == "paid" else BUCKETS[open_count % len(BUCKETS)]
        open_count += fate != "paid"
        _invoice(kit, revenue, fate, bucket, lines)


def _dates(kit: Kit, days: int, bucket: tuple[int, int] | None) -> tuple[date, date]:
    """(invoice date, due date); an open invoice's due date falls in its aging bucket."""
    rng = kit.rng
    if bucket is None:
        created = AS_OF - timedelta(days=rng.randint(days + 5, 360))
        return created, created + timedelta(days=days)
    low, high = bucket
    past_due = rng.randint(max(low, 1 - days), high)  # the invoice date stays in the past
    due = AS_OF - timedelta(days=past_due)
    return due - timedelta(days=days), due


def _invoice(kit: Kit, revenue: list[dict], fate: str, bucket, line_range) -> None:
    rng = kit.rng
    cust = rng.choice(kit.m.of("CUSTOMER"))
    term = rng.choices(list(TERM_WEIGHTS), list(TERM_WEIGHTS.values()))[0]
    made, due = _dates(kit, TERM_DAYS[term], bucket)
    created = kit.tl.at(made)
    rec = kit.key("ARINVOICE", 3000)
    day = made.isoformat()
    head = {
        "RECORDNO": rec,
        "RECORDTYPE": "ri",
        "RECORDID": f"INV-{rec + 7000:06d}",
        "STATE": "Posted",
        "RAWSTATE": "A",
        "CUSTOMERID": cust["CUSTOMERID"],
        "CUSTOMERNAME": cust["NAME"],
        "CUSTEMAILOPTIN": cust.get("EMAILOPTIN"),
        "DELIVERY_OPTIONS": cust.get("DELIVERY_OPTIONS"),
        "DOCNUMBER": f"PO-{rng.randint(10000, 99999)}" if rng.random() < 0.4 else None,
        "DESCRIPTION": rng.choice([None, "Monthly services", "Implementation", "Support renewal"]),
        "TERMNAME": term,
        "TERMKEY": TERM_KEYS[term],
        "WHENCREATED": day,
        "WHENPOSTED": day,
        "WHENDISCOUNT": (made + timedelta(days=10)).isoformat() if term == "2/10 Net30" else None,
        "WHENDUE": due.isoformat(),
        "CURRENCY": "USD",
        "EXCHANGE_RATE": "1",
        "TRX_TOTALDISCOUNTAPPLIED": "0",
        "BILLTOPAYTOCONTACTNAME": cust.get("BILLTO.CONTACTNAME"),
        "SHIPTORETURNTOCONTACTNAME": cust.get("SHIPTO.CONTACTNAME"),
        "BILLTOPAYTOKEY": cust.get("BILLTOKEY"),
        "SHIPTORETURNTOKEY": cust.get("SHIPTOKEY"),
        "PRBATCH": f"Invoices: {day[:7].replace('-', '/')} Batch",
        "PRBATCHKEY": summary_key(1100, day),
        "MODULEKEY": "4.AR",
        "SYSTEMGENERATED": 0,
        "DUE_IN_DAYS": TERM_DAYS[term],
        "DUNNINGCOUNT": 0,
        **_contacts(cust),
        **kit.entity(),
    }
    head["ENTITY"] = head.get("MEGAENTITYID")
    items = [
        _line(kit, head, cust, revenue, n, created) for n in range(1, rng.randint(*line_range) + 1)
    ]
    total = sum(i["_cents"] for i in items)
    paid_at = None
    if fate != "open":
        share = 1.0 if fate == "paid" else rng.uniform(0.2, 0.8)
        paid_day = min(
            made + timedelta(days=rng.randint(3, TERM_DAYS[term] + 25)), AS_OF - timedelta(days=1)
        )
        paid_at = max(kit.tl.at(paid_day), created + 3600)
        _receipt(kit, head, cust, items, int(total * share), paid_at)
    paid = sum(i["_paid"] for i in items)
    head.update(totals(total, paid))
    head["STATE"] = "Paid" if paid == total else ("Partially Paid" if paid else "Posted")
    head["WHENPAID"] = kit.tl.day(paid_at) if paid == total else None
    head["TRX_ENTITYDUE"] = head["TRX_TOTALDUE"]
    head.update(kit.stamps(created, *([paid_at] if paid_at else [])))
    kit.sink("ARINVOICE", head)
    for item in items:
        item.update({"TOTALPAID": money(item["_paid"]), "TRX_TOTALPAID": money(item["_paid"])})
        item.update(kit.line_stamps(created, *([paid_at] if item["_paid"] else [])))
        kit.sink("ARINVOICEITEM", item)
    cust_dims = (("CUSTOMER", cust["RECORDNO"]),)
    kit.poster.post(
        kit.doc("ri", head, created, day),
        [
            (
                -i["_cents"],
                -i["_cents"],
                i["ACCOUNTNO"],
                i["_dims"] + cust_dims,
                i["ENTRYDESCRIPTION"],
            )
            for i in items
        ],
        "1100",
        cust_dims,
    )


def _contacts(cust: dict) -> dict:
    """The invoice's CONTACT.*, SHIPTO.*, BILLTO.* blocks: the customer's display, ship-to and
    bill-to contacts (built once per customer)."""
    found = cust.get("_invoice_contacts")
    if found is None:
        found = {
            f"{p}.{k.split('.', 1)[1]}": v
            for p, src in zip(PREFIXES, ("DISPLAYCONTACT", "SHIPTO", "BILLTO"), strict=True)
            for k, v in cust.items()
            if k.startswith(src + ".")
        }
        cust["_invoice_contacts"] = found
    return found


def _line(kit: Kit, head: dict, cust: dict, revenue: list[dict], n: int, created: int) -> dict:
    rng = kit.rng
    acct = rng.choice(revenue)
    fields, dims = kit.dims()
    cents = rng.randint(5_000, 800_000)
    item = rng.choice(kit.m.of("ITEM")) if rng.random() < 0.5 else None
    row = {
        "RECORDNO": kit.key("ARINVOICEITEM", 7000),
        "RECORDKEY": head["RECORDNO"],
        "ACCOUNTKEY": acct["RECORDNO"],
        "ACCOUNTNO": acct["ACCOUNTNO"],
        "ACCOUNTTITLE": acct["TITLE"],
        "OFFSETGLACCOUNTNO": "1100",
        "OFFSETGLACCOUNTTITLE": "Accounts Receivable",
        "ENTRY_DATE": head["WHENCREATED"],
        "AMOUNT": money(cents),
        "TRX_AMOUNT": money(cents),
        "ENTRYDESCRIPTION": item["NAME"] if item else acct["TITLE"],
        "EXCHANGE_RATE": "1",
        "LINEITEM": "T",
        "LINE_NO": n,
        "CURRENCY": "USD",
        "BASECURR": "USD",
        "TOTALSELECTED": "0",
        "TRX_TOTALSELECTED": "0",
        "STATE": "Posted",
        "RECORDTYPE": "ri",
        "BASELOCATION": head.get("MEGAENTITYKEY"),
        "DEFERREVENUE": 0,
        "ISSUMMARIZED": 0,
        "CUSTOMERDIMKEY": cust["RECORDNO"],
        "CUSTOMERID": cust["CUSTOMERID"],
        "CUSTOMERNAME": cust["NAME"],
        **fields,
        **{k: head[k] for k in ("MEGAENTITYKEY", "MEGAENTITYID", "MEGAENTITYNAME") if k in head},
        "_cents": cents,
        "_paid": 0,
        "_dims": dims,
    }
    if item:
        row.update(
            {"ITEMDIMKEY": item["RECORDNO"], "ITEMID": item["ITEMID"], "ITEMNAME": item["NAME"]}
        )
        row["_dims"] = (*dims, ("ITEM", item["RECORDNO"]))
    return row


def _receipt(kit: Kit, head: dict, cust: dict, items: list[dict], amount: int, when: int) -> None:
    """One receipt paying ``amount`` of the invoice, line by line in order."""
    rng = kit.rng
    rec = kit.key("ARPYMT", 600)
    day = kit.tl.day(when)
    left = amount
    for item in items:
        part = min(item["_cents"], left)
        if part <= 0:
            break
        left -= part
        item["_paid"] = part
        detail = kit.key("ARPYMTDETAIL", 12000)
        kit.sink(
            "ARPYMTDETAIL",
            {
                "RECORDNO": detail,
                "RECORDKEY": head["RECORDNO"],
                "ENTRYKEY": item["RECORDNO"],
                "PAYMENTKEY": rec,
                "PAYMENTDATE": day,
                "PAYMENTAMOUNT": money(part),
                "TRX_PAYMENTAMOUNT": money(part),
                "CURRENCY": "USD",
                "STATE": "Posted",
                **kit.line_stamps(when),
                **{
                    k: head[k]
                    for k in ("MEGAENTITYKEY", "MEGAENTITYID", "MEGAENTITYNAME")
                    if k in head
                },
            },
        )
    paid = amount - left
    pay = {
        "RECORDNO": rec,
        "PRBATCHKEY": summary_key(1200, day),
        "PRBATCH": f"Receipts: {day[:7].replace('-', '/')} Batch",
        "RECORDTYPE": "rp",
        "RECORDID": f"RCPT-{rec + 40000}",
        "FINANCIALENTITY": "BOA-CHK",
        "FINANCIALENTITYTYPE": "checkingaccount",
        "FINANCIALACCOUNTNAME": "Operating checking",
        "FINANCIALACCOUNTCURRENCY": "USD",
        "STATE": "Posted",
        "RAWSTATE": "C",
        "DISPLAYSTATE": "Posted",
        "PAYMENTMETHOD": rng.choice(["Printed Check", "ACH", "Credit Card", "EFT"]),
        "CUSTOMERID": cust["CUSTOMERID"],
        "CUSTOMERNAME": cust["NAME"],
        "PAYERNAME": cust["NAME"],
        "DOCNUMBER": f"{rng.randint(1000, 99999)}",
        "DESCRIPTION": f"Payment for {head['RECORDID']}",
        "WHENCREATED": day,
        "RECEIPTDATE": day,
        "WHENPAID": day,
        "CURRENCY": "USD",
        "EXCHANGE_RATE": "1",
        "TOTALENTERED": money(paid),
        "TOTALPAID": money(paid),
        "TOTALDUE": "0",
        "TRX_TOTALENTERED": money(paid),
        "TRX_TOTALPAID": money(paid),
        "TRX_TOTALDUE": "0",
        "BASECURR": "USD",
        "BILLTOPAYTONAME": head.get("BILLTOPAYTOCONTACTNAME"),
        "BILLTOPAYTOKEY": head.get("BILLTOPAYTOKEY"),
        "CLEARED": "T" if rng.random() < 0.6 else "F",
        "UNDEPOSITEDACCOUNTNO": None,
        **kit.stamps(when),
        **{k: head[k] for k in ("MEGAENTITYKEY", "MEGAENTITYID", "MEGAENTITYNAME") if k in head},
    }
    kit.sink("ARPYMT", pay)
    cust_dims = (("CUSTOMER", cust["RECORDNO"]),)
    kit.poster.post(
        kit.doc("rp", pay, when, day), [(-paid, -paid, "1100", cust_dims, "Receipt")], "1010", ()
    )
