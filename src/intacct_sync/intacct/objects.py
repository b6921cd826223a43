"""The catalog of Intacct objects that intacct-sync keeps in step, declared as data.

What differs between objects (table, key, cursor, parents, money fields, delete strategy,
dependency tier) lives here and nowhere else: code never branches on an object's name.
Field lists are not declared: they come from Intacct's ``lookup`` at run time, so custom fields
appear on their own (docs/protocol.md §6.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum


class DeleteStrategy(str, Enum):
    """How deletes of an object's records are found (docs/protocol.md §9)."""

    AUDIT = "audit"  # AUDITHISTORY rows with ACCESSMODE 'D', falling back to a key sweep
    CASCADE = "cascade"  # lines: gone when their header is gone, plus the key sweep
    SWEEP = "sweep"  # a key sweep only (objects without an audit trail)


class ReadFunction(str, Enum):
    QUERY = "query"  # keyset pages on (cursor, key), pagesize up to 2000 (docs/protocol.md §5.2)
    READ_BY_QUERY = "readByQuery"  # readByQuery + readMore by resultId, pagesize up to 1000 (§5.1)


@dataclass(frozen=True)
class Parent:
    """A foreign key from this object to a header object (``field`` holds the parent's key)."""

    field: str
    object: str


@dataclass(frozen=True)
class ObjectSpec:
    name: str  # Intacct object name, e.g. APBILL
    table: str  # Delta table name, e.g. ap_bill
    key: str = "RECORDNO"
    cursor: str = "WHENMODIFIED"  # timestamp in the company time zone (docs/protocol.md §7)
    # Creation timestamp used to catch records whose cursor is empty (docs/protocol.md §7: on
    # transactions WHENCREATED is a date and AUWHENCREATED the real creation time).
    created: str | None = "WHENCREATED"
    parents: tuple[Parent, ...] = ()
    money_fields: tuple[str, ...] = ()  # summed by reconciliation
    money_group_by: str | None = None  # e.g. GLENTRY's TR_TYPE (debit 1 / credit -1)
    deletes: DeleteStrategy = DeleteStrategy.SWEEP
    tier: int = 0  # dependency order: 0 dimensions and accounts, 1 vendors, 2 headers, 3 lines
    read_function: ReadFunction = ReadFunction.QUERY
    user_defined: bool = False
    dimension: bool = False
    # Read in full every run (small objects without an audit trail, objects without a cursor):
    # the run compares the content with the last one and writes only when it changed.
    read_in_full: bool = False
    label: str = ""  # Intacct's name for the object, for the table comment
    # Reference data that changes rarely: synced at most this often (None: every run).
    every: timedelta | None = None
    sweep: bool = True  # key sweeps allowed (False: too heavy to read every key, e.g. GLDETAIL)
    # Full reads in slices of the cursor (a view like GLDETAIL times out unfiltered, §8, §17).
    full_read_slice: timedelta | None = None
    inferred: bool = False  # specified from lookup at run time, not curated
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def master_data(self) -> bool:
        """Dimensions, accounts, vendors: few rows, names copied into transactions."""
        return self.tier <= 1

    @property
    def audit_object_type(self) -> str:
        """AUDITHISTORY.OBJECTTYPE is the lowercase object name (docs/protocol.md §8)."""
        return self.name.lower()


_UDD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


def udd_spec(object_name: str) -> ObjectSpec:
    """The spec of a user-defined dimension found with getDimensions (docs/protocol.md §6.3).

    UDDs are platform objects: their key is ``id`` and they are read with readByQuery.
    """
    if not _UDD_NAME.match(object_name):
        raise ValueError(f"user-defined dimension name {object_name!r} is not a safe table name")
    return ObjectSpec(
        name=object_name,
        table=f"udd_{object_name.lower()}",
        key="id",
        cursor="updatedAt",
        created="createdAt",
        tier=0,
        read_function=ReadFunction.READ_BY_QUERY,
        user_defined=True,
        dimension=True,
        deletes=DeleteStrategy.SWEEP,
        read_in_full=True,  # a few hundred rows: one call gives changes and every key
    )


def children_of(
    name: str, catalog: dict[str, ObjectSpec] | None = None
) -> list[tuple[ObjectSpec, Parent]]:
    """The line objects whose records die with a record of ``name`` (delete cascades)."""
    from intacct_sync.intacct.catalog import CATALOG

    catalog = CATALOG if catalog is None else catalog
    return [(spec, p) for spec in catalog.values() for p in spec.parents if p.object == name]
