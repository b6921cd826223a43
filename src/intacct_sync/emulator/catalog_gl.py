"""General Ledger objects: accounts, journal entries, account groups, periods, budgets.

Sources: conduit ``glaccount.ex``, ``glbatch.ex``, ``glentry.ex``, ``glacctgrp.ex``,
``glacctgrpmember.ex``, ``glbudgetheader.ex``, ``glbudgetitem.ex``; developer.intacct.com
account-groups, reporting-periods and budgets pages; docs/protocol.md §8, §9.

Account groups (GLACCTGRP) hold either other groups or accounts, by MEMBERTYPE: a ``Groups``
group lists its child groups in GLACCTGRPMEMBER (PARENTKEY -> GLACCTGRP.RECORDNO, CHILDNAME ->
GLACCTGRP.NAME); an ``Accounts`` group lists account number ranges in GLACCTRANGE (PARENTKEY ->
GLACCTGRP.RECORDNO, RANGEFROM..RANGETO compared as text against GLACCOUNT.ACCOUNTNO).
"""

from __future__ import annotations

from .catalog_base import LINE_DIMS, MEGA, STAMPS, STATUS, URL, std
from .schema import ObjectDef, Relationship

GLB_STATES = "Draft|Submitted|Partially Approved|Approved|Posted|Declined|Reversal pending|Reversed"
FILTERS = (
    "FILTERDEPT FILTERLOC FILTERVENDOR FILTERCUSTOMER FILTERPROJECT FILTEREMPLOYEE FILTERITEM "
    "FILTERCLASS FILTERCONTRACT FILTERTASK FILTERWAREHOUSE FILTERCOSTTYPE FILTERASSET "
    "FILTERAFFILIATEENTITY"
)
# GLENTRY's source document (record type and key); Intacct keeps this link in a separate
# table (GLRESOLVE), the emulator in storage-only columns that only GLDETAIL reads.
GLENTRY_LINK = ("PRRECORDTYPE", "PRRECORDKEY")


def ledger() -> list[ObjectDef]:
    return [
        std(
            "GLACCOUNT",
            "GL Account",
            f"RECORDNO:i ACCOUNTNO:t TITLE:t "
            f"ACCOUNTTYPE:e(balancesheet|incomestatement) NORMALBALANCE:e(debit|credit) "
            f"CLOSINGTYPE:e(non-closing account|closing account) CLOSINGACCOUNTNO:t "
            f"CATEGORY:t CATEGORYKEY:i ALTERNATIVEACCOUNT:t REQUIREDEPT:b REQUIRELOC:b "
            f"REQUIRECLASS:b TAXABLE:b {STATUS} {STAMPS} {MEGA} CLOSINGACCOUNTTITLE:t "
            f"TAXCODE:t MRCCODE:t CLOSETOACCTKEY:i SUBLEDGERCONTROLON:b ENABLE_GLMATCHING:b "
            f"REQUIRECUSTOMER:b REQUIREVENDOR:b REQUIREEMPLOYEE:b REQUIREITEM:b "
            f"REQUIREPROJECT:b REQUIREWAREHOUSE:b {URL}",
        ),
        std(
            "GLBATCH",
            "Journal Entry",
            f"RECORDNO:i BATCHNO:i BATCH_TITLE:t BATCH_DATE:date "
            f"JOURNAL:t JOURNALKEY:i STATE:t({GLB_STATES}) MODULE:t REFERENCENO:t "
            f"REVERSED:date REVERSEDKEY:i REVERSEDFROM:date PRBATCHKEY:i ADJ:tf MODIFIED:ts "
            f"MODIFIEDBYID:t USERINFO.LOGINID:t BASELOCATION:i BASELOCATION_NO:t "
            f"{STAMPS} {MEGA} BALANCE:d USERKEY:i TEMPLATEKEY:i SCHOPKEY:i "
            f"GLACCTALLOCATIONRUNKEY:i JOURNALSEQNO:t TAXIMPLICATIONS:t SUPDOCID:t "
            f"SUPDOCKEY:i {URL}",
        ),
        std(
            "GLENTRY",
            "Journal Entry Line",
            f"RECORDNO:i BATCHNO:i BATCH_NUMBER:i LINE_NO:i "
            f"TR_TYPE:i ENTRY_DATE:date AMOUNT:d TRX_AMOUNT:d ACCOUNTKEY:i ACCOUNTNO:t "
            f"ACCOUNTTITLE:t DEPARTMENT:t DEPARTMENTKEY:i DEPARTMENTTITLE:t LOCATION:t "
            f"LOCATIONKEY:i LOCATIONNAME:t CLASSID:t CLASSDIMKEY:i CUSTOMERID:t "
            f"CUSTOMERDIMKEY:i VENDORID:t VENDORDIMKEY:i EMPLOYEEID:t ITEMID:t PROJECTID:t "
            f"PROJECTDIMKEY:i DOCUMENT:t DESCRIPTION:t STATISTICAL:tf STATE:t CURRENCY:t "
            f"BASECURR:t EXCHANGE_RATE:d {STAMPS} {MEGA} PROJECTNAME:t {LINE_DIMS} USERNO:i "
            f"UNITS:i CLEARED:t CLRDATE:date TIMEPERIOD:i ADJ:tf EXCH_RATE_DATE:date "
            f"EXCH_RATE_TYPE_ID:t RECON_DATE:date ALLOCATION:t ALLOCATIONKEY:i BILLABLE:b "
            f"BILLED:b ADDITIONAL_INFO:t {URL} GLDIMFUND:t",
            (
                Relationship("GLBATCH", "GLBATCH", "BATCHNO"),
                Relationship("GLACCOUNT", "GLACCOUNT", "ACCOUNTKEY"),
            ),
            custom=("GLDIMFUND",),
            internal=GLENTRY_LINK,
        ),
    ]


