"""Master data objects: dimensions, vendors, customers, employees, contacts, bank accounts.

Each object keeps the fields it had first, in the same order, and appends the rest of its real
field set (conduit ``customer.ex``; docs/protocol.md §8 rows; developer.intacct.com object pages for
CONTACT, CHECKINGACCOUNT and LOCATIONENTITY). Contact blocks repeat the CONTACT record the
``*KEY`` field points at (VENDOR.DISPLAYCONTACTKEY -> CONTACT.RECORDNO).
"""

from __future__ import annotations

from .catalog_base import CONTACT_FIELDS, CONTACT_TAX, MEGA, STAMPS, STATUS, TREE, URL, contact, std
from .schema import ObjectDef, Relationship

TERM = "TERMNAME:t TERMKEY:i TERMVALUE:t"
ADDRESS = " ".join(t for t in CONTACT_FIELDS.split() if t.startswith("MAILADDRESS."))


def _rel(path: str, obj: str, by: str, target: str = "RECORDNO") -> Relationship:
    return Relationship(path, obj, by, target)


def dimensions() -> list[ObjectDef]:
    return [
        std(
            "DEPARTMENT",
            "Department",
            f"RECORDNO:i DEPARTMENTID:t TITLE:t {TREE} "
            f"SUPERVISORNAME:t {STATUS} CUSTTITLE:t {STAMPS} {MEGA} "
            f"SUPERVISORKEY:i SUPERVISORID:t {URL}",
        ),
        std(
            "LOCATION",
            "Location",
            f"RECORDNO:i LOCATIONID:t NAME:t {TREE} {STATUS} CURRENCY:t ENTITY:t {STAMPS} {MEGA} "
            f"SUPERVISORNAME:t CONTACTINFO.CONTACTNAME:t STARTDATE:date ENDDATE:date {URL}",
        ),
        std(
            "CLASS",
            "Class",
            f"RECORDNO:i CLASSID:t NAME:t DESCRIPTION:t {STATUS} {TREE} {STAMPS} {MEGA} {URL}",
        ),
        std(
            "PROJECT",
            "Project",
            f"RECORDNO:i PROJECTID:t NAME:t DESCRIPTION:t CURRENCY:t "
            f"PROJECTCATEGORY:e(Contract|Internal Billable|Internal Non-billable|Capitalized) "
            f"PROJECTSTATUS:t {TREE} {STATUS} CUSTOMERKEY:i CUSTOMERID:t CUSTOMERNAME:t "
            f"BUDGETAMOUNT:c BEGINDATE:date ENDDATE:date {STAMPS} {MEGA} "
            f"PROJECTTYPE:t PROJECTTYPEKEY:i PROJECTSTATUSKEY:i MANAGERKEY:i MANAGERID:t "
            f"MANAGERCONTACTNAME:t DEPARTMENTKEY:i DEPARTMENTID:t DEPARTMENTNAME:t "
            f"LOCATIONKEY:i LOCATIONID:t LOCATIONNAME:t CLASSID:t CLASSNAME:t BUDGETID:t "
            f"BUDGETKEY:i BUDGETQTY:d CONTRACTAMOUNT:c BILLINGTYPE:t(Time & Material|"
            f"Fixed Fee|Fixed Fee & Expenses) TERMNAME:t PONUMBER:t SONUMBER:t "
            f"OBSPERCENTCOMPLETE:p INVOICEWITHPARENT:b CFDA:t AGENCY:t FUNDEDNAME:t {URL}",
        ),
        std(
            "CUSTOMER",
            "Customer",
            f"RECORDNO:i CUSTOMERID:t NAME:t {TREE} TERMNAME:t TAXID:t "
            f"CREDITLIMIT:d TOTALDUE:d CUSTTYPE:t CURRENCY:t {STATUS} ONETIME:b ONHOLD:b "
            f"DISCOUNT:p {STAMPS} {MEGA} ENTITY:t TERMVALUE:t TERMSKEY:i CUSTREPID:t "
            f"CUSTREPNAME:t RESALENO:t COMMENTS:t ACCOUNTLABEL:t ARACCOUNT:t ARACCOUNTTITLE:t "
            f"LAST_INVOICEDATE:date LAST_STATEMENTDATE:date DELIVERY_OPTIONS:t "
            f"TERRITORYID:t TERRITORYNAME:t SHIPPINGMETHOD:t GLGRPKEY:i GLGROUP:t "
            f"PRICESCHEDULE:t PRICELIST:t ENABLEONLINECARDPAYMENT:b ENABLEONLINEACHPAYMENT:b "
            f"EMAILOPTIN:b OBJECTRESTRICTION:t DISPLAYCONTACTKEY:i CONTACTKEY:i SHIPTOKEY:i "
            f"BILLTOKEY:i CONTACTINFO.CONTACTNAME:t {contact('DISPLAYCONTACT', CONTACT_TAX)} "
            f"{contact('SHIPTO')} {contact('BILLTO')} {URL}",
            (
                _rel("PARENT", "CUSTOMER", "PARENTKEY"),
                _rel("TERM", "ARTERM", "TERMSKEY"),
            ),
        ),
        std(
            "EMPLOYEE",
            "Employee",
            f"RECORDNO:i EMPLOYEEID:t TITLE:t LOCATIONID:t "
            f"DEPARTMENTID:t {TREE} STARTDATE:date ENDDATE:date {STATUS} "
            f"EMPLOYEETYPE:t CONTACT.CONTACTNAME:t CONTACT.FIRSTNAME:t CONTACT.LASTNAME:t "
            f"CONTACT.EMAIL1:t CURRENCY:t {STAMPS} {MEGA} CONTACTKEY:i DEPARTMENTKEY:i "
            f"LOCATIONKEY:i LOCATIONNAME:t DEPARTMENTNAME:t SUPERVISORKEY:i SUPERVISORID:t "
            f"SUPERVISORNAME:t EMPLOYEETYPEKEY:i ENTITY:t GENDER:t TERMINATIONTYPE:t "
            f"POSTACTUALCOST:b {contact('CONTACT')} {URL}",
            (_rel("CONTACT", "CONTACT", "CONTACTKEY"),),
        ),
        std(
            "ITEM",
            "Item",
            f"RECORDNO:i ITEMID:t NAME:t {STATUS} "
            f"ITEMTYPE:e(Inventory|Non-Inventory|Non-Inventory (Purchase only)|Kit) "
            f"PRODUCTLINEID:t GLGROUP:t EXTENDED_DESCRIPTION:t STANDARD_COST:c {TREE} "
            f"{STAMPS} {MEGA} PODESCRIPTION:t SODESCRIPTION:t UOMGRP:t UOMGRPKEY:i BASEUOM:t "
            f"COST_METHOD:t(Standard|Average|FIFO|LIFO) BASEPRICE:c TAXABLE:b TAXGROUP:t "
            f"SHIP_WEIGHT:d UPC:t NOTE:t DEFAULT_WAREHOUSE:t ENABLE_SERIALNO:b "
            f"ENABLEFULFILLMENT:b INCOMEACCTKEY:i EXPENSEACCTKEY:i INVACCTKEY:i {URL}",
        ),
    ]


