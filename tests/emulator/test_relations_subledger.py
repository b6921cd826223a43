"""Subledger records hold together: lines, payments, terms, contacts, balances, entities."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import pytest

from intacct_sync.emulator import Company
from intacct_sync.emulator.timeline import AS_OF

D = Decimal


@pytest.fixture(scope="module")
def company() -> Company:
    return Company(seed=7, scale="small")


def _by(rows: list[dict], key: str = "RECORDNO") -> dict[str, dict]:
    return {r[key]: r for r in rows}


def _sum(rows: list[dict], group: str, field: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        out[r[group]] += D(r[field] or "0")
    return out


def test_invoice_totals_are_the_sum_of_lines_and_payments(company):
    invoices = _by(company.rows("ARINVOICE"))
    lines = company.rows("ARINVOICEITEM")
    details = company.rows("ARPYMTDETAIL")
    assert all(line["RECORDKEY"] in invoices for line in lines)
    entered = _sum(lines, "RECORDKEY", "AMOUNT")
    paid = _sum(details, "RECORDKEY", "PAYMENTAMOUNT")
    for key, inv in invoices.items():
        assert D(inv["TOTALENTERED"]) == entered[key] == D(inv["TRX_TOTALENTERED"])
        assert D(inv["TOTALPAID"]) == paid[key]
        assert D(inv["TOTALDUE"]) == entered[key] - paid[key]
        state = "Paid" if not D(inv["TOTALDUE"]) else ("Partially Paid" if paid[key] else "Posted")
        assert inv["STATE"] == state and bool(inv["WHENPAID"]) == (state == "Paid")
    line_paid = _sum(details, "ENTRYKEY", "PAYMENTAMOUNT")
    assert all(D(line["TOTALPAID"]) == line_paid[line["RECORDNO"]] for line in lines)
    assert {i["STATE"] for i in invoices.values()} == {"Paid", "Partially Paid", "Posted"}


def test_payment_details_point_at_their_payment_invoice_and_line(company):
    payments = _by(company.rows("ARPYMT"))
    lines = _by(company.rows("ARINVOICEITEM"))
    details = company.rows("ARPYMTDETAIL")
    for d in details:
        assert d["PAYMENTKEY"] in payments
        assert lines[d["ENTRYKEY"]]["RECORDKEY"] == d["RECORDKEY"]
    per_payment = _sum(details, "PAYMENTKEY", "PAYMENTAMOUNT")
    for key, pay in payments.items():
        assert D(pay["TOTALPAID"]) == D(pay["TOTALENTERED"]) == per_payment[key] > 0


def _bucket(days_late: int) -> str:
    for top, name in ((0, "current"), (30, "1-30"), (60, "31-60"), (90, "61-90")):
        if days_late <= top:
            return name
    return "over 90"


def test_open_invoices_fill_every_aging_bucket(company):
    buckets = {
        _bucket((AS_OF - datetime.strptime(inv["WHENDUE"], "%m/%d/%Y").date()).days)
        for inv in company.rows("ARINVOICE")
        if D(inv["TOTALDUE"]) > 0
    }
    assert buckets == {"current", "1-30", "31-60", "61-90", "over 90"}


def test_adjustment_headers_are_the_sum_of_their_lines(company):
    for head, line in (("ARADJUSTMENT", "ARADJUSTMENTITEM"), ("APADJUSTMENT", "APADJUSTMENTITEM")):
        heads, lines = _by(company.rows(head)), company.rows(line)
        assert all(x["RECORDKEY"] in heads for x in lines)
        totals = _sum(lines, "RECORDKEY", "AMOUNT")
        signs = defaultdict(set)
        for x in lines:
            signs[x["RECORDKEY"]].add(D(x["AMOUNT"]) > 0)
        for key, h in heads.items():
            assert D(h["TOTALENTERED"]) == totals[key] == D(h["TOTALDUE"])
            assert len(signs[key]) == 1  # all lines positive or all negative (Intacct rule)
        assert any(D(h["TOTALENTERED"]) < 0 for h in heads.values())


def test_every_term_reference_points_at_an_existing_term(company):
    ap_terms = {t["NAME"]: t["RECORDNO"] for t in company.rows("APTERM")}
    ar_terms = {t["NAME"]: t["RECORDNO"] for t in company.rows("ARTERM")}
    for bill in company.rows("APBILL"):
        assert ap_terms[bill["TERMNAME"]] == bill["TERMKEY"]
    for vendor in company.rows("VENDOR"):
        assert ap_terms[vendor["TERMNAME"]] == vendor["TERMKEY"]
    for inv in company.rows("ARINVOICE"):
        assert ar_terms[inv["TERMNAME"]] == inv["TERMKEY"]
    for cust in company.rows("CUSTOMER"):
        assert ar_terms[cust["TERMNAME"]] == cust["TERMSKEY"]


@pytest.mark.parametrize(
    "obj,prefix,key",
    [
        ("VENDOR", "DISPLAYCONTACT", "DISPLAYCONTACTKEY"),
        ("VENDOR", "PAYTOCONTACT", "PAYTOKEY"),
        ("VENDOR", "RETURNTOCONTACT", "RETURNTOKEY"),
        ("CUSTOMER", "DISPLAYCONTACT", "DISPLAYCONTACTKEY"),
        ("CUSTOMER", "BILLTO", "BILLTOKEY"),
        ("CUSTOMER", "SHIPTO", "SHIPTOKEY"),
        ("EMPLOYEE", "CONTACT", "CONTACTKEY"),
    ],
)
def test_contact_blocks_repeat_the_contact_their_key_points_at(company, obj, prefix, key):
    contacts = _by(company.rows("CONTACT"))
    names = [c["CONTACTNAME"] for c in contacts.values()]
    assert len(names) == len(set(names))  # CONTACTNAME is unique
    for row in company.rows(obj):
        contact = contacts[row[key]]
        for field in ("CONTACTNAME", "PHONE1", "EMAIL1", "MAILADDRESS.CITY", "MAILADDRESS.ZIP"):
            assert row[f"{prefix}.{field}"] == contact[field], (obj, row["RECORDNO"], field)


def test_bills_name_their_vendors_contacts(company):
    vendors = _by(company.rows("VENDOR"), "VENDORID")
    for bill in company.rows("APBILL"):
        vendor = vendors[bill["VENDORID"]]
        assert bill["PAYTOCONTACTNAME"] == vendor["PAYTOCONTACT.CONTACTNAME"]
        assert bill["RETURNTOCONTACTNAME"] == vendor["RETURNTOCONTACT.CONTACTNAME"]
        assert bill["BILLTOPAYTOKEY"] == vendor["PAYTOKEY"]


def test_vendor_and_customer_balances_are_their_open_documents(company):
    def open_due(objs, party):
        due = defaultdict(Decimal)
        for obj in objs:
            for r in company.rows(obj):
                if r["STATE"] not in ("Draft", "Submitted", "Declined"):
                    due[r[party]] += D(r["TOTALDUE"])
        return due

    due = open_due(("APBILL", "APADJUSTMENT"), "VENDORID")
    for v in company.rows("VENDOR"):
        assert D(v["TOTALDUE"]) == due[v["VENDORID"]]
    due = open_due(("ARINVOICE", "ARADJUSTMENT"), "CUSTOMERID")
    assert any(due.values())
    for c in company.rows("CUSTOMER"):
        assert D(c["TOTALDUE"]) == due[c["CUSTOMERID"]]


def test_entities_are_consistent_everywhere(company):
    entities = {e.key: e for e in company.entities.values()}
    rows = company.rows("LOCATIONENTITY")
    locations = _by(company.rows("LOCATION"))
    assert {int(r["RECORDNO"]) for r in rows} == set(entities)
    for r in rows:
        e = entities[int(r["RECORDNO"])]
        assert (r["LOCATIONID"], r["NAME"]) == (e.id, e.name)
        loc = locations[r["RECORDNO"]]
        assert (loc["LOCATIONID"], loc["NAME"], loc["CURRENCY"]) == (
            r["LOCATIONID"],
            r["NAME"],
            r["CURRENCY"],
        )
    for name, obj in company.objects.items():
        if obj.has_entity and obj.view is None:
            for row in company.rows(name):
                if row["MEGAENTITYKEY"]:
                    e = entities[int(row["MEGAENTITYKEY"])]
                    assert (row["MEGAENTITYID"], row["MEGAENTITYNAME"]) == (e.id, e.name), name


def test_new_headers_are_audited_at_creation(company):
    audit = defaultdict(set)
    for a in company.rows("AUDITHISTORY"):
        if a["ACCESSMODE"] == "C":
            audit[a["OBJECTTYPE"]].add(a["OBJECTKEY"])
    for obj in ("ARINVOICE", "ARPYMT", "ARADJUSTMENT", "APADJUSTMENT", "APTERM", "GLACCTGRP"):
        assert audit[obj.lower()] == {r["RECORDNO"] for r in company.rows(obj)}, obj
    assert not audit["arinvoiceitem"] and not audit["gldetail"]


def test_payments_are_drawn_on_existing_bank_accounts(company):
    banks = {b["BANKACCOUNTID"]: b for b in company.rows("CHECKINGACCOUNT")}
    accounts = {a["ACCOUNTNO"] for a in company.rows("GLACCOUNT")}
    assert all(b["GLACCOUNTNO"] in accounts for b in banks.values())
    for obj in ("APPYMT", "ARPYMT"):
        for pay in company.rows(obj):
            assert (
                pay["FINANCIALENTITY"] in banks and pay["FINANCIALENTITYTYPE"] == "checkingaccount"
            )
