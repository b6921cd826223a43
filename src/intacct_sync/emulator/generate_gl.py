"""Generated GL journal entries: balanced GLBATCH headers with GLENTRY lines (docs/protocol.md §8).

GLENTRY.BATCHNO points at GLBATCH.RECORDNO; GLBATCH.BATCHNO is the journal's own entry number.
TR_TYPE is 1 (debit) or -1 (credit) and AMOUNT is unsigned; debits equal credits per batch.
Accrual journals (ACC) carry a REVERSED date; ADJ journals set the legacy ADJ flag to T.
"""

from __future__ import annotations

from .generate_master import entity_of
from .generate_txn import RATES, TxnGenerator, TxnScale, _base, _rate_text
from .values import cents_text

JOURNALS = (("GJ", 1, 60), ("APJ", 2, 20), ("ADJ", 3, 10), ("ACC", 4, 10))


def _split(rng, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


def generate_gl(gen: TxnGenerator, scale: TxnScale) -> dict[str, int]:
    """Manual journal entries; returns the last entry number used per journal."""
    seq = {j: 0 for j, _, _ in JOURNALS}
    for _ in range(scale.batches):
        journal, jkey, _w = gen.rng.choices(JOURNALS, [w for *_, w in JOURNALS])[0]
        seq[journal] += 1
        _batch(gen, scale, journal, jkey, seq[journal])
    return seq


def _batch(gen: TxnGenerator, scale: TxnScale, journal: str, jkey: int, batchno: int) -> None:
    rng, tl = gen.rng, gen.tl
    created = tl.created(min_age=40 * 86400)
    modified = tl.modified(created)
    day = tl.day(created)
    rec = gen.next_key("GLBATCH")
    cur = "EUR" if rng.random() < 0.1 else "USD"
    ent = entity_of(rng)
    stamp = {
        "WHENCREATED": tl.local(created),
        "WHENMODIFIED": tl.local(modified),
        "CREATEDBY": 3,
        "MODIFIEDBY": 3,
        **ent,
        "ADJ": int(journal == "ADJ"),  # the legacy T/F flag, on the batch and its lines
    }
    reversed_day = None
    if journal == "ACC":
        y, mo = int(day[:4]), int(day[5:7])
        reversed_day = f"{y + mo // 12:04d}-{mo % 12 + 1:02d}-01"
    header = {
        "RECORDNO": rec,
        "BATCHNO": batchno,
        "BATCH_TITLE": _title(rng, journal, day),
        "BATCH_DATE": day,
        "JOURNAL": journal,
        "JOURNALKEY": jkey,
        "STATE": "Posted" if rng.random() < 0.95 else "Draft",
        "MODULE": "2.GL",
        "REFERENCENO": f"REF-{rng.randint(1000, 9999)}" if rng.random() < 0.4 else None,
        "REVERSED": reversed_day,
        "ADJ": int(journal == "ADJ"),
        "MODIFIED": stamp["WHENMODIFIED"],
        "MODIFIEDBYID": "jdoe",
        "USERINFO.LOGINID": "jdoe",
        "BASELOCATION": ent.get("MEGAENTITYKEY"),
        "BASELOCATION_NO": ent.get("MEGAENTITYID"),
        "_created": created,
        **stamp,
    }
    count = rng.randint(*scale.entries)
    debits = max(1, count // 2)
    total = rng.randint(5_000, 2_000_000)
    amounts = [(1, a) for a in _split(rng, total, debits)]
    amounts += [(-1, a) for a in _split(rng, total, count - debits)]
    rate = RATES[cur]
    bases = [_base(trx, rate) for _t, trx in amounts]
    # Rounding each line to cents may unbalance base amounts: the last credit absorbs the cent.
    bases[-1] += sum(b * t for b, (t, _x) in zip(bases, amounts, strict=False))
    debit_total = sum(b for b, (t, _x) in zip(bases, amounts, strict=False) if t > 0)
    header["BALANCE"] = cents_text(debit_total)
    gen.sink("GLBATCH", header)
    for n, ((tr_type, trx), base) in enumerate(zip(amounts, bases, strict=False), start=1):
        _entry(gen, rec, batchno, n, tr_type, trx, base, cur, rate, day, stamp)


def _title(rng, journal: str, day: str) -> str:
    kind = {
        "GJ": "General entry",
        "APJ": "AP summary",
        "ADJ": "Audit adjustment",
        "ACC": "Month-end accrual",
    }[journal]
    return f"{kind} {day[:7]}" + (f" #{rng.randint(1, 9)}" if rng.random() < 0.3 else "")


def _entry(
    gen: TxnGenerator,
    rec: int,
    batchno: int,
    n: int,
    tr_type: int,
    trx: int,
    base: int,
    cur: str,
    rate: int,
    day: str,
    stamp: dict,
) -> None:
    rng, m = gen.rng, gen.m
    acct = rng.choice(m.of("GLACCOUNT"))
    dept = rng.choice(m.of("DEPARTMENT"))
    loc = rng.choice(m.of("LOCATION"))
    fund = rng.choice(m.of("FUND")) if m.of("FUND") and rng.random() < 0.3 else None
    row = {
        "RECORDNO": gen.next_key("GLENTRY"),
        "BATCHNO": rec,
        "BATCH_NUMBER": batchno,
        "LINE_NO": n,
        "TR_TYPE": tr_type,
        "ENTRY_DATE": day,
        "AMOUNT": cents_text(base),
        "TRX_AMOUNT": cents_text(trx),
        "ACCOUNTKEY": acct["RECORDNO"],
        "ACCOUNTNO": acct["ACCOUNTNO"],
        "ACCOUNTTITLE": acct["TITLE"],
        "DEPARTMENT": dept["DEPARTMENTID"],
        "DEPARTMENTKEY": dept["RECORDNO"],
        "DEPARTMENTTITLE": dept["TITLE"],
        "LOCATION": loc["LOCATIONID"],
        "LOCATIONKEY": loc["RECORDNO"],
        "LOCATIONNAME": loc["NAME"],
        "DESCRIPTION": rng.choice([None, "Reclass", "Accrual", "Monthly close"]),
        "STATISTICAL": 0,
        "STATE": "Posted",
        "CURRENCY": cur,
        "BASECURR": "USD",
        "EXCHANGE_RATE": _rate_text(rate),
        "GLDIMFUND": fund["name"] if fund else None,
        **stamp,
        "BILLABLE": 0,
        "BILLED": 0,
        "EXCH_RATE_DATE": day if cur != "USD" else None,
        "EXCH_RATE_TYPE_ID": "Intacct Daily Rate" if cur != "USD" else None,
    }
    if rng.random() < 0.2:
        vendor = rng.choice(m.of("VENDOR"))
        row.update(
            {
                "VENDORID": vendor["VENDORID"],
                "VENDORDIMKEY": vendor["RECORDNO"],
                "VENDORNAME": vendor["NAME"],
            }
        )
    gen.sink("GLENTRY", row)
