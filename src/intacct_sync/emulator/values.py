"""Value formats: how a field is stored in SQLite and how the gateway prints it
(docs/protocol.md §7).

Storage: INTEGER int, TEXT/ENUM str, DECIMAL/CURRENCY/PERCENT canonical decimal text (exact),
DATE ``YYYY-MM-DD`` and TIMESTAMP ``YYYY-MM-DD HH:MM:SS`` (both sort as text), BOOLEAN 1/0.
Output: dates ``MM/DD/YYYY``, timestamps ``MM/DD/YYYY HH:MM:SS``, plain decimals (``5900``,
``-27.47``), booleans ``true``/``false`` or legacy ``T``/``F``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .schema import FieldDef


def decimal_text(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros, as Intacct prints numbers."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def cents_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:02d}".rstrip("0")


def _date_out(v: str) -> str:
    return f"{v[5:7]}/{v[8:10]}/{v[0:4]}"


def _ts_out(v: str) -> str:
    return f"{v[5:7]}/{v[8:10]}/{v[0:4]}{v[10:]}"


def formatter(fdef: FieldDef) -> Callable[[Any], str]:
    """Storage value (not None) -> gateway text."""
    if fdef.type == "DATE":
        return _date_out
    if fdef.type == "TIMESTAMP":
        return _ts_out
    if fdef.type == "BOOLEAN":
        return (lambda v: "T" if v else "F") if fdef.tf else (lambda v: "true" if v else "false")
    return str


_DATE_IN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_ISO_IN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")


def _parse_when(text: str) -> tuple[int, int, int, int, int, int]:
    m = _DATE_IN.match(text.strip())
    if m:
        mo, d, y, hh, mi, ss = m.groups()
    else:
        m = _ISO_IN.match(text.strip())
        if not m:
            raise ValueError(f"not a date: {text!r}")
        y, mo, d, hh, mi, ss = m.groups()
    parts = (int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    datetime(*parts)  # validates
    return parts


def date_storage(text: str) -> str:
    y, mo, d, *_ = _parse_when(text)
    return f"{y:04d}-{mo:02d}-{d:02d}"


def ts_storage(text: str) -> str:
    y, mo, d, hh, mi, ss = _parse_when(text)
    return f"{y:04d}-{mo:02d}-{d:02d} {hh:02d}:{mi:02d}:{ss:02d}"


def bool_storage(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    text = str(value).strip().lower()
    if text in ("true", "t", "1", "yes"):
        return 1
    if text in ("false", "f", "0", "no"):
        return 0
    raise ValueError(f"not a boolean: {value!r}")


def money_storage(value: Any) -> str:
    if isinstance(value, float):
        raise ValueError("money must be Decimal, int or text, never float")
    try:
        return decimal_text(Decimal(str(value).replace(",", "")))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}")


def to_storage(fdef: FieldDef, value: Any) -> Any:
    """A Python value or gateway text -> storage value; '' and None mean null."""
    if value is None or value == "":
        return None
    kind = fdef.type
    if kind == "INTEGER":
        return int(str(value))
    if fdef.money:
        return money_storage(value)
    if kind == "BOOLEAN":
        return bool_storage(value)
    if kind == "DATE":
        if isinstance(value, (date, datetime)):
            return value.strftime("%Y-%m-%d")
        return date_storage(str(value))
    if kind == "TIMESTAMP":
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return ts_storage(str(value))
    return str(value)
