"""Arrow pages shaped like the reader's output, for the lake tests."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pyarrow as pa

MONEY = pa.decimal128(38, 10)
UTC_TS = pa.timestamp("us", tz="UTC")
BILL_SCHEMA = pa.schema(
    [
        ("RECORDNO", pa.int64()),
        ("WHENMODIFIED", UTC_TS),
        ("TOTALENTERED", MONEY),
        ("WHENDUE", pa.date32()),
        ("PAYTOCONTACT.CONTACTNAME", pa.string()),
        ("ISPAID", pa.bool_()),
    ]
)
RUN_AT = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def ts(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 4, day, hour, tzinfo=timezone.utc)


def bills(*rows: tuple, schema: pa.Schema = BILL_SCHEMA) -> pa.RecordBatch:
    """A page of bills: rows of (recordno, whenmodified, amount, [contact])."""
    full = [
        (r[0], r[1], Decimal(r[2]) if r[2] is not None else None, date(2024, 6, r[0] % 28 + 1),
         r[3] if len(r) > 3 else f"contact {r[0]}", r[0] % 2 == 0)
        for r in rows
    ]  # fmt: skip
    columns = list(zip(*full)) if full else [[] for _ in schema]
    return pa.RecordBatch.from_arrays(
        [pa.array(list(col), f.type) for col, f in zip(columns, schema)], schema=schema
    )
