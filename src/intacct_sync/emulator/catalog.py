"""The objects of the synthetic company and their fields (docs/protocol.md §6, §8).

Each object is one list of ``NAME:type`` tokens (see schema.py for the type codes), declared in
the module of its area: catalog_master (dimensions, vendors, customers, contacts), catalog_ap,
catalog_ar, catalog_gl (accounts, journal entries, account groups, periods, budgets),
gldetail and glhierarchy (the GLDETAIL and GLACCTGRPHIERARCHY views) and catalog_ee
(EEXPENSES, the uncatalogued object).
"""

from __future__ import annotations

from . import catalog_master as master
from .catalog_ap import ap_objects
from .catalog_ar import ar_objects
from .catalog_ee import expense_reports
from .catalog_gl import gl_objects
from .gldetail import gldetail
from .glhierarchy import hierarchy
from .schema import ObjectDef, parse_fields


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
    return [audit, master.location_entity()]


UDD_NAMES = {"FUND": "Fund", "GRANT_PROGRAM": "Grant Program"}


def udd_def(name: str, label: str) -> ObjectDef:
    """A user-defined dimension: a platform object keyed by ``id`` (docs/protocol.md §6.3)."""
    fields = parse_fields(
        "id:i name:t PARENTID:t createdAt:ts updatedAt:ts createdBy:i updatedBy:i RECORD_URL:t"
    )
    return ObjectDef(name, label, fields, key="id", udd=True)


def build_objects() -> dict[str, ObjectDef]:
    objs = [*master.dimensions(), master.vendor(), *ap_objects(), *gl_objects()]
    objs += [*_system_objects(), *ar_objects(), master.contact_object()]
    objs += [master.checking_account(), expense_reports()]
    objs += [udd_def(n, label) for n, label in UDD_NAMES.items()]
    defs = {o.name: o for o in objs}
    defs["GLDETAIL"] = gldetail(defs)  # views: declared last, created after their tables
    defs["GLACCTGRPHIERARCHY"] = hierarchy()
    # readByQuery takes stored codes for some enumerations (docs/protocol.md §5.1, §8).
    for name in ("APBILL", "APADJUSTMENT", "ARINVOICE", "ARADJUSTMENT", "EEXPENSES"):
        defs[name].field("STATE").codes.update(
            {"D": "Draft", "S": "Submitted", "PA": "Partially Approved", "A": "Posted"}
        )
    defs["GLBATCH"].field("STATE").codes.update(
        {"I": "Draft", "S": "Submitted", "A": "Approved", "P": "Posted", "R": "Reversed"}
    )
    for name in ("APPYMT", "ARPYMT"):
        defs[name].field("STATE").codes.update(
            {"C": "Posted", "D": "Draft", "A": "Approved", "V": "Voided", "S": "Submitted"}
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
