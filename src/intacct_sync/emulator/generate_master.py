"""Generated master data: entities, dimensions with parent hierarchies, accounts, vendors, UDDs.

Every function takes the seeded ``random.Random`` so one seed always gives the same company.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import names
from .timeline import Timeline
from .values import cents_text

ENTITIES = (
    ("1", "E100", "US Operations", "USD", False),
    ("2", "E200", "UK Subsidiary", "GBP", True),
)
ID_PREFIX = {
    "DEPARTMENT": "D",
    "LOCATION": "L",
    "CLASS": "C",
    "PROJECT": "P",
    "CUSTOMER": "CUST-",
    "EMPLOYEE": "EMP-",
    "ITEM": "I-",
}
NAME_FIELD = {"DEPARTMENT": "TITLE", "EMPLOYEE": "TITLE"}


@dataclass
class Master:
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, obj: str, row: dict) -> dict:
        self.rows.setdefault(obj, []).append(row)
        return row

    def of(self, obj: str) -> list[dict]:
        return self.rows.get(obj, [])


def entity_of(rng: random.Random) -> dict:
    """Most records are shared (empty MEGAENTITY*), some belong to E100, a few to private E200."""
    r = rng.random()
    if r < 0.85:
        return {}
    key, eid, name, _cur, _private = ENTITIES[0] if r < 0.96 else ENTITIES[1]
    return {"MEGAENTITYKEY": int(key), "MEGAENTITYID": eid, "MEGAENTITYNAME": name}


def _entities(m: Master, tl: Timeline) -> None:
    for key, eid, name, cur, _private in ENTITIES:
        stamps = tl.stamps()
        m.add(
            "LOCATIONENTITY",
            {
                "RECORDNO": int(key),
                "LOCATIONID": eid,
                "NAME": name,
                "CURRENCY": cur,
                "STATUS": "active",
                **stamps,
            },
        )
        m.add(
            "LOCATION",
            {
                "RECORDNO": int(key),
                "LOCATIONID": eid,
                "NAME": name,
                "STATUS": "active",
                "CURRENCY": cur,
                "ENTITY": eid,
                **stamps,
            },
        )


def _dimension(m: Master, rng: random.Random, tl: Timeline, obj: str, count: int) -> None:
    words = names.DIM_WORDS.get(obj, [])
    start = len(m.of(obj)) + 1
    for i in range(count):
        rec = start + i
        base = (
            words[i % len(words)]
            if words
            else f"{rng.choice(names.FIRST)} {rng.choice(names.LAST)}"
        )
        label = base if i < len(words) else f"{base} {i // max(len(words), 1) + 1}"
        row = {
            "RECORDNO": rec,
            f"{obj}ID": f"{ID_PREFIX[obj]}{100 + rec}",
            NAME_FIELD.get(obj, "NAME"): label,
            "STATUS": "inactive" if rng.random() < 0.1 else "active",
            **tl.stamps(),
            **entity_of(rng),
        }
        parents = m.of(obj)[1:] if obj == "LOCATION" else m.of(obj)
        if parents and i >= 3 and rng.random() < 0.5:
            parent = rng.choice(parents[: max(1, len(parents) // 2)])
            row.update(
                {
                    "PARENTKEY": parent["RECORDNO"],
                    "PARENTID": parent[f"{obj}ID"],
                    "PARENTNAME": parent.get(NAME_FIELD.get(obj, "NAME")),
                }
            )
        _dimension_extras(rng, obj, row)
        m.add(obj, row)


def _dimension_extras(rng: random.Random, obj: str, row: dict) -> None:
    if obj == "EMPLOYEE":
        first, last = rng.choice(names.FIRST), rng.choice(names.LAST)
        row.update(
            {
                "TITLE": rng.choice(["Accountant", "Engineer", "Manager", "Analyst"]),
                "CONTACT.CONTACTNAME": f"{last}, {first}",
                "CONTACT.FIRSTNAME": first,
                "CONTACT.LASTNAME": last,
                "CURRENCY": "USD",
                "EMPLOYEETYPE": "Full Time",
                "CONTACT.EMAIL1": f"{first}.{last}@example.com".lower().replace("'", ""),
                "STARTDATE": f"20{rng.randint(15, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            }
        )
    elif obj == "PROJECT":
        row.update(
            {
                "PROJECTCATEGORY": rng.choice(["Contract", "Internal Billable", "Capitalized"]),
                "PROJECTSTATUS": "In Progress",
                "CURRENCY": "USD",
                "BUDGETAMOUNT": cents_text(rng.randint(100_000, 50_000_000)),
                "BEGINDATE": "2026-01-01",
                "DESCRIPTION": f"{row['NAME']} project",
            }
        )
    elif obj == "CUSTOMER":
        row.update(
            {
                "CREDITLIMIT": cents_text(rng.randint(1, 500) * 10_000),
                "CURRENCY": "USD",
                "TOTALDUE": cents_text(rng.randint(0, 2_000_000)),
                "ONETIME": 0,
                "ONHOLD": int(rng.random() < 0.05),
                "TERMNAME": "Net30",
                "DISCOUNT": str(rng.choice([0, 2, 2.5, 5])),
            }
        )
    elif obj == "ITEM":
        row.update(
            {
                "ITEMTYPE": rng.choice(["Inventory", "Non-Inventory", "Kit"]),
                "STANDARD_COST": cents_text(rng.randint(100, 250_000)),
                "GLGROUP": "Goods",
            }
        )
    elif obj == "CLASS":
        row["DESCRIPTION"] = f"{row['NAME']} segment" if rng.random() < 0.7 else None


def _accounts(m: Master, rng: random.Random, tl: Timeline, count: int) -> None:
    base = names.ACCOUNTS
    specs = list(base)
    n = 0
    while len(specs) < count:  # sub-accounts with dotted numbers such as 6300.11
        no, title, kind, normal, cat = base[n % len(base)]
        specs.append(
            (f"{no}.{10 + n // len(base) + 1}", f"{title} - Sub {n + 1}", kind, normal, cat)
        )
        n += 1
    for i, (no, title, kind, normal, cat) in enumerate(specs[:count]):
        m.add(
            "GLACCOUNT",
            {
                "RECORDNO": 10 + i,
                "ACCOUNTNO": no,
                "TITLE": title,
                "ACCOUNTTYPE": kind,
                "NORMALBALANCE": normal,
                "CATEGORY": cat,
                "CATEGORYKEY": 100 + sorted({a[4] for a in base}).index(cat),
                "STATUS": "active",
                "CLOSINGTYPE": "closing account"
                if kind == "incomestatement"
                else "non-closing account",
                "CLOSINGACCOUNTNO": "3000" if kind == "incomestatement" else None,
                "REQUIREDEPT": int(kind == "incomestatement"),
                "REQUIRELOC": 0,
                "REQUIRECLASS": 0,
                "TAXABLE": int(rng.random() < 0.2),
                **tl.stamps(),
                **entity_of(rng),
            },
        )


def _vendors(m: Master, rng: random.Random, tl: Timeline, count: int) -> None:
    for i in range(count):
        name = " ".join(
            rng.choice(words) for words in (names.VENDOR_A, names.VENDOR_B, names.VENDOR_C)
        )
        first, last = rng.choice(names.FIRST), rng.choice(names.LAST)
        row = {
            "RECORDNO": 100 + i,
            "VENDORID": f"V-{1000 + i:05d}",
            "NAME": name,
            "VENDTYPE": rng.choice(["Supplier", "Contractor", "Service"]),
            "TAXID": f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}",
            "NAME1099": name.upper(),
            "STATUS": "inactive" if rng.random() < 0.05 else "active",
            "ONETIME": 0,
            "ONHOLD": int(rng.random() < 0.05),
            "TOTALDUE": "0",
            "CREDITLIMIT": cents_text(rng.randint(1, 100) * 100_000),
            "CURRENCY": rng.choice(["USD", "USD", "USD", "EUR", "GBP", "CAD"]),
            "APACCOUNT": "2000",
            "VENDORACCOUNTNO": f"ACCT-{rng.randint(10000, 99999)}",
            "ACHENABLED": int(rng.random() < 0.6),
            "DISPLAYCONTACT.CONTACTNAME": name,
            "DISPLAYCONTACT.EMAIL1": f"ap@{name.split()[0].lower()}.example.com",
            "PAYTOCONTACT.CONTACTNAME": f"{last}, {first}",
            **tl.stamps(),
            **entity_of(rng),
        }
        if i >= 5 and rng.random() < 0.1:
            parent = m.of("VENDOR")[rng.randrange(5)]
            row.update(
                {
                    "PARENTKEY": parent["RECORDNO"],
                    "PARENTID": parent["VENDORID"],
                    "PARENTNAME": parent["NAME"],
                }
            )
        m.add("VENDOR", row)


def _udds(m: Master, rng: random.Random, tl: Timeline, count: int) -> None:
    for n, obj in enumerate(("FUND", "GRANT_PROGRAM")):
        for i in range(count):
            c = tl.created()
            words = names.DIM_WORDS[obj]
            rec = 10_000 * (n + 1) + i + 1
            row = {
                "id": rec,
                "name": f"{words[i % len(words)]}"
                + (f" {i // len(words) + 1}" if i >= len(words) else ""),
                "createdAt": tl.local(c),
                "updatedAt": tl.local(tl.modified(c)),
                "createdBy": rng.randint(1, 6),
                "updatedBy": rng.randint(1, 6),
                "RECORD_URL": f"https://www.intacct.com/ia/acct/ur.phtml?.r={rec}",
            }
            if i >= 3 and rng.random() < 0.4:
                row["PARENTID"] = m.of(obj)[rng.randrange(3)]["name"]
            m.add(obj, row)


def generate_master(
    rng: random.Random,
    tl: Timeline,
    dims: tuple[int, int],
    accounts: int,
    vendors: int,
    udd_rows: int,
) -> Master:
    m = Master()
    _entities(m, tl)
    for obj in ("DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "CUSTOMER", "EMPLOYEE", "ITEM"):
        _dimension(m, rng, tl, obj, rng.randint(*dims))
    _accounts(m, rng, tl, accounts)
    _vendors(m, rng, tl, vendors)
    _udds(m, rng, tl, udd_rows)
    return m
