"""Reporting periods (REPORTINGPERIOD) and the budget (GLBUDGETHEADER + GLBUDGETITEM).

Periods are calendar months ("Month Ended January 2026"), quarters and years, for every year
any generated date falls in; only months are budgeting periods (Intacct refuses overlapping
budgeting periods). The budget "FY2026 Plan" has one line per income-statement account and
month of 2026, for one department each. Budget items have no WHENMODIFIED (docs/protocol.md §9).
"""

from __future__ import annotations

import calendar

from .generate_docs import Kit, money

BUDGET_YEAR = 2026


def _period(kit: Kit, rec: int, header1: str, start: str, end: str, budgeting: bool) -> dict:
    y, m = int(end[:4]), int(end[5:7])
    header2 = f"{calendar.month_name[m]} {y}"
    return {
        "RECORDNO": rec,
        "NAME": f"{header1} {header2}",
        "HEADER1": header1,
        "HEADER2": header2,
        "START_DATE": start,
        "END_DATE": end,
        "BUDGETING": int(budgeting),
        "STATUS": "active",
        **kit.tl.stamps(),
    }


def generate_periods(kit: Kit, first_year: int, last_year: int) -> dict[str, dict]:
    """Write the periods; returns the monthly ones by ``YYYY-MM``."""
    months, rec = {}, 0
    for kind, size in (("Month Ended", 1), ("Quarter Ended", 3), ("Year Ended", 12)):
        for year in range(first_year, last_year + 1):
            for first in range(1, 13, size):
                last = first + size - 1
                end = f"{year}-{last:02d}-{calendar.monthrange(year, last)[1]:02d}"
                rec += 1
                row = _period(kit, rec, kind, f"{year}-{first:02d}-01", end, size == 1)
                kit.sink("REPORTINGPERIOD", row)
                if size == 1:
                    months[end[:7]] = row
    return months


def generate_budget(kit: Kit, months: dict[str, dict]) -> None:
    rng = kit.rng
    stamps = kit.tl.stamps()
    kit.sink(
        "GLBUDGETHEADER",
        {
            "RECORDNO": 1,
            "BUDGETID": f"FY{BUDGET_YEAR} Plan",
            "DESCRIPTION": f"Operating plan {BUDGET_YEAR}",
            "SYSTEMGENERATED": 0,
            "DEFAULT_BUDGET": 1,
            "USER": "jdoe",
            "STATUS": "active",
            "ISCONSOLIDATED": 0,
            "CURRENCY": "USD",
            "ISPABUDGET": 0,
            "ISPCNBUDGET": 0,
            **stamps,
        },
    )
    accounts = [a for a in kit.m.of("GLACCOUNT") if a["ACCOUNTTYPE"] == "incomestatement"]
    rec = 0
    for acct in accounts:
        dept = rng.choice(kit.m.of("DEPARTMENT"))
        monthly = rng.randint(50, 5_000) * 1_000
        for month in range(1, 13):
            period = months.get(f"{BUDGET_YEAR}-{month:02d}")
            if period is None:
                continue
            rec += 1
            season = 100 + (10 if month in (3, 6, 9, 12) else 0) - rng.randint(0, 8)
            kit.sink(
                "GLBUDGETITEM",
                {
                    "RECORDNO": rec,
                    "BUDGETKEY": 1,
                    "BUDGETID": f"FY{BUDGET_YEAR} Plan",
                    "CURRENCY": "USD",
                    "SYSTEMGENERATED": 0,
                    "PERIODKEY": period["RECORDNO"],
                    "ACCOUNTKEY": acct["RECORDNO"],
                    "DEPTKEY": dept["RECORDNO"],
                    "AMOUNT": money(monthly * season // 100),
                    "PERPERIOD": "Per Period",
                    "ACCT_NO": acct["ACCOUNTNO"],
                    "ACCOUNT_TYPE": acct["ACCOUNTTYPE"],
                    "ACCTTITLE": acct["TITLE"],
                    "NORMALBALANCE": 1 if acct["NORMALBALANCE"] == "debit" else -1,
                    "STATISTICAL": 0,
                    "DEPT_NO": dept["DEPARTMENTID"],
                    "DEPTITLE": dept["TITLE"],
                    "PERIODNAME": period["NAME"],
                    "REPORTINGPERIODNAME": period["NAME"],
                    "PSTARTDATE": period["START_DATE"],
                    "PENDDATE": period["END_DATE"],
                },
            )