def vendor() -> ObjectDef:
    return std(
        "VENDOR",
        "Vendor",
        f"RECORDNO:i VENDORID:t NAME:t {TREE} VENDTYPE:t TAXID:t "
        f"NAME1099:t {STATUS} ONETIME:b ONHOLD:b TOTALDUE:c CREDITLIMIT:c CURRENCY:t "
        f"APACCOUNT:t VENDORACCOUNTNO:t ACHENABLED:b DISPLAYCONTACT.CONTACTNAME:t "
        f"DISPLAYCONTACT.EMAIL1:t PAYTOCONTACT.CONTACTNAME:t {STAMPS} {MEGA} ENTITY:t "
        f"VENDTYPE1099TYPE:t FORM1099TYPE:t FORM1099BOX:t {TERM} BILLINGTYPE:t "
        f"DISCOUNT:p GLGROUP:t PRICESCHEDULE:t PAYMENTPRIORITY:t(Urgent|High|Normal|Low) "
        f"DONOTCUTCHECK:b COMMENTS:t APACCOUNTTITLE:t ACCOUNTLABEL:t PAYMETHODKEY:t "
        f"PAYMENTNOTIFY:b MERGEPAYMENTREQ:b DISPLAYTERMDISCOUNT:b OBJECTRESTRICTION:t "
        f"LAST_BILLDATE:date LAST_PAYMENTDATE:date DISPLAYCONTACTKEY:i CONTACTKEY:i "
        f"PAYTOKEY:i RETURNTOKEY:i CONTACTINFO.CONTACTNAME:t "
        f"{contact('DISPLAYCONTACT', CONTACT_TAX)} {contact('PAYTOCONTACT')} "
        f"{contact('RETURNTOCONTACT')} {URL}",
        (
            _rel("PARENT", "VENDOR", "PARENTKEY"),
            _rel("TERM", "APTERM", "TERMKEY"),
        ),
    )


