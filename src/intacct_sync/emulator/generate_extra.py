"""Everything beyond the original AP/GL company, generated after it with RNGs of its own.

Order: reference objects (contacts, terms, bank accounts), AR invoices and receipts, AR and AP
adjustments, expense reports, then the GL postings of every subledger (generate_post), the
account group tree, reporting periods covering every generated date, the budget, a few empty
cursors, and finally the vendors' and customers' open balances (TOTALDUE) from their documents.
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from .generate_adjust import generate_adjustments, generate_expenses
from .generate_ar import generate_invoices
from .generate_docs import Kit, Sink
from .generate_groups import generate_groups
from .generate_master import Master
from .generate_periods import generate_budget, generate_periods
from .generate_post import Poster
from .generate_txn import TxnGenerator
from .store import Store

NO_CURSOR_ROWS = (
    "ARINVOICE",
    "ARINVOICEITEM",
    "ARPYMT",
    "ARPYMTDETAIL",
    "ARADJUSTMENT",
    "APADJUSTMENT",
    "EEXPENSES",
)
# Date fields whose years the reporting periods must cover.
DATED = {
    "APBILL": ("WHENCREATED", "WHENDUE", "WHENPAID"),
    "APPYMT": ("WHENPAID",),
    "ARINVOICE": ("WHENCREATED", "WHENDUE", "WHENPAID"),
    "ARPYMT": ("WHENPAID",),
    "ARADJUSTMENT": ("WHENCREATED",),
    "APADJUSTMENT": ("WHENCREATED",),
    "EEXPENSES": ("WHENCREATED", "WHENPAID"),
    "GLBATCH": ("BATCH_DATE", "REVERSED"),
    "GLENTRY": ("ENTRY_DATE",),
}


@dataclass(frozen=True)
class Extra:
    """Sizes of the generated subledgers beyond AP (per scale)."""

    invoices: int
    lines: tuple[int, int]
    adjustments: int  # AR adjustments, and as many AP adjustments
    expenses: int
    gl_detail: bool = True  # one GL line per document line (False: per account, see generate_post)

    def scaled(self, factor: float) -> Extra:
        """Sizes for a bill count other than the scale's own (``bills=``): in proportion, so a
        benchmark's small company is not dominated by AR."""
        return replace(
            self,
            invoices=max(10, round(self.invoices * factor)),
            adjustments=max(2, round(self.adjustments * factor)),
            expenses=max(5, round(self.expenses * factor)),
        )


def populate_extra(
    store: Store,
    sink: Sink,
    seed: int,
    tz: str,
    spec: Extra,
    m: Master,
    setup: dict[str, list[dict]],
    gen: TxnGenerator,
    poster: Poster,
    journal_seq: dict[str, int],
) -> None:
    for obj, rows in setup.items():
        for row in rows:
            sink(obj, row)

    def kit(name: str) -> Kit:
        return Kit.make(seed, name, tz, m, sink, poster)

    generate_invoices(kit("ar"), spec.invoices, spec.lines)
    adjust = kit("adjustments")
    generate_adjustments(adjust, "AR", spec.adjustments)
    generate_adjustments(adjust, "AP", spec.adjustments)
    generate_expenses(kit("expenses"), spec.expenses)
    poster.emit(gen, journal_seq)
    generate_groups(kit("groups"))
    sink.flush()
    periods = kit("periods")
    generate_budget(periods, generate_periods(periods, *_years(store)))
    sink.flush()
    _blank_cursors(store, random.Random(f"{seed}:blank"))
    _balances(store)


def _years(store: Store) -> tuple[int, int]:
    lows, highs = [], []
    for obj, fields in DATED.items():
        cols = ", ".join(f'MIN("{f}"), MAX("{f}")' for f in fields)
        row = store.execute(f'SELECT {cols} FROM "{obj}"')[0]
        lows += [v for v in row[0::2] if v]
        highs += [v for v in row[1::2] if v]
    return int(min(lows)[:4]), int(max(highs)[:4])


def _blank_cursors(store: Store, rng: random.Random) -> None:
    """A few rows of each new transactional object have no WHENMODIFIED (docs/protocol.md §9)."""
    for obj in NO_CURSOR_ROWS:
        keys = [
            k for (k,) in store.execute(f'SELECT RECORDNO FROM "{obj}" ORDER BY RECORDNO LIMIT 200')
        ]
        for key in rng.sample(keys, min(len(keys), 2)):
            store.execute(f'UPDATE "{obj}" SET WHENMODIFIED = NULL WHERE RECORDNO = ?', (key,))


def _balances(store: Store) -> None:
    """VENDOR/CUSTOMER TOTALDUE = the open amount of their posted documents; last dates."""
    posted = "STATE NOT IN ('Draft', 'Submitted', 'Declined')"
    for party, key, docs in (
        ("VENDOR", "VENDORID", ("APBILL", "APADJUSTMENT")),
        ("CUSTOMER", "CUSTOMERID", ("ARINVOICE", "ARADJUSTMENT")),
    ):
        union = " UNION ALL ".join(
            f'SELECT "{key}" AS k, TOTALDUE AS d FROM "{d}" WHERE {posted}' for d in docs
        )
        due = store.execute(f"SELECT k, DSUM(d) FROM ({union}) GROUP BY k")
        store.execute(f'UPDATE "{party}" SET TOTALDUE = ?', ("0",))
        store.conn.executemany(
            f'UPDATE "{party}" SET TOTALDUE = ? WHERE "{key}" = ?', [(d, k) for k, d in due]
        )
    for party, key, field, obj, date in (
        ("VENDOR", "VENDORID", "LAST_BILLDATE", "APBILL", "WHENCREATED"),
        ("VENDOR", "VENDORID", "LAST_PAYMENTDATE", "APPYMT", "WHENPAID"),
        ("CUSTOMER", "CUSTOMERID", "LAST_INVOICEDATE", "ARINVOICE", "WHENCREATED"),
    ):
        last = store.execute(f'SELECT "{key}", MAX("{date}") FROM "{obj}" GROUP BY "{key}"')
        store.conn.executemany(
            f'UPDATE "{party}" SET "{field}" = ? WHERE "{key}" = ?', [(d, k) for k, d in last]
        )
