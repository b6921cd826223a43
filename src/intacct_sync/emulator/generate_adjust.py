"""AR and AP adjustments (credit and debit memos) with their lines, and expense reports.

An adjustment's lines are all negative (a credit memo to a customer, a debit memo from a
vendor) or all positive, as Intacct requires; the header totals are their exact sum and stay
open (TOTALDUE = TOTALENTERED): no payment applies them here. AR adjustments post to ARJ, AP
adjustments to APJ. Expense reports (EEXPENSES, no line object) post the report total to the
travel expense account against accrued liabilities (EEJ).
"""

from __future__ import annotations

from datetime import timedelta

from .bill_fields import summary_key
from .generate_docs import Kit, money, totals
from .timeline import AS_OF

MEGA = ("MEGAENTITYKEY", "MEGAENTITYID", "MEGAENTITYNAME")
# object, line object, record type, party, party id field, accounts filter, control account
SIDES = {
    "AR": ("ARADJUSTMENT", "ARADJUSTMENTITEM", "ra", "CUSTOMER", "CUSTOMERID", "credit", "1100"),
    "AP": ("APADJUSTMENT", "APADJUSTMENTITEM", "pa", "VENDOR", "VENDORID", "debit", "2000"),
}
STARTS = {"ARADJUSTMENT": 4000, "ARADJUSTMENTITEM": 8000, "APADJUSTMENT": 2000}


def generate_adjustments(kit: Kit, side: str, count: int) -> None:
    obj, line_obj, rtype, party_obj, party_id, normal, control = SIDES[side]
    accounts = [
        a
        for a in kit.m.of("GLACCOUNT")
        if a["ACCOUNTTYPE"] == "incomestatement" and a["NORMALBALANCE"] == normal
    ]
    for _ in range(count):
        rng = kit.rng
        party = rng.choice(kit.m.of(party_obj))
        made = AS_OF - timedelta(days=rng.randint(1, 330))
        created, day = kit.tl.at(made), made.isoformat()
        sign = -1 if rng.random() < 0.8 else 1  # mostly credit memos (AR) / debit memos (AP)
        rec = kit.key(obj, STARTS[obj])
        name = party["NAME"]
        head = {
            "RECORDNO": rec,
            "RECORDTYPE": rtype,
            "RECORDID": f"{'CM' if sign < 0 else 'DM'}-{rec}",
            "STATE": "Posted",
            "RAWSTATE": "A",
            party_id: party[party_id],
            f"{party_obj}NAME": name,
            "DOCNUMBER": f"REF-{rng.randint(1000, 9999)}" if rng.random() < 0.5 else None,
            "DESCRIPTION": rng.choice(["Pricing correction", "Returned goods", "Service credit"]),
            "WHENCREATED": day,
            "WHENPOSTED": day,
            "CURRENCY": "USD",
            "EXCHANGE_RATE": "1",
            "PRBATCH": f"{side} Adjustments: {day[:7].replace('-', '/')} Batch",
            "PRBATCHKEY": summary_key(1300 if side == "AR" else 1400, day),
            "MODULEKEY": "4.AR" if side == "AR" else "3.AP",
            **kit.stamps(created),
            **kit.entity(),
        }
        head["ENTITY"] = head.get("MEGAENTITYID")
        lines = []
        for n in range(1, rng.randint(1, 2) + 1):
            acct = rng.choice(accounts)
            fields, dims = kit.dims(project=0.1)
            cents = sign * rng.randint(2_000, 150_000)
            key = kit.key(line_obj, STARTS.get(line_obj, 6000))
            lines.append(
                {
                    "RECORDNO": key,
                    "RECORDKEY": rec,
                    "LINE_NO": n,
                    "ACCOUNTKEY": acct["RECORDNO"],
                    "ACCOUNTNO": acct["ACCOUNTNO"],
                    "ACCOUNTTITLE": acct["TITLE"],
                    "OFFSETGLACCOUNTNO": control,
                    "ENTRY_DATE": day,
                    "AMOUNT": money(cents),
                    "TRX_AMOUNT": money(cents),
                    "ENTRYDESCRIPTION": head["DESCRIPTION"],
                    "EXCHANGE_RATE": "1",
                    "CURRENCY": "USD",
                    "BASECURR": "USD",
                    "TOTALPAID": "0",
                    "TRX_TOTALPAID": "0",
                    "TOTALSELECTED": "0",
                    "TRX_TOTALSELECTED": "0",
                    "LINEITEM": "T",
                    "STATE": "Posted",
                    "RECORDTYPE": rtype,
                    "BASELOCATION": head.get("MEGAENTITYKEY"),
                    f"{party_obj}DIMKEY": party["RECORDNO"],
                    f"{party_obj}ID": party[party_id],
                    f"{party_obj}NAME": name,
                    **fields,
                    **kit.line_stamps(created),
                    **{k: head[k] for k in MEGA if k in head},
                    "_cents": cents,
                    "_dims": (*dims, (party_obj, party["RECORDNO"])),
                }
            )
        total = sum(line["_cents"] for line in lines)
        head.update(totals(total, 0))
        head["TRX_ENTITYDUE"] = head["TRX_TOTALDUE"]
        kit.sink(obj, head)
        for line in lines:
            kit.sink(line_obj, line)
        flip = -1 if side == "AR" else 1  # revenue is credited, expense debited
        kit.poster.post(
            kit.doc(rtype, head, created, day),
            [
                (flip * x["_cents"], flip * x["_cents"], x["ACCOUNTNO"], x["_dims"], None)
                for x in lines
            ],
            control,
            ((party_obj, party["RECORDNO"]),),
        )


