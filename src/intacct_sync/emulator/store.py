"""SQLite storage of the synthetic company: one table per object, one lock, exact money.

Money is stored as canonical decimal text and summed with Decimal aggregates registered on the
connection (DSUM, DAVG, DMIN, DMAX), so sums are exact. Keys are INTEGER PRIMARY KEYs (rowid
aliases) and (WHENMODIFIED, key) plus parent keys are indexed, so a keyset page of a
million-row table is an index range scan.
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from decimal import Decimal

from .schema import ObjectDef
from .values import decimal_text

PARENT_KEYS = {
    "APBILLITEM": ("RECORDKEY",),
    "APPYMTDETAIL": ("PAYMENTKEY", "RECORDKEY", "ENTRYKEY"),
    "APADJUSTMENTITEM": ("RECORDKEY",),
    "ARINVOICEITEM": ("RECORDKEY",),
    "ARPYMTDETAIL": ("PAYMENTKEY", "RECORDKEY", "ENTRYKEY"),
    "ARADJUSTMENTITEM": ("RECORDKEY",),
    "GLENTRY": ("BATCHNO",),
    "GLACCTGRPMEMBER": ("PARENTKEY",),
    "GLACCTRANGE": ("PARENTKEY",),
    "GLBUDGETITEM": ("BUDGETKEY",),
    "AUDITHISTORY": ("OBJECTTYPE",),
}
CURSORS = {"AUDITHISTORY": "ACCESSTIME"}


def q(name: str) -> str:
    """Quote an identifier (field names may contain dots, docs/protocol.md §7)."""
    return '"' + name.replace('"', '""') + '"'


# Intacct's RECORD_URL is a read-only link made from the record number: a virtual column, so
# it is never stored (a million bill lines do not carry a million URLs) and never disagrees.
RECORD_URL = "RECORD_URL"
URL_PREFIX = "https://www.intacct.com/ia/acct/ur.phtml?.r="


def generated(obj: ObjectDef, name: str) -> bool:
    return name == RECORD_URL and obj.key == "RECORDNO"


def sql_type(obj: ObjectDef, name: str) -> str:
    fdef = obj.field(name)
    if name == obj.key:
        return "INTEGER PRIMARY KEY"
    if generated(obj, name):
        return f"TEXT GENERATED ALWAYS AS ('{URL_PREFIX}' || \"RECORDNO\") VIRTUAL"
    if fdef is None:  # a storage-only column (ObjectDef.internal)
        return ""
    if fdef.type in ("INTEGER", "BOOLEAN"):
        return "INTEGER"
    return "TEXT"


class _DecimalAgg:
    def __init__(self) -> None:
        self.values: list[Decimal] = []

    def step(self, value: object) -> None:
        if value is not None:
            self.values.append(Decimal(str(value)))


class DSum(_DecimalAgg):
    def finalize(self) -> str | None:
        return decimal_text(sum(self.values, Decimal(0))) if self.values else None


class DAvg(_DecimalAgg):
    def finalize(self) -> str | None:
        if not self.values:
            return None
        avg = sum(self.values, Decimal(0)) / len(self.values)
        return decimal_text(avg.quantize(Decimal("1e-10")))


class DMin(_DecimalAgg):
    def finalize(self) -> str | None:
        return decimal_text(min(self.values)) if self.values else None


class DMax(_DecimalAgg):
    def finalize(self) -> str | None:
        return decimal_text(max(self.values)) if self.values else None


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._setup()

    def copy(self) -> Store:
        """An independent copy (SQLite online backup: tables, views, indexes, rows)."""
        twin = Store()
        with self.lock:
            self.conn.backup(twin.conn)
        return twin

    def _setup(self) -> None:
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "case_sensitive_like=ON",
            "cache_size=-200000",
            "temp_store=MEMORY",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        for name, agg in (("DSUM", DSum), ("DAVG", DAvg), ("DMIN", DMin), ("DMAX", DMax)):
            self.conn.create_aggregate(name, 1, agg)

    def create(self, obj: ObjectDef) -> None:
        """A table, or for a view object the view (create views after their tables)."""
        if obj.view is not None:
            with self.lock:
                self.conn.execute(f"CREATE VIEW {q(obj.name)} AS {obj.view}")
            return
        cols = ", ".join(f"{q(n)} {sql_type(obj, n)}" for n in (*obj.names, *obj.internal))
        with self.lock:
            self.conn.execute(f"CREATE TABLE {q(obj.name)} ({cols})")

    def index(self, obj: ObjectDef) -> None:
        if obj.view is not None:  # a view reads its tables' indexes
            return
        t = q(obj.name)
        cursor = CURSORS.get(obj.name, "updatedAt" if obj.udd else "WHENMODIFIED")
        # MEGAENTITYKEY rides along so entity-visibility counts never touch the table.
        extra = ", MEGAENTITYKEY" if obj.has_entity else ""
        stmts = []
        if obj.field(cursor) is not None:  # GLBUDGETITEM has no cursor (docs/protocol.md §9)
            stmts.append(
                f"CREATE INDEX IF NOT EXISTS {q('ix_' + obj.name + '_cursor')} "
                f"ON {t} ({q(cursor)}, {q(obj.key)}{extra})"
            )
        for parent in PARENT_KEYS.get(obj.name, ()):
            stmts.append(
                f"CREATE INDEX IF NOT EXISTS {q('ix_' + obj.name + '_' + parent)} "
                f"ON {t} ({q(parent)})"
            )
        with self.lock:
            for stmt in stmts:
                self.conn.execute(stmt)

    def insert_many(self, obj: ObjectDef, rows: Iterable[dict]) -> None:
        """Insert rows given as dicts; a field no row mentions is left out of the statement
        (it stays NULL), because binding costs per column and wide objects have many fields
        the generator never sets."""
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return
        present = set().union(*rows)
        names = [n for n in (*obj.names, *obj.internal) if n in present and not generated(obj, n)]
        sql = (
            f"INSERT INTO {q(obj.name)} ({', '.join(q(n) for n in names)}) "
            f"VALUES ({', '.join('?' * len(names))})"
        )
        with self.lock:
            self.conn.executemany(sql, (tuple(map(r.get, names)) for r in rows))

    def add_column(self, obj: ObjectDef, name: str) -> None:
        with self.lock:
            self.conn.execute(
                f"ALTER TABLE {q(obj.name)} ADD COLUMN {q(name)} {sql_type(obj, name)}"
            )

    def execute(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, tuple(params)).fetchall()
