"""Fields that ``lookup`` lists but ``query`` refuses (docs/protocol.md §4.4, §17).

The real gateway answers a result failure XL03000006 whose description2 names the refused
fields per object, in select order: ``The following fields cannot be queried: [ apbill:
[PAYTOCONTACTNAME, RETURNTOCONTACTNAME] ]``. ``readByQuery`` still returns them
(intacct-sdk-net issue 150), so only ``query`` refuses. A select naming related fields
(``APBILL.PAYTOCONTACTNAME`` from APBILLITEM) adds the related object to the list:
``[ apbillitem: [GLACCOUNTNO], apbill: [PAYTOCONTACTNAME] ]`` (CHOICE: the separator between
objects is unconfirmed). The issue's capture has a line break and indentation after the first
``[``; the emulator answers on one line (CHOICE), so a client must allow any whitespace there.

The fields are declared here at build time when the catalog lacks them, and given values
derived from the generated rows (no random draws, so the rest of the company is unchanged).
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

from .errors import Err, FunctionFailure, support_id
from .schema import FieldDef, ObjectDef
from .store import Store

ERRORNO = "XL03000006"
PREFIX = "The following fields cannot be queried: "


def declare(objects: dict[str, ObjectDef], lists: dict[str, tuple[str, ...]]) -> None:
    """Add each listed field (TEXT) to its object when the catalog does not have it yet."""
    for name, field_names in lists.items():
        obj = objects.get(name)
        for field_name in field_names if obj is not None else ():
            if obj.field(field_name) is None:
                obj.add_field(FieldDef(field_name, "TEXT"))


# object -> (fields the statement needs, statement). Contact names come from the bill's vendor,
# as Intacct copies them onto the bill; one project in three is grant-funded (CFDA, agency).
_FILL: dict[str, tuple[tuple[str, ...], str]] = {
    "APBILL": (
        ("PAYTOCONTACTNAME", "RETURNTOCONTACTNAME"),
        'UPDATE "APBILL" SET "PAYTOCONTACTNAME" = (SELECT v."PAYTOCONTACT.CONTACTNAME" '
        'FROM "VENDOR" v WHERE v."VENDORID" = "APBILL"."VENDORID"), "RETURNTOCONTACTNAME" = '
        '(SELECT v."DISPLAYCONTACT.CONTACTNAME" FROM "VENDOR" v '
        'WHERE v."VENDORID" = "APBILL"."VENDORID") WHERE "PAYTOCONTACTNAME" IS NULL',
    ),
    "APBILLITEM": (
        ("GLACCOUNTNO",),
        'UPDATE "APBILLITEM" SET "GLACCOUNTNO" = "ACCOUNTNO" WHERE "GLACCOUNTNO" IS NULL',
    ),
    "ITEM": (
        ("BASEUOM",),
        'UPDATE "ITEM" SET "BASEUOM" = CASE "RECORDNO" % 3 WHEN 0 THEN \'Hour\' '
        "WHEN 1 THEN 'Each' ELSE 'Box' END WHERE \"BASEUOM\" IS NULL",
    ),
    "PROJECT": (
        ("CFDA", "AGENCY"),
        'UPDATE "PROJECT" SET "CFDA" = \'93.\' || substr(\'00\' || ("RECORDNO" * 37 % 1000), -3),'
        ' "AGENCY" = CASE "RECORDNO" % 2 WHEN 0 THEN \'Department of Health and Human '
        "Services' ELSE 'Department of Education' END "
        'WHERE "RECORDNO" % 3 = 0 AND "CFDA" IS NULL',
    ),
}


def fill(store: Store, objects: dict[str, ObjectDef]) -> None:
    """Values for the declared fields in the generated rows (idempotent: only empty ones)."""
    if "VENDOR" in objects:  # the bills' correlated lookup by VENDORID stays an index probe
        store.execute('CREATE INDEX IF NOT EXISTS "ix_VENDOR_VENDORID" ON "VENDOR" ("VENDORID")')
    for name, (needed, sql) in _FILL.items():
        obj = objects.get(name)
        if obj is not None and all(obj.field(c) is not None for c in needed):
            store.execute(sql)


def refusal(
    objects: dict[str, ObjectDef], obj: ObjectDef, names: list[str], lists: dict
) -> FunctionFailure | None:
    """The XL03000006 failure for a query selecting ``names`` (select order), or None."""
    refused: dict[str, list[str]] = {}
    for name in names:
        owner, field_name = obj.name, name
        head, dot, tail = name.partition(".")
        if dot and obj.field(name) is None:
            rel = next((r for r in obj.relationships if r.path == head), None)
            if rel is None:
                continue
            owner, field_name = rel.object, tail
        if field_name in lists.get(owner, ()) and field_name not in refused.get(owner, []):
            refused.setdefault(owner, []).append(field_name)
    if not refused:
        return None
    parts = ", ".join(f"{owner.lower()}: [{', '.join(f)}]" for owner, f in refused.items())
    return FunctionFailure(Err(ERRORNO, f"{PREFIX}[ {parts} ]" + support_id()))


def check(company, obj: ObjectDef, select) -> None:
    """Raise the refusal when the company's switch is on and the select names such fields."""
    quirks = company.settings.quirks
    if not quirks.unqueryable or select is None:
        return
    names = [(c.text or "").strip() for c in select if isinstance(c.tag, str)]
    failure = refusal(company.objects, obj, names, quirks.unqueryable_fields)
    if failure is not None:
        raise failure
