"""The objects of the synthetic company and their fields (PROTOCOL.md §6, §8).

Each object is one list of ``NAME:type`` tokens (see schema.py for the type codes).
"""

from __future__ import annotations

from .schema import ObjectDef, Relationship, parse_fields

STAMPS = "WHENCREATED:ts WHENMODIFIED:ts CREATEDBY:i MODIFIEDBY:i"
MEGA = "MEGAENTITYKEY:i MEGAENTITYID:t MEGAENTITYNAME:t"
STATUS = "STATUS:t(active|inactive)"
TREE = "PARENTKEY:i PARENTID:t PARENTNAME:t"
BILL_STATES = "Draft|Submitted|Partially Approved|Declined|Posted|Partially Paid|Paid|Selected"
GLB_STATES = "Draft|Submitted|Partially Approved|Approved|Posted|Declined|Reversal pending|Reversed"


def _std(
    name: str,
    label: str,
    spec: str,
    rels: tuple[Relationship, ...] = (),
    custom: tuple[str, ...] = (),
) -> ObjectDef:
    return ObjectDef(name, label, parse_fields(spec, custom), relationships=rels)


def _dims() -> list[ObjectDef]:
    return [
        _std(
            "DEPARTMENT",
            "Department",
            f"RECORDNO:i DEPARTMENTID:t TITLE:t {TREE} "
            f"SUPERVISORNAME:t {STATUS} CUSTTITLE:t {STAMPS} {MEGA}",
        ),
        _std(
            "LOCATION",
            "Location",
            f"RECORDNO:i LOCATIONID:t NAME:t {TREE} {STATUS} CURRENCY:t ENTITY:t {STAMPS} {MEGA}",
        ),
        _std(
            "CLASS",
            "Class",
            f"RECORDNO:i CLASSID:t NAME:t DESCRIPTION:t {STATUS} {TREE} {STAMPS} {MEGA}",
        ),
        _std(
            "PROJECT",
            "Project",
            f"RECORDNO:i PROJECTID:t NAME:t DESCRIPTION:t CURRENCY:t "
            f"PROJECTCATEGORY:e(Contract|Internal Billable|Internal Non-billable|Capitalized) "
            f"PROJECTSTATUS:t {TREE} {STATUS} CUSTOMERKEY:i CUSTOMERID:t CUSTOMERNAME:t "
            f"BUDGETAMOUNT:c BEGINDATE:date ENDDATE:date {STAMPS} {MEGA}",
        ),
        _std(
            "CUSTOMER",
            "Customer",
            f"RECORDNO:i CUSTOMERID:t NAME:t {TREE} TERMNAME:t TAXID:t "
            f"CREDITLIMIT:d TOTALDUE:d CUSTTYPE:t CURRENCY:t {STATUS} ONETIME:b ONHOLD:b "
            f"DISCOUNT:p {STAMPS} {MEGA}",
        ),
        _std(
            "EMPLOYEE",
            "Employee",
            f"RECORDNO:i EMPLOYEEID:t TITLE:t LOCATIONID:t "
            f"DEPARTMENTID:t {TREE} STARTDATE:date ENDDATE:date {STATUS} "
            f"EMPLOYEETYPE:t CONTACT.CONTACTNAME:t CONTACT.FIRSTNAME:t CONTACT.LASTNAME:t "
            f"CONTACT.EMAIL1:t CURRENCY:t {STAMPS} {MEGA}",
        ),
        _std(
            "ITEM",
            "Item",
            f"RECORDNO:i ITEMID:t NAME:t {STATUS} "
            f"ITEMTYPE:e(Inventory|Non-Inventory|Non-Inventory (Purchase only)|Kit) "
            f"PRODUCTLINEID:t GLGROUP:t EXTENDED_DESCRIPTION:t STANDARD_COST:c {TREE} "
            f"{STAMPS} {MEGA}",
        ),
    ]


