"""Accounts Payable objects: bills, payments, adjustments and their lines, payment terms.

Existing fields keep their place; the rest of each real field set follows (conduit
``apbill.ex``, ``apbillitem.ex``, ``appymt.ex``, ``appymtdetail.ex``, ``apadjustment.ex``,
``apadjustmentitem.ex``, ``apterm.ex``; docs/protocol.md §8; §17 for PAYTOCONTACTNAME,
RETURNTOCONTACTNAME and GLACCOUNTNO, which ``lookup`` lists on APBILL and APBILLITEM).
"""

from __future__ import annotations

from .catalog_base import LINE_DIMS, MEGA, STAMPS, STATUS, URL, std
from .schema import ObjectDef, Relationship

BILL_STATES = "Draft|Submitted|Partially Approved|Declined|Posted|Partially Paid|Paid|Selected"
ADJ_STATES = "Draft|Submitted|Posted|Partially Paid|Paid|Selected"
VENDOR = Relationship("VENDOR", "VENDOR", "VENDORID", "VENDORID")
ACCOUNT = Relationship("GLACCOUNT", "GLACCOUNT", "ACCOUNTKEY")
DOC_1099 = "FORM1099TYPE:t FORM1099BOX:t VENDTYPE1099TYPE:t"
CONTACT_REFS = (
    "BILLTOPAYTOCONTACTNAME:t SHIPTORETURNTOCONTACTNAME:t BILLTOPAYTOKEY:i SHIPTORETURNTOKEY:i"
)
LINE_EXTRA = (
    "OFFSETGLACCOUNTTITLE:t ACCOUNTLABELKEY:i ACCOUNTLABEL:t EXCH_RATE_DATE:date "
    "EXCH_RATE_TYPE_ID:t ALLOCATIONKEY:i ALLOCATION:t LINEITEM:t TRX_TOTALPAID:d "
    "TRX_TOTALSELECTED:d PARENTENTRY:i BASELOCATION:i PAYMENTTAXCAPTURE:b"
)


def term(name: str, label: str) -> ObjectDef:
    """APTERM / ARTERM: a payment term (due and discount rules), named by NAME."""
    return std(
        name,
        label,
        f"RECORDNO:i NAME:t DESCRIPTION:t {STATUS} WHENMODIFIED:ts WHENCREATED:ts "
        f"MODIFIEDBY:i CREATEDBY:i DUEDATE:i DUEFROM:t DISCDATE:i DISCFROM:t DISCAMOUNT:d "
        f"DISCPERCAMN:t DISCFUDGEDAYS:i PEN_TYPES:t PENAMOUNT:d PENPERCAMN:t "
        f"PENFUDGEDAYS:i DISCCALCON:t {URL}",
    )


