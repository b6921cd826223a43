"""Field values of AP bills and bill lines that come from master data, not from chance.

Kept apart from generate_txn so its random draws read as one story: nothing here touches the
RNG, so adding a field here never changes a generated value elsewhere.
"""

from __future__ import annotations

from .generate_master import Master

LINE_CONSTANTS = {
    "OFFSETGLACCOUNTNO": "2000",
    "TOTALPAID": "0",
    "TOTALSELECTED": "0",
    "BILLED": 0,
    "STATE": "Posted",
    "RECORDTYPE": "pi",
    "BASECURR": "USD",
    "OFFSETGLACCOUNTTITLE": "Accounts Payable",
    "LINEITEM": "T",
    "TRX_TOTALPAID": "0",
    "TRX_TOTALSELECTED": "0",
    "RELEASETOPAY": 0,
    "PAYMENTTAXCAPTURE": 0,
    "PARTIALEXEMPT": 0,
}


def summary_key(base: int, day: str) -> int:
    """A monthly summary's PRBATCHKEY: ``base`` plus the month counted from January 2026
    (so October 2025 and October 2026 are different summaries)."""
    return base + (int(day[:4]) - 2026) * 12 + int(day[5:7])


def bill_extras(vendor: dict, ent: dict) -> dict:
    """Bill fields copied from its vendor (contact names and keys, 1099 form)."""
    return {
        "ENTITY": ent.get("MEGAENTITYID"),
        "FORM1099TYPE": vendor.get("FORM1099TYPE"),
        "FORM1099BOX": vendor.get("FORM1099BOX"),
        "PAYMENTPRIORITY": "Normal",
        "PAYTOCONTACTNAME": vendor.get("PAYTOCONTACT.CONTACTNAME"),
        "RETURNTOCONTACTNAME": vendor.get("RETURNTOCONTACT.CONTACTNAME"),
        "BILLTOPAYTOCONTACTNAME": vendor.get("PAYTOCONTACT.CONTACTNAME"),
        "SHIPTORETURNTOCONTACTNAME": vendor.get("RETURNTOCONTACT.CONTACTNAME"),
        "BILLTOPAYTOKEY": vendor.get("PAYTOKEY"),
        "SHIPTORETURNTOKEY": vendor.get("RETURNTOKEY"),
        "INCLUSIVETAX": 0,
        "RETAINAGERELEASED": 0,
        "USERID": "jdoe",
        "CREATEDUSERID": "jdoe",
    }


def _frag(m: Master, obj: str, cols: dict[str, str]) -> list[dict]:
    return [{k: row.get(v) for k, v in cols.items()} for row in m.of(obj)]


def line_fragments(m: Master, expense: list[dict]) -> dict[str, list[dict]]:
    """Per-dimension column groups of a bill line, one dict per master record."""
    return {
        "acct": [
            {
                "ACCOUNTKEY": a["RECORDNO"],
                "ACCOUNTNO": a["ACCOUNTNO"],
                "ACCOUNTTITLE": a["TITLE"],
                "GLACCOUNTNO": a["ACCOUNTNO"],
                "GLACCOUNTTITLE": a["TITLE"],
                "_title": a["TITLE"],
            }
            for a in expense
        ],
        "dept": _frag(
            m,
            "DEPARTMENT",
            {
                "DEPARTMENTKEY": "RECORDNO",
                "DEPARTMENTID": "DEPARTMENTID",
                "DEPARTMENTNAME": "TITLE",
            },
        ),
        "loc": _frag(
            m,
            "LOCATION",
            {"LOCATIONKEY": "RECORDNO", "LOCATIONID": "LOCATIONID", "LOCATIONNAME": "NAME"},
        ),
        "class": _frag(
            m, "CLASS", {"CLASSDIMKEY": "RECORDNO", "CLASSID": "CLASSID", "CLASSNAME": "NAME"}
        ),
        "project": _frag(
            m,
            "PROJECT",
            {"PROJECTDIMKEY": "RECORDNO", "PROJECTID": "PROJECTID", "PROJECTNAME": "NAME"},
        ),
    }