def _money_objects() -> list[ObjectDef]:
    vendor = Relationship("VENDOR", "VENDOR", "VENDORID", "VENDORID")
    return [
        _std(
            "GLACCOUNT",
            "GL Account",
            f"RECORDNO:i ACCOUNTNO:t TITLE:t "
            f"ACCOUNTTYPE:e(balancesheet|incomestatement) NORMALBALANCE:e(debit|credit) "
            f"CLOSINGTYPE:e(non-closing account|closing account) CLOSINGACCOUNTNO:t "
            f"CATEGORY:t CATEGORYKEY:i ALTERNATIVEACCOUNT:t REQUIREDEPT:b REQUIRELOC:b "
            f"REQUIRECLASS:b TAXABLE:b {STATUS} {STAMPS} {MEGA}",
        ),
        _std(
            "VENDOR",
            "Vendor",
            f"RECORDNO:i VENDORID:t NAME:t {TREE} VENDTYPE:t TAXID:t "
            f"NAME1099:t {STATUS} ONETIME:b ONHOLD:b TOTALDUE:c CREDITLIMIT:c CURRENCY:t "
            f"APACCOUNT:t VENDORACCOUNTNO:t ACHENABLED:b DISPLAYCONTACT.CONTACTNAME:t "
            f"DISPLAYCONTACT.EMAIL1:t PAYTOCONTACT.CONTACTNAME:t {STAMPS} {MEGA}",
            (Relationship("PARENT", "VENDOR", "PARENTKEY"),),
        ),
        _std(
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
            f"DUE_IN_DAYS:i SUPDOCID:t {MEGA} VOUCHER_NUMBER:t APPROVAL_CODE:t",
            (vendor,),
            custom=("APPROVAL_CODE",),
        ),
        _std(
            "APBILLITEM",
            "AP Bill Detail",
            f"RECORDNO:i RECORDKEY:i LINE_NO:i ACCOUNTKEY:i "
            f"ACCOUNTNO:t ACCOUNTTITLE:t OFFSETGLACCOUNTNO:t ENTRY_DATE:date AMOUNT:d "
            f"TRX_AMOUNT:d TOTALPAID:d TOTALSELECTED:d ENTRYDESCRIPTION:t DEPARTMENTKEY:i "
            f"DEPARTMENTID:t DEPARTMENTNAME:t LOCATIONKEY:i LOCATIONID:t LOCATIONNAME:t "
            f"CLASSDIMKEY:i CLASSID:t CLASSNAME:t PROJECTDIMKEY:i PROJECTID:t PROJECTNAME:t "
            f"VENDORDIMKEY:i VENDORID:t EMPLOYEEID:t ITEMID:t BILLABLE:b BILLED:b STATE:t "
            f"RECORDTYPE:t CURRENCY:t BASECURR:t EXCHANGE_RATE:d {STAMPS} {MEGA}",
            (
                Relationship("APBILL", "APBILL", "RECORDKEY"),
                Relationship("GLACCOUNT", "GLACCOUNT", "ACCOUNTKEY"),
            ),
        ),
        _std(
            "APPYMT",
            "AP Payment",
            f"RECORDNO:i PRBATCHKEY:i RECORDTYPE:t RECORDID:t "
            f"FINANCIALENTITY:t FINANCIALENTITYTYPE:t STATE:t(Draft|Submitted|Approved|Posted|"
            f"Voided) PAYMENTMETHOD:t VENDORID:t VENDORNAME:t DOCNUMBER:t DESCRIPTION:t "
            f"WHENCREATED:date WHENPAID:date WHENPOSTED:date BASECURR:t CURRENCY:t "
            f"EXCHANGE_RATE:d TOTALENTERED:c TOTALPAID:c TRX_TOTALENTERED:c TRX_TOTALPAID:c "
            f"CLEARED:t CLRDATE:date AUWHENCREATED:ts WHENMODIFIED:ts CREATEDBY:i "
            f"MODIFIEDBY:i {MEGA}",
            (vendor,),
        ),
        _std(
            "APPYMTDETAIL",
            "AP Payment Detail",
            f"RECORDNO:i PAYMENTKEY:i RECORDKEY:i "
            f"ENTRYKEY:i POSADJKEY:i POSADJENTRYKEY:i INLINEKEY:i INLINEENTRYKEY:i "
            f"ADJUSTMENTKEY:i ADVANCEKEY:i DISCOUNTKEY:i PAYMENTDATE:date PAYMENTAMOUNT:d "
            f"TRX_PAYMENTAMOUNT:d DISCOUNTAMOUNT:d INLINEAMOUNT:d ADJUSTMENTAMOUNT:d "
            f"CURRENCY:t STATE:t MODULEKEY:t {STAMPS} {MEGA}",
            (
                Relationship("APPYMT", "APPYMT", "PAYMENTKEY"),
                Relationship("APBILL", "APBILL", "RECORDKEY"),
            ),
        ),
        _std(
            "GLBATCH",
            "Journal Entry",
            f"RECORDNO:i BATCHNO:i BATCH_TITLE:t BATCH_DATE:date "
            f"JOURNAL:t JOURNALKEY:i STATE:t({GLB_STATES}) MODULE:t REFERENCENO:t "
            f"REVERSED:date REVERSEDKEY:i REVERSEDFROM:date PRBATCHKEY:i ADJ:tf MODIFIED:ts "
            f"MODIFIEDBYID:t USERINFO.LOGINID:t BASELOCATION:i BASELOCATION_NO:t "
            f"{STAMPS} {MEGA}",
        ),
        _std(
            "GLENTRY",
            "Journal Entry Line",
            f"RECORDNO:i BATCHNO:i BATCH_NUMBER:i LINE_NO:i "
            f"TR_TYPE:i ENTRY_DATE:date AMOUNT:d TRX_AMOUNT:d ACCOUNTKEY:i ACCOUNTNO:t "
            f"ACCOUNTTITLE:t DEPARTMENT:t DEPARTMENTKEY:i DEPARTMENTTITLE:t LOCATION:t "
            f"LOCATIONKEY:i LOCATIONNAME:t CLASSID:t CLASSDIMKEY:i CUSTOMERID:t "
            f"CUSTOMERDIMKEY:i VENDORID:t VENDORDIMKEY:i EMPLOYEEID:t ITEMID:t PROJECTID:t "
            f"PROJECTDIMKEY:i DOCUMENT:t DESCRIPTION:t STATISTICAL:tf STATE:t CURRENCY:t "
            f"BASECURR:t EXCHANGE_RATE:d {STAMPS} {MEGA} GLDIMFUND:t",
            (
                Relationship("GLBATCH", "GLBATCH", "BATCHNO"),
                Relationship("GLACCOUNT", "GLACCOUNT", "ACCOUNTKEY"),
            ),
            custom=("GLDIMFUND",),
        ),
    ]