def bills() -> list[ObjectDef]:
    return [
        std(
            "APBILL",
            "AP Bill",
            f"RECORDNO:i RECORDTYPE:t RECORDID:t FINANCIALENTITY:t "
            f"STATE:t({BILL_STATES}) RAWSTATE:t VENDORID:t VENDORNAME:t DOCNUMBER:t "
            f"DESCRIPTION:t TERMNAME:t TERMKEY:i WHENCREATED:date WHENPOSTED:date "
            f"WHENDISCOUNT:date WHENDUE:date WHENPAID:date ONHOLD:b BASECURR:t CURRENCY:t "
            f"EXCH_RATE_DATE:date EXCH_RATE_TYPE_ID:t EXCHANGE_RATE:d TOTALENTERED:d "
            f"TOTALSELECTED:d TOTALPAID:d TOTALDUE:d TRX_TOTALENTERED:c TRX_TOTALSELECTED:c "
            f"TRX_TOTALPAID:c TRX_TOTALDUE:c PRBATCH:t PRBATCHKEY:i MODULEKEY:t "
            f"SYSTEMGENERATED:tf AUWHENCREATED:ts WHENMODIFIED:ts CREATEDBY:i MODIFIEDBY:i "
            f"DUE_IN_DAYS:i SUPDOCID:t {MEGA} CONTACTTAXGROUP:t ENTITY:t {DOC_1099} "
            f"TRX_ENTITYDUE:c DESCRIPTION2:t TERMVALUE:t RECPAYMENTDATE:date "
            f"PAYMENTPRIORITY:t(Urgent|High|Normal|Low) {CONTACT_REFS} PAYTOCONTACTNAME:t "
            f"RETURNTOCONTACTNAME:t SCHOPKEY:i PAYTO.TAXGROUP.RECORDNO:i INCLUSIVETAX:b "
            f"TAXSOLUTIONID:t RETAINAGEPERCENTAGE:p TRX_TOTALRETAINED:c TRX_TOTALRELEASED:c "
            f"TOTALRETAINED:c BILLBACKTEMPLATE:t USERID:t CREATEDUSERID:t DOCSOURCE:t "
            f"SOURCEMODULE:t RETAINAGERELEASED:b {URL} VOUCHER_NUMBER:t APPROVAL_CODE:t",
            (VENDOR, Relationship("TERM", "APTERM", "TERMKEY")),
            custom=("APPROVAL_CODE",),
        ),
        std(
            "APBILLITEM",
            "AP Bill Detail",
            f"RECORDNO:i RECORDKEY:i LINE_NO:i ACCOUNTKEY:i "
            f"ACCOUNTNO:t ACCOUNTTITLE:t OFFSETGLACCOUNTNO:t ENTRY_DATE:date AMOUNT:d "
            f"TRX_AMOUNT:d TOTALPAID:d TOTALSELECTED:d ENTRYDESCRIPTION:t DEPARTMENTKEY:i "
            f"DEPARTMENTID:t DEPARTMENTNAME:t LOCATIONKEY:i LOCATIONID:t LOCATIONNAME:t "
            f"CLASSDIMKEY:i CLASSID:t CLASSNAME:t PROJECTDIMKEY:i PROJECTID:t PROJECTNAME:t "
            f"VENDORDIMKEY:i VENDORID:t EMPLOYEEID:t ITEMID:t BILLABLE:b BILLED:b STATE:t "
            f"RECORDTYPE:t CURRENCY:t BASECURR:t EXCHANGE_RATE:d {STAMPS} {MEGA} "
            f"GLACCOUNTNO:t GLACCOUNTTITLE:t {LINE_EXTRA} PRENTRYOFFSETACCOUNTNO:t "
            f"FORM1099:t FORM1099TYPE:t FORM1099BOX:t RELEASETOPAY:b RETAINAGEPERCENTAGE:p "
            f"TRX_AMOUNTRETAINED:d AMOUNTRETAINED:d TRX_AMOUNTRELEASED:d SUBTOTAL:t "
            f"PARTIALEXEMPT:b {LINE_DIMS} {URL}",
            (Relationship("APBILL", "APBILL", "RECORDKEY"), ACCOUNT),
        ),
    ]


def payments() -> list[ObjectDef]:
    return [
        std(
            "APPYMT",
            "AP Payment",
            f"RECORDNO:i PRBATCHKEY:i RECORDTYPE:t RECORDID:t "
            f"FINANCIALENTITY:t FINANCIALENTITYTYPE:t STATE:t(Draft|Submitted|Approved|Posted|"
            f"Voided) PAYMENTMETHOD:t VENDORID:t VENDORNAME:t DOCNUMBER:t DESCRIPTION:t "
            f"WHENCREATED:date WHENPAID:date WHENPOSTED:date BASECURR:t CURRENCY:t "
            f"EXCHANGE_RATE:d TOTALENTERED:c TOTALPAID:c TRX_TOTALENTERED:c TRX_TOTALPAID:c "
            f"CLEARED:t CLRDATE:date AUWHENCREATED:ts WHENMODIFIED:ts CREATEDBY:i "
            f"MODIFIEDBY:i {MEGA} FINANCIALACCOUNTNAME:t FINANCIALACCOUNTCURRENCY:t "
            f"RAWSTATE:t PAYMENTPROVIDER:t PAYMENTMETHODKEY:i ENTITY:t DESCRIPTION2:t "
            f"WHENDUE:date EXCH_RATE_DATE:date EXCH_RATE_TYPE_ID:t TOTALSELECTED:c TOTALDUE:c "
            f"TRX_TOTALSELECTED:c TRX_TOTALDUE:c BILLTOPAYTOCONTACTNAME:t BILLTOPAYTOKEY:i "
            f"PRBATCH:t INCLUSIVETAX:b TAXSOLUTIONID:t {URL}",
            (VENDOR,),
        ),
        std(
            "APPYMTDETAIL",
            "AP Payment Detail",
            f"RECORDNO:i PAYMENTKEY:i RECORDKEY:i "
            f"ENTRYKEY:i POSADJKEY:i POSADJENTRYKEY:i INLINEKEY:i INLINEENTRYKEY:i "
            f"ADJUSTMENTKEY:i ADVANCEKEY:i DISCOUNTKEY:i PAYMENTDATE:date PAYMENTAMOUNT:d "
            f"TRX_PAYMENTAMOUNT:d DISCOUNTAMOUNT:d INLINEAMOUNT:d ADJUSTMENTAMOUNT:d "
            f"CURRENCY:t STATE:t MODULEKEY:t {STAMPS} {MEGA} PAYMENTENTRYKEY:i "
            f"DISCOUNTENTRYKEY:i DISCOUNTDATE:date TRX_DISCOUNTAMOUNT:d TRX_INLINEAMOUNT:d "
            f"ADJUSTMENTENTRYKEY:i TRX_ADJUSTMENTAMOUNT:d ADVANCEENTRYKEY:i "
            f"POSTEDADVANCEKEY:i POSTEDADVANCEENTRYKEY:i POSTEDADVANCEAMOUNT:d "
            f"TRX_POSTEDADVANCEAMOUNT:d {URL}",
            (
                Relationship("APPYMT", "APPYMT", "PAYMENTKEY"),
                Relationship("APBILL", "APBILL", "RECORDKEY"),
            ),
        ),
    ]