def contact_object() -> ObjectDef:
    """CONTACT: the address book that vendors, customers, employees and entities point at;
    CONTACTNAME is its unique name (readByName key)."""
    return std(
        "CONTACT",
        "Contact",
        f"RECORDNO:i {CONTACT_FIELDS} {CONTACT_TAX} TAXGROUPKEY:i "
        f"MAILADDRESS.LATITUDE:d MAILADDRESS.LONGITUDE:d PRICESCHEDULE:t DISCOUNT:p "
        f"PRICELIST:t {STATUS} {STAMPS} {MEGA} {URL}",
    )


def checking_account() -> ObjectDef:
    return std(
        "CHECKINGACCOUNT",
        "Checking Account",
        f"RECORDNO:i BANKACCOUNTID:t BANKACCOUNTNO:t GLACCOUNTNO:t GLACCOUNTTITLE:t "
        f"BANKNAME:t ROUTINGNO:t BRANCHID:t BANKACCOUNTTYPE:t(checking|savings) "
        f"DESCRIPTION:t CURRENCY:t DEPARTMENTID:t LOCATIONID:t {STATUS} "
        f"LASTRECONCILEDBALANCE:c LASTRECONCILEDDATE:date CUTOFFDATE:date "
        f"NEXTCHECKNUMBER:i CHECKLAYOUT:t PHONE:t {ADDRESS} "
        f"{STAMPS} {MEGA} {URL}",
    )


def location_entity() -> ObjectDef:
    """LOCATIONENTITY: the entities of the multi-entity company (docs/protocol.md §10); each is
    also a LOCATION with the same LOCATIONID, NAME and CURRENCY."""
    return std(
        "LOCATIONENTITY",
        "Entity",
        f"RECORDNO:i LOCATIONID:t NAME:t CURRENCY:t {STATUS} WHENCREATED:ts WHENMODIFIED:ts "
        f"CREATEDBY:i MODIFIEDBY:i PARENTID:t SUPERVISORNAME:t CONTACTKEY:i "
        f"CONTACTINFO.CONTACTNAME:t STARTDATE:date ENDDATE:date FEDERALID:t FIRSTMONTH:i "
        f"WEEKSTART:i FIRSTMONTHTAX:i LEGALNAME:t LEGALADDRESS1:t LEGALCITY:t LEGALSTATE:t "
        f"LEGALZIPCODE:t LEGALCOUNTRY:t OPCOUNTRY:t ENABLELEGALCONTACT:b TAXID:t "
        f"REPORTPRINTAS:t {URL}",
        (_rel("CONTACTINFO", "CONTACT", "CONTACTKEY"),),
    )
