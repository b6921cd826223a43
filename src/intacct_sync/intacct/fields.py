"""Intacct field metadata (from ``lookup``) and the Arrow type each Intacct type becomes.

This is the contract between the reader (which yields Arrow record batches typed by these rules)
and the loader (which maps Arrow types to Spark types). Money is never a float: DECIMAL,
CURRENCY and PERCENT become decimal128(38, 10), which holds every amount Intacct stores
(28 integer digits, 10 fraction digits; exchange rates carry up to 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pyarrow as pa

DECIMAL_PRECISION = 38
DECIMAL_SCALE = 10


class FieldType(str, Enum):
    INTEGER = "INTEGER"
    TEXT = "TEXT"
    ENUM = "ENUM"
    DECIMAL = "DECIMAL"
    CURRENCY = "CURRENCY"
    PERCENT = "PERCENT"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    TIMESTAMP = "TIMESTAMP"

    @classmethod
    def parse(cls, datatype: str | None) -> FieldType:
        """Lookup's DATATYPE; anything unknown is kept as text (docs/protocol.md §6.1)."""
        try:
            return cls((datatype or "").strip().upper())
        except ValueError:
            return cls.TEXT


ARROW_TYPES: dict[FieldType, pa.DataType] = {
    FieldType.INTEGER: pa.int64(),
    FieldType.TEXT: pa.string(),
    FieldType.ENUM: pa.string(),
    FieldType.DECIMAL: pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
    FieldType.CURRENCY: pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
    FieldType.PERCENT: pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
    FieldType.BOOLEAN: pa.bool_(),
    FieldType.DATE: pa.date32(),
    FieldType.TIMESTAMP: pa.timestamp("us", tz="UTC"),
}


# Timestamps Intacct keeps in GMT whatever the company's time zone preference (docs/protocol.md §7:
# AUWHENCREATED next to a Pacific WHENMODIFIED in a real capture; ACCESSTIME documented as GMT).
UTC_TIMESTAMP_FIELDS = frozenset({"AUWHENCREATED", "ACCESSTIME"})


def timestamp_zone(field_name: str, company_zone: str) -> str:
    """The zone a naive timestamp of this field is written in."""
    return "UTC" if field_name in UTC_TIMESTAMP_FIELDS else company_zone


@dataclass(frozen=True)
class Field:
    """One field of an Intacct object, as ``lookup`` describes it."""

    name: str  # Intacct's ID, e.g. TOTALENTERED or PAYTOCONTACT.CONTACTNAME
    type: FieldType
    is_custom: bool = False
    label: str = ""

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.type]


def arrow_schema(fields: list[Field]) -> pa.Schema:
    """The Arrow schema of the batches the reader yields for these fields (Intacct names)."""
    return pa.schema([pa.field(f.name, f.arrow_type, nullable=True) for f in fields])
