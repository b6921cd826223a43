"""CONTACT records and the contact fields of vendors, customers, employees and entities.

A contact is named by CONTACTNAME (unique in Intacct), so two records that name the same person
or company share one CONTACT. Every ``*KEY`` field points at the contact whose fields are
flattened under the matching prefix: VENDOR.DISPLAYCONTACTKEY -> DISPLAYCONTACT.*,
PAYTOKEY -> PAYTOCONTACT.*, RETURNTOKEY -> RETURNTOCONTACT.*; CUSTOMER.DISPLAYCONTACTKEY,
BILLTOKEY, SHIPTOKEY -> DISPLAYCONTACT.*, BILLTO.*, SHIPTO.*; EMPLOYEE.CONTACTKEY ->
CONTACT.*; LOCATIONENTITY.CONTACTKEY -> CONTACTINFO.CONTACTNAME.

The names and emails the master generator already gave (VENDOR.DISPLAYCONTACT.CONTACTNAME,
PAYTOCONTACT.CONTACTNAME, EMPLOYEE.CONTACT.*) are kept: contacts are built from them.
"""

from __future__ import annotations

import random

from . import names
from .catalog_base import CONTACT_FIELDS, CONTACT_TAX
from .names_contact import CITIES, PREFIXES, STREETS
from .timeline import Timeline

BLOCK = [t.split(":")[0] for t in f"{CONTACT_FIELDS} {CONTACT_TAX}".split()]


def flatten(prefix: str, contact: dict) -> dict:
    return {f"{prefix}.{k}": contact.get(k) for k in BLOCK}


def _domain(company: str) -> str:
    word = "".join(ch for ch in company.split()[0].lower() if ch.isalnum())
    return f"{word}.example.com"


class ContactBook:
    def __init__(self, rng: random.Random, tl: Timeline) -> None:
        self.rng, self.tl = rng, tl
        self.rows: list[dict] = []
        self.by_name: dict[str, dict] = {}

    def company(self, name: str, email: str | None = None) -> dict:
        found = self.by_name.get(name)
        if found is None:
            found = self._new(name, None, None, name, email or f"info@{_domain(name)}")
            found["URL1"] = f"https://www.{_domain(name)}"
        return found

    def person(self, name: str, company: str | None = None, email: str | None = None) -> dict:
        """``name`` is ``Last, First`` as Intacct shows a person's CONTACTNAME."""
        found = self.by_name.get(name)
        if found is None:
            last, _, first = name.partition(", ")
            where = _domain(company) if company else "example.com"
            email = email or f"{first}.{last}@{where}".lower().replace("'", "")
            found = self._new(name, first, last, company, email)
            found["CELLPHONE"] = self._phone(found["_area"])
        return found

    def _phone(self, area: str) -> str:
        return f"({area}) 555-{self.rng.randint(100, 9999):04d}"

    def _new(self, name, first, last, company, email) -> dict:
        rng = self.rng
        city, state, zip_prefix, country, code, area = rng.choice(CITIES)
        rec = len(self.rows) + 1
        row = {
            "RECORDNO": rec,
            "CONTACTNAME": name,
            "PREFIX": rng.choice(PREFIXES) if first else None,
            "FIRSTNAME": first,
            "INITIAL": rng.choice("ABCDEJKLMRS") if first and rng.random() < 0.3 else None,
            "LASTNAME": last,
            "COMPANYNAME": company,
            "PRINTAS": company if not first else f"{first} {last}",
            "PHONE1": self._phone(area),
            "FAX": self._phone(area) if not first and rng.random() < 0.3 else None,
            "EMAIL1": email,
            "VISIBLE": 1,
            "MAILADDRESS.ADDRESS1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
            "MAILADDRESS.ADDRESS2": f"Suite {rng.randint(100, 950)}"
            if rng.random() < 0.3
            else None,
            "MAILADDRESS.CITY": city,
            "MAILADDRESS.STATE": state or None,
            "MAILADDRESS.ZIP": f"{zip_prefix}{rng.randint(0, 99):02d}"
            if code == "US"
            else f"{zip_prefix} {rng.randint(1, 9)}AB",
            "MAILADDRESS.COUNTRY": country,
            "MAILADDRESS.COUNTRYCODE": code,
            "TAXABLE": 0,
            "STATUS": "active",
            "_area": area,
            **self.tl.stamps(),
        }
        self.rows.append(row)
        self.by_name[name] = row
        return row


def employees(book: ContactBook, rows: list[dict]) -> None:
    for e in rows:
        c = book.person(e["CONTACT.CONTACTNAME"], email=e["CONTACT.EMAIL1"])
        e.update({**flatten("CONTACT", c), "CONTACTKEY": c["RECORDNO"]})


