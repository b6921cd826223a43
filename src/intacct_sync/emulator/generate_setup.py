"""Reference data: payment terms (APTERM, ARTERM) and bank accounts (CHECKINGACCOUNT).

Terms are fixed lists, so the keys are stable: APTERM 14 is ``Net30``, the term every
generated bill carries (APBILL.TERMNAME/TERMKEY point at it).
"""

from __future__ import annotations

from .timeline import Timeline

# (RECORDNO, NAME, due days, discount days, discount percent, description)
TERMS = (
    (11, "Due on Receipt", 0, None, None, "Payable on receipt"),
    (12, "Net10", 10, None, None, "Net 10 days"),
    (13, "Net15", 15, None, None, "Net 15 days"),
    (14, "Net30", 30, None, None, "Net 30 days"),
    (15, "Net45", 45, None, None, "Net 45 days"),
    (16, "Net60", 60, None, None, "Net 60 days"),
    (17, "2/10 Net30", 30, 10, "2", "2% discount within 10 days, net 30"),
)
TERM_KEYS = {name: key for key, name, *_ in TERMS}
TERM_DAYS = {name: days for _key, name, days, *_ in TERMS}
# (BANKACCOUNTID, bank, GL account, description, currency)
BANK_ACCOUNTS = (
    ("BOA-CHK", "Bank of America", "1010", "Operating checking", "USD"),
    ("BOA-PAY", "Bank of America", "1020", "Payroll checking", "USD"),
    ("HSBC-GBP", "HSBC UK", "1000", "UK operating account", "GBP"),
)


def terms(tl: Timeline) -> list[dict]:
    rows = []
    for key, name, days, disc_days, disc_pct, desc in TERMS:
        stamps = tl.stamps()
        rows.append(
            {
                "RECORDNO": key,
                "NAME": name,
                "DESCRIPTION": desc,
                "STATUS": "active",
                "DUEDATE": days,
                "DUEFROM": "from invoice/bill date",
                "DISCDATE": disc_days,
                "DISCFROM": "from invoice/bill date" if disc_days else None,
                "DISCAMOUNT": disc_pct,
                "DISCPERCAMN": "%" if disc_pct else None,
                "DISCFUDGEDAYS": 0 if disc_days else None,
                "DISCCALCON": "Bill total" if disc_days else None,
                **stamps,
            }
        )
    return rows


def bank_accounts(tl: Timeline, accounts: dict[str, dict]) -> list[dict]:
    rows = []
    for n, (bank_id, bank, gl, desc, cur) in enumerate(BANK_ACCOUNTS, start=1):
        stamps = tl.stamps()
        rows.append(
            {
                "RECORDNO": n,
                "BANKACCOUNTID": bank_id,
                "BANKACCOUNTNO": f"{4400 + n * 17:04d}{n * 7919 % 100000:05d}",
                "GLACCOUNTNO": gl,
                "GLACCOUNTTITLE": accounts[gl]["TITLE"],
                "BANKNAME": bank,
                "ROUTINGNO": "026009593" if cur == "USD" else None,
                "BRANCHID": None if cur == "USD" else "40-05-30",
                "BANKACCOUNTTYPE": "checking",
                "DESCRIPTION": desc,
                "CURRENCY": cur,
                "LOCATIONID": "E200" if cur == "GBP" else "E100",
                "STATUS": "active",
                "LASTRECONCILEDBALANCE": f"{125000 * n}.{n * 13 % 100:02d}",
                "LASTRECONCILEDDATE": "2026-09-30",
                "NEXTCHECKNUMBER": 10001 + 500 * n,
                "MAILADDRESS.CITY": "London" if cur == "GBP" else "Seattle",
                "MAILADDRESS.COUNTRY": "United Kingdom" if cur == "GBP" else "United States",
                **stamps,
                **(
                    {"MEGAENTITYKEY": 2, "MEGAENTITYID": "E200", "MEGAENTITYNAME": "UK Subsidiary"}
                    if cur == "GBP"
                    else {}
                ),
            }
        )
    return rows
