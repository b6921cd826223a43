"""Field blocks shared by the catalog modules (types: see schema.py).

Intacct repeats some groups of fields on many objects: the audit stamps, the entity fields of a
multi-entity company, a contact record flattened under a prefix (``DISPLAYCONTACT.PHONE1``,
``PAYTOCONTACT.MAILADDRESS.ZIP``), and the dimension key/ID/name triples on transaction lines.
Field names follow Intacct's ``lookup`` output as public schemas generated from it show them
(stelth-it/conduit ``lib/conduit/sage/object/*.ex``; fivetran/dbt_sage_intacct_source macros).
"""

from __future__ import annotations

from .schema import ObjectDef, Relationship, parse_fields

STAMPS = "WHENCREATED:ts WHENMODIFIED:ts CREATEDBY:i MODIFIEDBY:i"
MEGA = "MEGAENTITYKEY:i MEGAENTITYID:t MEGAENTITYNAME:t"
STATUS = "STATUS:t(active|inactive)"
TREE = "PARENTKEY:i PARENTID:t PARENTNAME:t"
URL = "RECORD_URL:t"

# A CONTACT record as it appears flattened under a prefix (VENDOR.DISPLAYCONTACT.*, ...).
CONTACT_FIELDS = (
    "CONTACTNAME:t PREFIX:t FIRSTNAME:t INITIAL:t LASTNAME:t COMPANYNAME:t PRINTAS:t "
    "PHONE1:t PHONE2:t CELLPHONE:t PAGER:t FAX:t EMAIL1:t EMAIL2:t URL1:t URL2:t VISIBLE:b "
    "MAILADDRESS.ADDRESS1:t MAILADDRESS.ADDRESS2:t MAILADDRESS.ADDRESS3:t MAILADDRESS.CITY:t "
    "MAILADDRESS.STATE:t MAILADDRESS.ZIP:t MAILADDRESS.COUNTRY:t MAILADDRESS.COUNTRYCODE:t"
)
CONTACT_TAX = "TAXABLE:b TAXGROUP:t TAXID:t"

# Dimension key/ID/name triples of transaction lines (APBILLITEM, ARINVOICEITEM, GLENTRY...).
LINE_DIMS = (
    "CUSTOMERDIMKEY:i CUSTOMERID:t CUSTOMERNAME:t VENDORDIMKEY:i VENDORID:t VENDORNAME:t "
    "EMPLOYEEDIMKEY:i EMPLOYEEID:t EMPLOYEENAME:t ITEMDIMKEY:i ITEMID:t ITEMNAME:t "
    "CLASSDIMKEY:i CLASSID:t CLASSNAME:t WAREHOUSEDIMKEY:i WAREHOUSEID:t WAREHOUSENAME:t"
)


def contact(prefix: str, extra: str = "") -> str:
    """The contact block under ``prefix``: ``contact("PAYTOCONTACT")`` -> PAYTOCONTACT.PHONE1..."""
    return " ".join(f"{prefix}.{token}" for token in f"{CONTACT_FIELDS} {extra}".split())


def std(
    name: str,
    label: str,
    spec: str,
    rels: tuple[Relationship, ...] = (),
    custom: tuple[str, ...] = (),
    **kw: object,
) -> ObjectDef:
    return ObjectDef(name, label, parse_fields(spec, custom), relationships=rels, **kw)  # type: ignore[arg-type]