def vendors(book: ContactBook, rows: list[dict], term_keys: dict[str, int]) -> None:
    rng = book.rng
    for v in rows:
        display = book.company(v["DISPLAYCONTACT.CONTACTNAME"], v["DISPLAYCONTACT.EMAIL1"])
        payto = book.person(v["PAYTOCONTACT.CONTACTNAME"], company=v["NAME"])
        term = rng.choices(list(term_keys), [2, 3, 4, 40, 6, 4, 3])[0]
        v.update(
            {
                **flatten("DISPLAYCONTACT", display),
                **flatten("PAYTOCONTACT", payto),
                **flatten("RETURNTOCONTACT", display),
                "DISPLAYCONTACTKEY": display["RECORDNO"],
                "CONTACTKEY": payto["RECORDNO"],
                "PAYTOKEY": payto["RECORDNO"],
                "RETURNTOKEY": display["RECORDNO"],
                "CONTACTINFO.CONTACTNAME": payto["CONTACTNAME"],
                "TERMNAME": term,
                "TERMKEY": term_keys[term],
                "ENTITY": v.get("MEGAENTITYID"),
                "APACCOUNTTITLE": "Accounts Payable",
                "PAYMENTPRIORITY": "Normal",
                "BILLINGTYPE": "openitem",
                "DISPLAYTERMDISCOUNT": 0,
                "DONOTCUTCHECK": 0,
                "PAYMENTNOTIFY": int(rng.random() < 0.3),
                "MERGEPAYMENTREQ": 1,
                "FORM1099TYPE": "MISC" if v["VENDTYPE"] == "Contractor" else None,
                "FORM1099BOX": "7" if v["VENDTYPE"] == "Contractor" else None,
                "OBJECTRESTRICTION": "Restricted" if v.get("MEGAENTITYID") else "Unrestricted",
            }
        )


def customers(book: ContactBook, rows: list[dict], term_keys: dict[str, int]) -> None:
    rng = book.rng
    for c in rows:
        display = book.company(c["NAME"], f"ar@{_domain(c['NAME'])}")
        who = f"{rng.choice(names.LAST)}, {rng.choice(names.FIRST)}"
        person = book.person(who, company=c["NAME"])
        ship = person if rng.random() < 0.3 else display
        c.update(
            {
                **flatten("DISPLAYCONTACT", display),
                **flatten("BILLTO", display),
                **flatten("SHIPTO", ship),
                "DISPLAYCONTACTKEY": display["RECORDNO"],
                "BILLTOKEY": display["RECORDNO"],
                "SHIPTOKEY": ship["RECORDNO"],
                "CONTACTKEY": person["RECORDNO"],
                "CONTACTINFO.CONTACTNAME": person["CONTACTNAME"],
                "TERMSKEY": term_keys.get(c.get("TERMNAME") or "", None),
                "ENTITY": c.get("MEGAENTITYID"),
                "CUSTTYPE": rng.choice(["Direct", "Reseller", "Government", "Education"]),
                "ARACCOUNT": "1100",
                "ARACCOUNTTITLE": "Accounts Receivable",
                "TERRITORYID": rng.choice(["WEST", "EAST", "CENTRAL", "INTL"]),
                "DELIVERY_OPTIONS": rng.choice(["Print", "E-Mail", "Print#~#E-Mail"]),
                "EMAILOPTIN": int(rng.random() < 0.5),
                "ENABLEONLINECARDPAYMENT": int(rng.random() < 0.4),
                "ENABLEONLINEACHPAYMENT": int(rng.random() < 0.4),
                "OBJECTRESTRICTION": "Restricted" if c.get("MEGAENTITYID") else "Unrestricted",
            }
        )


def entities(book: ContactBook, rows: list[dict]) -> None:
    for e in rows:
        contact = book.company(e["NAME"])
        uk = e["CURRENCY"] == "GBP"
        e.update(
            {
                "CONTACTKEY": contact["RECORDNO"],
                "CONTACTINFO.CONTACTNAME": contact["CONTACTNAME"],
                "STARTDATE": "2015-01-01",
                "FEDERALID": "GB123456789" if uk else "94-1234567",
                "FIRSTMONTH": 1,
                "WEEKSTART": 1,
                "FIRSTMONTHTAX": 4 if uk else 1,
                "LEGALNAME": f"EmuCo {e['NAME']}",
                "LEGALADDRESS1": contact["MAILADDRESS.ADDRESS1"],
                "LEGALCITY": contact["MAILADDRESS.CITY"],
                "LEGALSTATE": contact["MAILADDRESS.STATE"],
                "LEGALZIPCODE": contact["MAILADDRESS.ZIP"],
                "LEGALCOUNTRY": contact["MAILADDRESS.COUNTRY"],
                "OPCOUNTRY": "United Kingdom" if uk else "United States",
                "ENABLELEGALCONTACT": 0,
                "REPORTPRINTAS": e["NAME"],
            }
        )