def account_groups() -> list[ObjectDef]:
    parent = Relationship("PARENT", "GLACCTGRP", "PARENTKEY")
    filters = " ".join(f"{f}:t" for f in FILTERS.split())
    return [
        std(
            "GLACCTGRP",
            "Account Group",
            f"RECORDNO:i NAME:t NORMAL_BALANCE:t(debit|credit) ASOF:t(P|B|E) "
            f"INCLUDECHILDAMT:b TITLE:t TOTALTITLE:t DBCR:t(Both|Debit Only|Credit Only) "
            f"MEMBERTYPE:t(Accounts|Groups|Statistical Accounts|Computation|Category|"
            f"Statistical Category) DEPTNO:t LOCNO:t ISKPI:b {filters} {STAMPS} "
            f"ACCTGROUPMANAGER:t GLACCTGRPPURPOSEID:t {MEGA} CUSTOMERDIMKEY:i CUSTOMERID:t "
            f"VENDORDIMKEY:i VENDORID:t EMPLOYEEDIMKEY:i EMPLOYEEID:t ITEMDIMKEY:i ITEMID:t "
            f"CLASSDIMKEY:i CLASSID:t {URL}",
        ),
        std(
            "GLACCTGRPMEMBER",
            "Account Group Member",
            f"RECORDNO:i PARENTKEY:i CHILDNAME:t SORTORD:i {STAMPS} {URL}",
            (parent,),
        ),
        std(
            "GLACCTRANGE",
            "Account Range",
            f"RECORDNO:i PARENTKEY:i RANGEFROM:t RANGETO:t SORTORD:i {STAMPS} {URL}",
            (parent,),
        ),
    ]


def periods_and_budgets() -> list[ObjectDef]:
    return [
        std(
            "REPORTINGPERIOD",
            "Reporting Period",
            f"RECORDNO:i NAME:t HEADER1:t HEADER2:t START_DATE:date END_DATE:date "
            f"BUDGETING:b {STATUS} {STAMPS} {MEGA} {URL}",
        ),
        std(
            "GLBUDGETHEADER",
            "Budget",
            f"RECORDNO:i BUDGETID:t DESCRIPTION:t SYSTEMGENERATED:tf DEFAULT_BUDGET:b "
            f"USER:t {STATUS} {STAMPS} ISCONSOLIDATED:b CURRENCY:t ISPABUDGET:b "
            f"ISPCNBUDGET:b {MEGA} {URL}",
        ),
        # No WHENMODIFIED (nor WHENCREATED): budget items have no cursor, a client reads them
        # in full (docs/protocol.md §9).
        std(
            "GLBUDGETITEM",
            "Budget Detail",
            f"RECORDNO:i BUDGETKEY:i BUDGETID:t CURRENCY:t SYSTEMGENERATED:tf PERIODKEY:i "
            f"ACCOUNTKEY:i DEPTKEY:i LOCATIONKEY:i AMOUNT:d BASEDON:t GROWBY:d PERPERIOD:t "
            f"NOTE:t ACCT_NO:t ACCOUNT_TYPE:t ACCTTITLE:t NORMALBALANCE:i STATISTICAL:tf "
            f"DEPT_NO:t DEPTITLE:t LOCATION_NO:t LOCATIONTITLE:t PERIODNAME:t "
            f"REPORTINGPERIODNAME:t PSTARTDATE:date PENDDATE:date {MEGA} {LINE_DIMS} {URL}",
            (
                Relationship("BUDGET", "GLBUDGETHEADER", "BUDGETKEY"),
                Relationship("PERIOD", "REPORTINGPERIOD", "PERIODKEY"),
                Relationship("GLACCOUNT", "GLACCOUNT", "ACCOUNTKEY"),
            ),
        ),
    ]


def gl_objects() -> list[ObjectDef]:
    return [*ledger(), *account_groups(), *periods_and_budgets()]
