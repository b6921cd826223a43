"""The curated catalog: what we know of the objects a finance team reports on, as data.

Table names follow Fivetran's Sage Intacct connector, which analysts already know. Every other
Intacct object can be synced by name: its spec is inferred from ``lookup`` (``infer.py``).

Which objects run when ``objects`` is empty (``DEFAULT``): AP, GL, the dimensions and the GL's
reference data (account groups, reporting periods, payment terms). Every object synced costs at
least one billed Intacct transaction a run (its change window), so the default stays to what an
AP/GL team needs: AR, adjustments, GL detail, budgets, bank accounts, contacts and entities are a
group name away (``objects: ["@default", "@ar"]``; ``GROUPS``). Reference data that changes
rarely (account groups, periods, terms) is read at most once a day (``every``).
"""

from __future__ import annotations

from datetime import timedelta

from intacct_sync.intacct.objects import DeleteStrategy as D
from intacct_sync.intacct.objects import ObjectSpec, Parent

AUDIT, CASCADE, SWEEP = D.AUDIT, D.CASCADE, D.SWEEP
DAILY = timedelta(days=1)


def _dimension(name: str, table: str, label: str) -> ObjectSpec:
    return ObjectSpec(name, table, dimension=True, tier=0, deletes=AUDIT, label=label)


def _document(name: str, table: str, label: str, money: tuple[str, ...]) -> ObjectSpec:
    """A transaction header: WHENCREATED is its date, AUWHENCREATED its creation time (§7)."""
    return ObjectSpec(
        name, table, created="AUWHENCREATED", money_fields=money, deletes=AUDIT, tier=2, label=label
    )


def _lines(
    name: str, table: str, label: str, parents: tuple[Parent, ...], money: str
) -> ObjectSpec:
    """Lines die with their header (Intacct audits only the header) and are swept weekly."""
    return ObjectSpec(
        name, table, parents=parents, money_fields=(money,), deletes=CASCADE, tier=3, label=label
    )


def _reference(name: str, table: str, label: str, tier: int = 0, **kw) -> ObjectSpec:
    return ObjectSpec(name, table, tier=tier, deletes=kw.pop("deletes", AUDIT), every=DAILY,
                      label=label, **kw)  # fmt: skip


