"""Mutations of the new objects: header deletes cascade and are audited, GLDETAIL follows its
batch and cannot be changed itself, keys are never reused, the admin API reaches them all."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

from intacct_sync.emulator import Company

CASCADES = [
    ("ARINVOICE", {"ARINVOICEITEM": "RECORDKEY", "ARPYMTDETAIL": "RECORDKEY"}),
    ("ARPYMT", {"ARPYMTDETAIL": "PAYMENTKEY"}),
    ("ARADJUSTMENT", {"ARADJUSTMENTITEM": "RECORDKEY"}),
    ("APADJUSTMENT", {"APADJUSTMENTITEM": "RECORDKEY"}),
    ("GLBATCH", {"GLENTRY": "BATCHNO", "GLDETAIL": "BATCHKEY"}),
    ("GLACCTGRP", {"GLACCTRANGE": "PARENTKEY"}),
    ("GLACCTGRP", {"GLACCTGRPMEMBER": "PARENTKEY"}),
    ("GLBUDGETHEADER", {"GLBUDGETITEM": "BUDGETKEY"}),
]


@pytest.fixture
def company() -> Company:
    return Company(seed=7, scale="small")


def _with_children(company: Company, children: dict[str, str]) -> str:
    """A header key that has rows in every child object."""
    keys = None
    for child, field in children.items():
        found = {r[field] for r in company.rows(child)}
        keys = found if keys is None else keys & found
    return sorted(keys, key=int)[0]


@pytest.mark.parametrize("header,children", CASCADES)
def test_header_delete_cascades_to_lines_and_is_audited_once(company, header, children):
    key = _with_children(company, children)
    before = {c: len(company.rows(c)) for c in children}
    gone = {c: sum(r[f] == key for r in company.rows(c)) for c, f in children.items()}
    assert all(gone.values())
    company.delete(header, int(key))
    for child, field in children.items():
        assert not [r for r in company.rows(child) if r[field] == key]
        assert len(company.rows(child)) == before[child] - gone[child]
    audit = [a for a in company.rows("AUDITHISTORY") if a["OBJECTKEY"] == key]
    deletes = [(a["OBJECTTYPE"], a["ACCESSMODE"]) for a in audit if a["ACCESSMODE"] == "D"]
    assert deletes == [(header.lower(), "D")]  # the lines are not audited separately


def test_gldetail_changes_with_its_journal_entries(company):
    entry = company.rows("GLENTRY")[0]
    company.update("GLENTRY", int(entry["RECORDNO"]), {"AMOUNT": "12.34", "DESCRIPTION": "fix"})
    company.update("GLBATCH", int(entry["BATCHNO"]), {"BATCH_TITLE": "Renamed"})
    detail = {d["RECORDNO"]: d for d in company.rows("GLDETAIL")}[entry["RECORDNO"]]
    assert (detail["AMOUNT"], detail["DESCRIPTION"], detail["BATCH_TITLE"]) == (
        "12.34",
        "fix",
        "Renamed",
    )
    key = company.insert(
        "GLENTRY",
        {"BATCHNO": entry["BATCHNO"], "TR_TYPE": 1, "AMOUNT": "1.00", "ACCOUNTNO": "1000"},
    )
    assert str(key) in {d["RECORDNO"] for d in company.rows("GLDETAIL")}
    assert company.count("GLDETAIL") == company.count("GLENTRY")


@pytest.mark.parametrize(
    "action",
    [
        lambda c: c.insert("GLDETAIL", {"AMOUNT": "1"}),
        lambda c: c.update("GLDETAIL", 2001, {"AMOUNT": "1"}),
        lambda c: c.delete("GLDETAIL", 2001),
        lambda c: c.add_custom_field("GLDETAIL", "X", "TEXT"),
    ],
)
def test_gldetail_cannot_be_changed_itself(company, action):
    before = company.count("GLDETAIL")
    with pytest.raises(ValueError, match="read-only view"):
        action(company)
    assert company.count("GLDETAIL") == before


def test_new_records_get_fresh_keys_stamps_and_audit(company):
    company.clock.set(datetime(2027, 2, 1, 18, 30, tzinfo=timezone.utc))
    last = max(int(r["RECORDNO"]) for r in company.rows("ARINVOICE"))
    company.delete("ARINVOICE", last)
    key = company.insert("ARINVOICE", {"CUSTOMERID": "CUST-101", "TOTALENTERED": "10.00"})
    assert key == last + 1  # a sequence: the deleted key is not issued again
    row = {r["RECORDNO"]: r for r in company.rows("ARINVOICE")}[str(key)]
    assert row["WHENMODIFIED"] == "02/01/2027 10:30:00" and row["WHENCREATED"] == "02/01/2027"
    assert row["AUWHENCREATED"] == "02/01/2027 18:30:00"
    item = company.rows("GLBUDGETITEM")[0]
    company.update("GLBUDGETITEM", int(item["RECORDNO"]), {"AMOUNT": "99.5"})
    assert company.rows("GLBUDGETITEM")[0]["AMOUNT"] == "99.5"
    modes = [
        (a["OBJECTTYPE"], a["ACCESSMODE"])
        for a in company.rows("AUDITHISTORY")
        if a["ACCESSTIME"].startswith("02/01/2027")
    ]
    assert modes == [("arinvoice", "D"), ("arinvoice", "C"), ("glbudgetitem", "M")]


def test_admin_api_reaches_new_objects_and_refuses_the_view(emulator):
    base = emulator.base_url
    post = lambda action, body: requests.post(f"{base}/admin/{action}", json=body, timeout=5)  # noqa: E731
    rec = post("insert", {"object": "CONTACT", "values": {"CONTACTNAME": "Zed, Ann"}}).json()
    assert rec["recordno"] > emulator.company.count("CONTACT") - 1
    assert post(
        "update", {"object": "contact", "recordno": rec["recordno"], "values": {"PHONE1": "1"}}
    ).ok
    invoice = emulator.company.rows("ARINVOICE")[0]["RECORDNO"]
    assert post("delete", {"object": "ARINVOICE", "recordno": invoice}).ok
    bad = post("delete", {"object": "GLDETAIL", "recordno": 2001})
    assert bad.status_code == 400 and "view" in bad.json()["error"]
