"""EEXPENSES: employee expense reports, the emulator's uncatalogued object.

The sync's curated catalog does not list EEXPENSES on purpose: it is here so a client can be
tested on an object it knows nothing about and must infer from ``lookup`` (key RECORDNO,
cursor WHENMODIFIED, money fields, audited creates and deletes). Field names follow the
developer.intacct.com expense-reports page and the shape every subledger header shares
(APBILL/ARINVOICE: RECORDTYPE ``ei``, MODULEKEY ``6.EE``); the list is UNCONFIRMED in detail.
"""

from __future__ import annotations

from .catalog_base import MEGA, URL, std
from .schema import ObjectDef, Relationship

EXPENSE_STATES = (
    "Draft|Submitted|Partially Approved|Approved|Declined|Posted|Partially Paid|Paid|Reversed"
)


def expense_reports() -> ObjectDef:
    return std(
        "EEXPENSES",
        "Employee Expense",
        f"RECORDNO:i RECORDTYPE:t RECORDID:t STATE:t({EXPENSE_STATES}) RAWSTATE:t "
        f"EMPLOYEEID:t EMPLOYEENAME:t EMPLOYEEKEY:i CONTACTKEY:i DOCNUMBER:t DESCRIPTION:t "
        f"MEMO:t WHENCREATED:date WHENPOSTED:date WHENPAID:date BASECURR:t CURRENCY:t "
        f"EXCH_RATE_DATE:date EXCH_RATE_TYPE_ID:t EXCHANGE_RATE:d TOTALENTERED:d "
        f"TOTALSELECTED:d TOTALPAID:d TOTALDUE:d TRX_TOTALENTERED:d TRX_TOTALSELECTED:d "
        f"TRX_TOTALPAID:d TRX_TOTALDUE:d REIMBURSEMENTCURRENCY:t PRBATCH:t PRBATCHKEY:i "
        f"MODULEKEY:t AUWHENCREATED:ts WHENMODIFIED:ts CREATEDBY:i MODIFIEDBY:i SUPDOCID:t "
        f"INCLUSIVETAX:b {MEGA} {URL}",
        (Relationship("EMPLOYEE", "EMPLOYEE", "EMPLOYEEID", "EMPLOYEEID"),),
    )