_SPECS: tuple[ObjectSpec, ...] = (
    # --- dimensions and master data -------------------------------------------------------
    _dimension("DEPARTMENT", "department", "Department"),
    _dimension("LOCATION", "location", "Location"),
    _dimension("CLASS", "class", "Class"),
    _dimension("PROJECT", "project", "Project"),
    _dimension("CUSTOMER", "customer", "Customer"),
    _dimension("EMPLOYEE", "employee", "Employee"),
    _dimension("ITEM", "item", "Item"),
    ObjectSpec("GLACCOUNT", "gl_account", tier=0, deletes=AUDIT, label="GL account"),
    ObjectSpec(
        "VENDOR", "vendor", tier=1, money_fields=("TOTALDUE",), deletes=AUDIT, label="Vendor"
    ),  # fmt: skip
    ObjectSpec("CONTACT", "contact", tier=0, deletes=AUDIT, label="Contact"),
    ObjectSpec(
        "CHECKINGACCOUNT", "checking_account", tier=0, deletes=AUDIT, label="Checking account"
    ),  # fmt: skip
    ObjectSpec("LOCATIONENTITY", "entity", tier=0, deletes=AUDIT, label="Entity"),
    # --- AP ---------------------------------------------------------------------------------
    _document("APBILL", "ap_bill", "AP bill", ("TOTALENTERED", "TOTALDUE")),
    _lines(
        "APBILLITEM", "ap_bill_item", "AP bill line", (Parent("RECORDKEY", "APBILL"),), "AMOUNT"
    ),  # fmt: skip
    _document("APPYMT", "ap_payment", "AP payment", ("TOTALENTERED",)),
    _lines(
        "APPYMTDETAIL",
        "ap_payment_detail",
        "AP payment detail",
        (Parent("PAYMENTKEY", "APPYMT"), Parent("RECORDKEY", "APBILL")),
        "PAYMENTAMOUNT",
    ),
    _document("APADJUSTMENT", "ap_adjustment", "AP adjustment", ("TOTALENTERED",)),
    _lines(
        "APADJUSTMENTITEM",
        "ap_adjustment_item",
        "AP adjustment line",
        (Parent("RECORDKEY", "APADJUSTMENT"),),
        "AMOUNT",
    ),
    _reference("APTERM", "ap_term", "AP payment term"),
    # --- AR ---------------------------------------------------------------------------------
    _document("ARINVOICE", "ar_invoice", "AR invoice", ("TOTALENTERED", "TOTALDUE")),
    _lines(
        "ARINVOICEITEM",
        "ar_invoice_item",
        "AR invoice line",
        (Parent("RECORDKEY", "ARINVOICE"),),
        "AMOUNT",
    ),
    _document("ARPYMT", "ar_payment", "AR payment", ("TOTALENTERED",)),
    _lines(
        "ARPYMTDETAIL",
        "ar_payment_detail",
        "AR payment detail",
        (Parent("PAYMENTKEY", "ARPYMT"), Parent("RECORDKEY", "ARINVOICE")),
        "PAYMENTAMOUNT",
    ),
    _document("ARADJUSTMENT", "ar_adjustment", "AR adjustment", ("TOTALENTERED",)),
    _lines(
        "ARADJUSTMENTITEM",
        "ar_adjustment_item",
        "AR adjustment line",
        (Parent("RECORDKEY", "ARADJUSTMENT"),),
        "AMOUNT",
    ),
    _reference("ARTERM", "ar_term", "AR payment term"),
    # --- GL ---------------------------------------------------------------------------------
    ObjectSpec("GLBATCH", "gl_batch", deletes=AUDIT, tier=2, label="Journal entry"),
    ObjectSpec(
        "GLENTRY",
        "gl_entry",
        parents=(Parent("BATCHNO", "GLBATCH"),),
        money_fields=("AMOUNT",),
        money_group_by="TR_TYPE",
        deletes=CASCADE,
        tier=3,
        label="Journal entry line",
    ),  # fmt: skip
    # GLDETAIL is a view over every subledger's GL postings (§8): never read unfiltered (a full
    # read goes in yearly WHENMODIFIED slices), no key sweep (reading every key is the heavy
    # query itself); its rows go with their journal entry (BATCHKEY), whose deletes are audited.
    ObjectSpec(
        "GLDETAIL",
        "gl_detail",
        parents=(Parent("BATCHKEY", "GLBATCH"),),
        money_fields=("AMOUNT",),
        money_group_by="TR_TYPE",
        deletes=CASCADE,
        tier=3,
        sweep=False,
        full_read_slice=timedelta(days=366),
        label="GL detail",
    ),  # fmt: skip
    _reference("GLACCTGRP", "gl_account_group", "GL account group"),
    _reference(
        "GLACCTGRPMEMBER",
        "gl_account_group_member",
        "GL account group member",
        tier=1,
        parents=(Parent("PARENTKEY", "GLACCTGRP"),),
        deletes=CASCADE,
    ),  # fmt: skip
    _reference(
        "GLACCTRANGE",
        "gl_account_range",
        "GL account range",
        tier=1,
        parents=(Parent("PARENTKEY", "GLACCTGRP"),),
        deletes=CASCADE,
    ),  # fmt: skip
    _reference("REPORTINGPERIOD", "reporting_period", "Reporting period"),
    ObjectSpec("GLBUDGETHEADER", "gl_budget", tier=1, deletes=AUDIT, label="GL budget"),
    # Budget lines have no WHENMODIFIED (§9): read in full each run, written only on change.
    ObjectSpec(
        "GLBUDGETITEM",
        "gl_budget_item",
        cursor=None,
        created=None,
        parents=(Parent("BUDGETKEY", "GLBUDGETHEADER"),),
        money_fields=("AMOUNT",),
        deletes=SWEEP,
        read_in_full=True,
        tier=2,
        label="GL budget line",
    ),  # fmt: skip
)

CATALOG: dict[str, ObjectSpec] = {spec.name: spec for spec in _SPECS}

GROUPS: dict[str, tuple[str, ...]] = {
    "ap": ("VENDOR", "APBILL", "APBILLITEM", "APPYMT", "APPYMTDETAIL", "APTERM"),
    "ap_adjustments": ("APADJUSTMENT", "APADJUSTMENTITEM"),
    "ar": ("CUSTOMER", "ARINVOICE", "ARINVOICEITEM", "ARPYMT", "ARPYMTDETAIL", "ARTERM"),
    "ar_adjustments": ("ARADJUSTMENT", "ARADJUSTMENTITEM"),
    "gl": (
        "GLACCOUNT",
        "GLBATCH",
        "GLENTRY",
        "GLACCTGRP",
        "GLACCTGRPMEMBER",
        "GLACCTRANGE",
        "REPORTINGPERIOD",
    ),  # fmt: skip
    "gl_detail": ("GLDETAIL",),
    "budgets": ("GLBUDGETHEADER", "GLBUDGETITEM"),
    "dimensions": ("DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "CUSTOMER", "EMPLOYEE", "ITEM"),
    "cash": ("CHECKINGACCOUNT",),
    "company": ("LOCATIONENTITY", "CONTACT"),
}
DEFAULT: tuple[str, ...] = tuple(dict.fromkeys(GROUPS["dimensions"] + GROUPS["gl"] + GROUPS["ap"]))
GROUPS["default"] = DEFAULT
GROUPS["all"] = tuple(CATALOG)


def expand(names: tuple[str, ...]) -> tuple[str, ...]:
    """Object names with groups (``@ar``, ``@default``...) expanded, in order, once each."""
    out: list[str] = []
    for name in names:
        group = GROUPS.get(name[1:].lower()) if name.startswith("@") else None
        if name.startswith("@") and group is None:
            raise KeyError(name)
        out.extend(group if group is not None else (name,))
    return tuple(dict.fromkeys(out))
