"""Fills a Store with a deterministic synthetic company for a seed and a scale.

small: tests (~40 vendors, ~300 bills, ~80 AR invoices; GL postings line by line). medium:
~12,000 bills and 1,500 invoices for paging tests. large: 250,000 bills x 4 lines = 1,000,000
APBILLITEM rows for benchmarks (rows stream in chunks into executemany); medium and large post
the subledgers to the GL one line per account and summary, so the AP bill lines dominate.
A ``bills`` override scales the AR, adjustment and expense counts with it.

The original AP/GL company comes first, from the seed's RNG, exactly as it always did; what
was added later (contacts, AR, adjustments, expenses, GL postings, account groups, periods,
budgets) uses RNGs of its own (generate_enrich, generate_extra), so a seed still gives the
same vendors, bills, payments and journal entries, key for key and value for value.
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

import random
from dataclasses import dataclass

from .generate_enrich import enrich
from .generate_extra import Extra, populate_extra
from .generate_gl import generate_gl
from .generate_master import generate_master
from .generate_post import Poster, bill_hook, payment_hook
from .generate_txn import TxnGenerator, TxnScale
from .schema import ObjectDef
from .store import Store
from .timeline import Timeline

AUDITED = {
    "DEPARTMENT",
    "LOCATION",
    "CLASS",
    "PROJECT",
    "CUSTOMER",
    "EMPLOYEE",
    "ITEM",
    "GLACCOUNT",
    "VENDOR",
    "APBILL",
    "APPYMT",
    "GLBATCH",
    # objects added later; lines and group members are audited with their header
    "APADJUSTMENT",
    "APTERM",
    "ARINVOICE",
    "ARPYMT",
    "ARADJUSTMENT",
    "ARTERM",
    "CONTACT",
    "CHECKINGACCOUNT",
    "EEXPENSES",
    "GLACCTGRP",
    "GLBUDGETHEADER",
    "REPORTINGPERIOD",
}
NO_CURSOR_ROWS = ("APBILL", "APBILLITEM", "APPYMT", "APPYMTDETAIL", "GLBATCH", "GLENTRY")
CHUNK = 20_000


@dataclass(frozen=True)
class Scale:
    vendors: int
    accounts: int
    dims: tuple[int, int]
    udd_rows: int
    txn: TxnScale
    extra: Extra


SCALES = {
    "small": Scale(
        40, 60, (10, 30), 10, TxnScale(300, (1, 6), 0.6, 80, (2, 8)), Extra(80, (1, 4), 12, 30)
    ),
    "medium": Scale(
        400,
        150,
        (30, 60),
        25,
        TxnScale(12_000, (1, 6), 0.5, 3_000, (2, 8)),
        Extra(1_500, (1, 4), 150, 300, gl_detail=False),
    ),
    "large": Scale(
        2_000,
        300,
        (40, 80),
        40,
        TxnScale(250_000, (4, 4), 0.05, 20_000, (2, 8)),
        Extra(20_000, (1, 4), 1_000, 3_000, gl_detail=False),
    ),
}


class _Sink:
    """Buffers rows per object and flushes them with executemany; writes C audit rows."""

    def __init__(self, store: Store, defs: dict[str, ObjectDef], tl: Timeline) -> None:
        self.store, self.defs, self.tl = store, defs, tl
        self.buffers: dict[str, list[dict]] = {}
        self.audit_id = 0

    def __call__(self, obj: str, row: dict) -> None:
        if obj in AUDITED:
            self._audit(obj, row)
        buf = self.buffers.setdefault(obj, [])
        buf.append(row)
        if len(buf) >= CHUNK:
            self.flush(obj)

    def _audit(self, obj: str, row: dict) -> None:
        self.audit_id += 1
        when = row.get("AUWHENCREATED") or self.tl.utc(row["_created"])
        self(
            "AUDITHISTORY",
            {
                "ID": self.audit_id,
                "OBJECTTYPE": obj.lower(),
                "OBJECTKEY": str(row["RECORDNO"]),
                "USERID": "jdoe",
                "ACCESSTIME": when,
                "ACCESSMODE": "C",
                "SOURCE": "ui" if self.audit_id % 3 else "csv",
            },
        )

    def flush(self, obj: str | None = None) -> None:
        for name in [obj] if obj else list(self.buffers):
            rows = self.buffers.get(name) or []
            if rows:
                self.store.insert_many(self.defs[name], rows)
                rows.clear()


def populate(
    store: Store,
    defs: dict[str, ObjectDef],
    seed: int,
    scale: str,
    tz: str,
    bills: int | None = None,
) -> int:
    """Generate everything; returns the last AUDITHISTORY ID used."""
    spec = SCALES[scale]
    rng = random.Random(seed)
    tl = Timeline(rng, tz)
    sink = _Sink(store, defs, tl)
    master = generate_master(rng, tl, spec.dims, spec.accounts, spec.vendors, spec.udd_rows)
    setup = enrich(seed, tz, master)  # own RNG: the master values above stay as they were
    for obj, rows in master.rows.items():
        for row in rows:
            sink(obj, row)
    txn = (
        spec.txn
        if bills is None
        else TxnScale(
            bills, *(vars(spec.txn)[k] for k in ("lines", "paid_ratio", "batches", "entries"))
        )
    )
    gen = TxnGenerator(rng, tl, master, sink)
    poster = Poster(master, detail=spec.extra.gl_detail)
    gen.on_bill, gen.on_payment = bill_hook(poster, tl), payment_hook(poster, tl)
    gen.bills(txn)
    journal_seq = generate_gl(gen, txn)
    sink.flush()
    _blank_cursors(store, rng)
    extra = spec.extra if bills is None else spec.extra.scaled(bills / spec.txn.bills)
    populate_extra(store, sink, seed, tz, extra, master, setup, gen, poster, journal_seq)
    return sink.audit_id


def _blank_cursors(store: Store, rng: random.Random) -> None:
    """A few rows per transactional object have an empty WHENMODIFIED (docs/protocol.md §7/§9)."""
    for obj in NO_CURSOR_ROWS:
        keys = [
            k for (k,) in store.execute(f'SELECT RECORDNO FROM "{obj}" ORDER BY RECORDNO LIMIT 200')
        ]
        for key in rng.sample(keys, min(len(keys), rng.randint(2, 3))):
            store.execute(f'UPDATE "{obj}" SET WHENMODIFIED = NULL WHERE RECORDNO = ?', (key,))
