"""Pages of records: a result's ``<data>`` element into a typed Arrow record batch.

No dict-of-dicts: each record's children are walked once into per-column lists (the
column index looked up by tag), then every column is converted in one vectorised step
(``values.to_arrow``). Columns are the Intacct field names; a field missing from a record,
or empty, is null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa
from lxml import etree

from intacct_sync.intacct.fields import Field, arrow_schema, timestamp_zone
from intacct_sync.intacct.values import to_arrow


@dataclass(frozen=True)
class Window:
    """Rows whose cursor lies in ``[start, end]`` (UTC); ``start=None`` is a full read."""

    start: datetime | None
    end: datetime

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"Window.{name} must be timezone-aware (UTC), got {value!r}")
        if self.start is not None and self.start > self.end:
            raise ValueError(f"Window start {self.start} is after its end {self.end}")

    @classmethod
    def until_now(cls, start: datetime | None = None) -> Window:
        return cls(start, datetime.now(timezone.utc))


@dataclass(frozen=True)
class Page:
    """One page of an object's rows, typed by ``arrow_schema(fields)``."""

    batch: pa.RecordBatch
    totalcount: int
    numremaining: int
    count: int
    elapsed: float  # seconds, request sent to answer parsed
    bytes: int  # response body size

    @property
    def num_rows(self) -> int:
        return self.batch.num_rows


def raw_columns(records: list[etree._Element], names: list[str]) -> list[list[str | None]]:
    """Per-column lists of raw strings for ``names`` (hot path: one pass over children)."""
    index = {name: i for i, name in enumerate(names)}
    n = len(records)
    columns: list[list[str | None]] = [[None] * n for _ in names]
    for row, record in enumerate(records):
        for child in record:
            i = index.get(child.tag)
            if i is not None:
                columns[i][row] = child.text
    return columns


def build_batch(
    records: list[etree._Element],
    fields: list[Field],
    *,
    tz: str,
    object_name: str,
    key: str | None = None,
) -> pa.RecordBatch:
    """A typed batch of ``records``; a bad value's error names its record by ``key``."""
    names = [f.name for f in fields]
    columns = raw_columns(records, names)

    def key_of(row: int) -> str | None:  # only on failure: no cost on the hot path
        return records[row].findtext(key) if key else None

    arrays = [
        to_arrow(
            col,
            f.type,
            tz=timestamp_zone(f.name, tz),
            object_name=object_name,
            name=f.name,
            key_of=key_of,
        )
        for col, f in zip(columns, fields, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=arrow_schema(fields))


def data_int(data: etree._Element | None, attribute: str, default: int = 0) -> int:
    value = data.get(attribute) if data is not None else None
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default
