"""Production behaviours of the real gateway (docs/protocol.md §17): the switches and their data.

Each behaviour is ON by default, as on the real gateway, and can be turned off per company
(``company.settings.quirks.value_shapes = False``, ``POST /admin/quirks``, CLI ``--quirk``).
The lists below are data, not code: the modules that act on them are

* ``unqueryable.py``: fields ``lookup`` lists and ``query`` refuses (XL03000006);
* ``allowance.py``: requests beyond the company's allowance are held, then refused (200024);
* ``shapes.py``: lossless off-type values (``12.0`` integers, date-only timestamps);
* ``heavy.py``: a heavy ``query`` page answers HTTP 524;
* ``inprocess.py``: a function whose controlid an earlier request is still running is refused;
* ``billing.py``: API transactions counted as Intacct bills them (§12, §17).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

# Fields that lookup lists but query refuses, per object (§17; intacct-sdk-js issue 83,
# intacct-sdk-net issue 150, another connector's deny list). All TEXT.
UNQUERYABLE: dict[str, tuple[str, ...]] = {
    "APBILL": ("PAYTOCONTACTNAME", "RETURNTOCONTACTNAME"),
    "APBILLITEM": ("GLACCOUNTNO",),
    "ITEM": ("BASEUOM",),
    "PROJECT": ("CFDA", "AGENCY"),
}

# INTEGER fields that arrive as "12.0" on a share of the rows (§17 "value shapes"). CHOICE:
# which fields is ours; keys (RECORDNO) are never touched because clients page on them.
INTEGER_AS_DECIMAL: dict[str, tuple[str, ...]] = {
    "APBILL": ("DUE_IN_DAYS", "TERMKEY", "PRBATCHKEY"),
    "APBILLITEM": ("LINE_NO", "ACCOUNTKEY", "DEPARTMENTKEY", "LOCATIONKEY"),
    "GLENTRY": ("LINE_NO", "ACCOUNTKEY"),
    "APPYMTDETAIL": ("ENTRYKEY",),
}
# TIMESTAMP fields that arrive as a date only on a share of the rows: master data WHENCREATED.
# Those rows are stored at midnight, so the date-only form loses nothing.
MASTER = ("DEPARTMENT", "LOCATION", "CLASS", "PROJECT", "CUSTOMER", "EMPLOYEE", "ITEM")
DATE_ONLY_TIMESTAMPS: dict[str, tuple[str, ...]] = {
    name: ("WHENCREATED",) for name in (*MASTER, "VENDOR", "GLACCOUNT", "LOCATIONENTITY")
}
SHAPE_SHARE = 5  # one row in SHAPE_SHARE (by a hash of seed, object and key) is shaped

# Heavy objects: a query page over the budget answers 524 (§4.3, §17). GLDETAIL is listed for
# when the catalog has it.
HEAVY_OBJECTS = ("GLDETAIL", "GLENTRY")
# Cost of a page = rows on the page x selected columns. 100,000 makes a full-width GLENTRY or
# GLDETAIL page (68-69 fields today) time out at 2000 rows (138,000) and pass at 1000 (69,000);
# that holds for any width from 51 to 100 fields, and 500 rows pass up to 200 fields.
HEAVY_BUDGET = 100_000


@dataclass
class Quirks:
    unqueryable: bool = True  # query refuses UNQUERYABLE fields
    unqueryable_fields: dict[str, tuple[str, ...]] = field(default_factory=lambda: {**UNQUERYABLE})
    company_busy: bool = True  # hold then 200024; off: immediate HTTP 429 GW-0010 (the old way)
    hold_seconds: float = 1.0  # the real gateway holds about 30 s (a vendor's support page)
    value_shapes: bool = True
    heavy_timeout: bool = True
    heavy_objects: tuple[str, ...] = HEAVY_OBJECTS
    heavy_budget: int = HEAVY_BUDGET
    heavy_seconds: float = 0.0  # the real gateway answers 524 after about 100 s
    in_process: bool = True

    def set(self, key: str, value: object) -> None:
        """Set one switch from JSON or CLI text ('false', '0.5', 'GLENTRY,GLDETAIL')."""
        known = {f.name: f for f in fields(self)}
        if key not in known or key == "unqueryable_fields":
            raise ValueError(f"unknown quirk {key!r}; known: {', '.join(sorted(known))}")
        current = getattr(self, key)
        if isinstance(current, bool):
            value = value if isinstance(value, bool) else str(value).strip().lower() == "true"
        elif isinstance(current, int):
            value = int(value)
        elif isinstance(current, float):
            value = float(value)
        elif isinstance(current, tuple):
            items = value if isinstance(value, (list, tuple)) else str(value).split(",")
            value = tuple(str(v).strip().upper() for v in items if str(v).strip())
        setattr(self, key, value)

    def describe(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