def _system_objects() -> list[ObjectDef]:
    audit = ObjectDef(
        "AUDITHISTORY",
        "Audit History",
        parse_fields(
            "ID:i OBJECTTYPE:t OBJECTKEY:t OBJECTDESC:t USERID:t ACCESSTIME:ts "
            "ACCESSMODE:t(A|M|C|D|W|T|U) SOURCE:t(api|csv|system|ui) WORKFLOWACTION:t IPADDRESS:t"
        ),
        key="ID",
    )
    entity = _std(
        "LOCATIONENTITY",
        "Entity",
        "RECORDNO:i LOCATIONID:t NAME:t CURRENCY:t "
        "STATUS:t(active|inactive) WHENCREATED:ts WHENMODIFIED:ts",
    )
    return [audit, entity]


UDD_NAMES = {"FUND": "Fund", "GRANT_PROGRAM": "Grant Program"}


def udd_def(name: str, label: str) -> ObjectDef:
    """A user-defined dimension: a platform object keyed by ``id`` (PROTOCOL.md §6.3)."""
    fields = parse_fields(
        "id:i name:t PARENTID:t createdAt:ts updatedAt:ts createdBy:i updatedBy:i RECORD_URL:t"
    )
    return ObjectDef(name, label, fields, key="id", udd=True)


def build_objects() -> dict[str, ObjectDef]:
    objs = _dims() + _money_objects() + _system_objects()
    objs += [udd_def(n, label) for n, label in UDD_NAMES.items()]
    defs = {o.name: o for o in objs}
    # readByQuery takes stored codes for some enumerations (PROTOCOL.md §5.1, §8).
    defs["APBILL"].field("STATE").codes.update(
        {"D": "Draft", "S": "Submitted", "PA": "Partially Approved", "A": "Posted"}
    )
    defs["GLBATCH"].field("STATE").codes.update(
        {"I": "Draft", "S": "Submitted", "A": "Approved", "P": "Posted", "R": "Reversed"}
    )
    for obj in defs.values():
        status = obj.field("STATUS")
        if status is not None:
            status.codes.update({"T": "active", "F": "inactive"})
    return defs


STANDARD_DIMENSIONS = (
    "DEPARTMENT",
    "LOCATION",
    "PROJECT",
    "CUSTOMER",
    "VENDOR",
    "EMPLOYEE",
    "ITEM",
    "CLASS",
)