EXPENSE_STATES = {"Paid": 50, "Posted": 25, "Partially Paid": 10, "Submitted": 10, "Draft": 5}


def generate_expenses(kit: Kit, count: int) -> None:
    rng = kit.rng
    for _ in range(count):
        emp = rng.choice(kit.m.of("EMPLOYEE"))
        made = AS_OF - timedelta(days=rng.randint(2, 340))
        created, day = kit.tl.at(made), made.isoformat()
        state = rng.choices(list(EXPENSE_STATES), list(EXPENSE_STATES.values()))[0]
        total = rng.randint(1_500, 450_000)
        paid = {"Paid": total, "Partially Paid": total // 2}.get(state, 0)
        last = AS_OF - timedelta(days=1)
        paid_at = kit.tl.at(min(made + timedelta(days=rng.randint(5, 30)), last)) if paid else None
        rec = kit.key("EEXPENSES", 500)
        head = {
            "RECORDNO": rec,
            "RECORDTYPE": "ei",
            "RECORDID": f"EXP-{rec:05d}",
            "STATE": state,
            "RAWSTATE": {"Draft": "D", "Submitted": "S"}.get(state, "A"),
            "EMPLOYEEID": emp["EMPLOYEEID"],
            "EMPLOYEENAME": emp["CONTACT.CONTACTNAME"],
            "EMPLOYEEKEY": emp["RECORDNO"],
            "CONTACTKEY": emp.get("CONTACTKEY"),
            "DESCRIPTION": rng.choice(["Customer visit", "Conference", "Team offsite", "Training"]),
            "MEMO": rng.choice([None, "Receipts attached", "Per diem included"]),
            "WHENCREATED": day,
            "WHENPOSTED": day if state not in ("Draft", "Submitted") else None,
            "WHENPAID": kit.tl.day(paid_at) if state == "Paid" else None,
            "CURRENCY": "USD",
            "REIMBURSEMENTCURRENCY": "USD",
            "EXCHANGE_RATE": "1",
            "PRBATCH": f"Expenses: {day[:7].replace('-', '/')} Batch",
            "PRBATCHKEY": summary_key(1500, day),
            "MODULEKEY": "6.EE",
            "INCLUSIVETAX": 0,
            **totals(total, paid),
            **kit.stamps(created, *([paid_at] if paid_at else [])),
            **{k: emp[k] for k in MEGA if emp.get(k)},
        }
        kit.sink("EEXPENSES", head)
        if head["WHENPOSTED"]:
            dims = (
                ("EMPLOYEE", emp["RECORDNO"]),
                ("DEPARTMENT", emp.get("DEPARTMENTKEY")),
                ("LOCATION", emp.get("LOCATIONKEY")),
            )
            kit.poster.post(
                kit.doc("ei", head, created, day),
                [(total, total, "6400", dims, head["DESCRIPTION"])],
                "2100",
                (("EMPLOYEE", emp["RECORDNO"]),),
            )