def adjustments() -> list[ObjectDef]:
    return [
        std(
            "APADJUSTMENT",
            "AP Adjustment",
            f"RECORDNO:i RECORDTYPE:t RECORDID:t CONTACTTAXGROUP:t STATE:t({ADJ_STATES}) "
            f"RAWSTATE:t ENTITY:t VENDORID:t VENDORNAME:t {DOC_1099} TRX_ENTITYDUE:c "
            f"DOCNUMBER:t DESCRIPTION:t WHENCREATED:date WHENPOSTED:date WHENPAID:date "
            f"BASECURR:t CURRENCY:t EXCH_RATE_DATE:date EXCH_RATE_TYPE_ID:t EXCHANGE_RATE:d "
            f"TOTALENTERED:d TOTALSELECTED:d TOTALPAID:d TOTALDUE:d TRX_TOTALENTERED:c "
            f"TRX_TOTALSELECTED:c TRX_TOTALPAID:c TRX_TOTALDUE:c {CONTACT_REFS} PRBATCH:t "
            f"PRBATCHKEY:i PRBATCH_OPEN:t PRBATCH_NOGL:b MODULEKEY:t AUWHENCREATED:ts "
            f"WHENMODIFIED:ts CREATEDBY:i MODIFIEDBY:i INCLUSIVETAX:b SUPDOCID:t "
            f"PAYTO.TAXGROUP.RECORDNO:i {MEGA} {URL}",
            (VENDOR,),
        ),
        std(
            "APADJUSTMENTITEM",
            "AP Adjustment Detail",
            f"RECORDNO:i RECORDKEY:i LINE_NO:i ACCOUNTKEY:i ACCOUNTNO:t OFFSETGLACCOUNTNO:t "
            f"ACCOUNTTITLE:t ENTRY_DATE:date AMOUNT:d TRX_AMOUNT:d DEPARTMENTKEY:i "
            f"DEPARTMENTID:t DEPARTMENTNAME:t LOCATIONKEY:i LOCATIONID:t LOCATIONNAME:t "
            f"ENTRYDESCRIPTION:t EXCHANGE_RATE:d CURRENCY:t BASECURR:t TOTALPAID:d "
            f"TOTALSELECTED:d STATE:t RECORDTYPE:t {LINE_EXTRA} FORM1099:t FORM1099TYPE:t "
            f"FORM1099BOX:t PROJECTDIMKEY:i PROJECTID:t PROJECTNAME:t {LINE_DIMS} {STAMPS} "
            f"{MEGA} {URL}",
            (Relationship("APADJUSTMENT", "APADJUSTMENT", "RECORDKEY"), ACCOUNT),
        ),
    ]


def ap_objects() -> list[ObjectDef]:
    return [
        *bills(),
        *payments(),
        *adjustments(),
        term("APTERM", "AP Term"),
    ]
