"""The rest of each master record's fields, and the new reference objects beside them.

Runs on the master rows right after generate_master, with an RNG of its own seeded from the
company seed: the original generator's random stream, and so every value it produced, stays
as it was. Filled here: the contact blocks (generate_contacts), vendor terms, employee
department/location/supervisor, project type/location/budget, item units, account flags.
"""

from __future__ import annotations

import random

from . import generate_contacts as contacts
from .generate_master import Master
from .generate_setup import TERM_KEYS, bank_accounts, terms
from .timeline import Timeline

PROJECT_TYPES = ("Client Services", "Internal", "Capital Project", "Grant")
AGENCIES = ("Department of Education", "National Science Foundation", "Department of Energy")


def enrich(seed: int, tz: str, m: Master) -> dict[str, list[dict]]:
    """Fill in the master rows of ``m``; returns the new objects' rows (CONTACT, terms...),
    which the caller writes after everything the original generator wrote."""
    rng = random.Random(f"{seed}:master")
    tl = Timeline(rng, tz)
    book = contacts.ContactBook(rng, tl)
    contacts.employees(book, m.of("EMPLOYEE"))
    contacts.vendors(book, m.of("VENDOR"), TERM_KEYS)
    contacts.customers(book, m.of("CUSTOMER"), TERM_KEYS)
    contacts.entities(book, m.of("LOCATIONENTITY"))
    _employees(rng, m)
    _projects(rng, m)
    _items(rng, m)
    _accounts(m)
    accounts = {a["ACCOUNTNO"]: a for a in m.of("GLACCOUNT")}
    return {
        "CONTACT": book.rows,
        "APTERM": terms(tl),
        "ARTERM": terms(tl),
        "CHECKINGACCOUNT": bank_accounts(tl, accounts),
    }


def _pick(rng: random.Random, rows: list[dict]) -> dict | None:
    return rng.choice(rows) if rows else None


def _employees(rng: random.Random, m: Master) -> None:
    staff = m.of("EMPLOYEE")
    for n, e in enumerate(staff):
        dept, loc = _pick(rng, m.of("DEPARTMENT")), _pick(rng, m.of("LOCATION"))
        boss = staff[rng.randrange(n)] if n else None
        e.update(
            {
                "DEPARTMENTID": dept["DEPARTMENTID"],
                "DEPARTMENTKEY": dept["RECORDNO"],
                "DEPARTMENTNAME": dept["TITLE"],
                "LOCATIONID": loc["LOCATIONID"],
                "LOCATIONKEY": loc["RECORDNO"],
                "LOCATIONNAME": loc["NAME"],
                "SUPERVISORKEY": boss["RECORDNO"] if boss else None,
                "SUPERVISORID": boss["EMPLOYEEID"] if boss else None,
                "SUPERVISORNAME": boss["CONTACT.CONTACTNAME"] if boss else None,
                "ENTITY": e.get("MEGAENTITYID"),
                "POSTACTUALCOST": 0,
            }
        )


def _projects(rng: random.Random, m: Master) -> None:
    for p in m.of("PROJECT"):
        loc, dept = _pick(rng, m.of("LOCATION")), _pick(rng, m.of("DEPARTMENT"))
        mgr = _pick(rng, m.of("EMPLOYEE"))
        grant = rng.random() < 0.2
        extra = {
            "PROJECTTYPE": "Grant" if grant else rng.choice(PROJECT_TYPES[:3]),
            "LOCATIONKEY": loc["RECORDNO"],
            "LOCATIONID": loc["LOCATIONID"],
            "LOCATIONNAME": loc["NAME"],
            "DEPARTMENTKEY": dept["RECORDNO"],
            "DEPARTMENTID": dept["DEPARTMENTID"],
            "DEPARTMENTNAME": dept["TITLE"],
            "MANAGERKEY": mgr["RECORDNO"],
            "MANAGERID": mgr["EMPLOYEEID"],
            "MANAGERCONTACTNAME": mgr["CONTACT.CONTACTNAME"],
            "BUDGETID": "FY2026 Plan",
            "BILLINGTYPE": rng.choice(["Time & Material", "Fixed Fee"]),
            "OBSPERCENTCOMPLETE": str(rng.randint(0, 100)),
            "INVOICEWITHPARENT": 0,
            "CFDA": f"{rng.randint(10, 99)}.{rng.randint(100, 999)}" if grant else None,
            "AGENCY": rng.choice(AGENCIES) if grant else None,
        }
        if p.get("PROJECTCATEGORY") == "Contract" and m.of("CUSTOMER"):
            cust = rng.choice(m.of("CUSTOMER"))
            extra.update(
                {
                    "CUSTOMERKEY": cust["RECORDNO"],
                    "CUSTOMERID": cust["CUSTOMERID"],
                    "CUSTOMERNAME": cust["NAME"],
                    "CONTRACTAMOUNT": p.get("BUDGETAMOUNT"),
                    "TERMNAME": "Net30",
                }
            )
        p.update(extra)


def _items(rng: random.Random, m: Master) -> None:
    for i in m.of("ITEM"):
        service = i["NAME"].startswith(("Consulting", "Support"))
        i.update(
            {
                "UOMGRP": "Time" if service else "Count",
                "BASEUOM": "Hour" if service else "Each",
                "COST_METHOD": "Standard" if i.get("ITEMTYPE") != "Inventory" else "Average",
                "BASEPRICE": i.get("STANDARD_COST"),
                "TAXABLE": int(not service),
                "SHIP_WEIGHT": None if service else str(rng.randint(1, 400) / 10),
                "UPC": None if service else f"0{rng.randint(10**10, 10**11 - 1)}",
                "PODESCRIPTION": i["NAME"],
                "SODESCRIPTION": i["NAME"],
                "ENABLE_SERIALNO": 0,
                "ENABLEFULFILLMENT": 0,
            }
        )


def _accounts(m: Master) -> None:
    titles = {a["ACCOUNTNO"]: a["TITLE"] for a in m.of("GLACCOUNT")}
    for a in m.of("GLACCOUNT"):
        a.update(
            {
                "CLOSINGACCOUNTTITLE": titles.get(a.get("CLOSINGACCOUNTNO") or ""),
                "SUBLEDGERCONTROLON": int(a["ACCOUNTNO"] in ("1100", "2000")),
                "ENABLE_GLMATCHING": 0,
                "REQUIRECUSTOMER": 0,
                "REQUIREVENDOR": 0,
                "REQUIREEMPLOYEE": 0,
                "REQUIREITEM": 0,
                "REQUIREPROJECT": 0,
                "REQUIREWAREHOUSE": 0,
            }
        )
