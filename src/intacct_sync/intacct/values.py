"""Intacct value formats -> Arrow columns, converted a whole column at a time (PROTOCOL.md §7).

* DATE ``MM/DD/YYYY`` -> date32 (a calendar date, never shifted).
* TIMESTAMP ``MM/DD/YYYY HH:MM:SS`` -> timestamp[us, UTC], read in the configured Intacct time
  zone. Wall times that do not exist (the spring-forward gap) map to the instant the clock
  jumps (02:30 -> 03:00 daylight time); wall times that happen twice (the fall-back hour) map
  to the first one (daylight time). Intacct's own clock cannot produce either, so they only
  appear if the configured zone is wrong; the rule keeps the result deterministic.
* DECIMAL / CURRENCY / PERCENT -> decimal128(38, 10) parsed from the string, never through a
  float. More than 10 fraction digits (other than trailing zeros) or more than 28 integer
  digits is an ``InvalidValue``.
* BOOLEAN ``true``/``false`` and legacy ``T``/``F`` (any case) -> bool.
* INTEGER -> int64; TEXT / ENUM stay strings.
* An empty element is null, whatever the type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation  # noqa: F401
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from intacct_sync.intacct.errors import InvalidValue
from intacct_sync.intacct.fields import ARROW_TYPES, DECIMAL_PRECISION, DECIMAL_SCALE, FieldType

DATE_FORMAT = "%m/%d/%Y"
TIMESTAMP_FORMAT = "%m/%d/%Y %H:%M:%S"
_DECIMAL_TYPES = (FieldType.DECIMAL, FieldType.CURRENCY, FieldType.PERCENT)
_DECIMAL_SHAPE = rf"^[+-]?0*[0-9]{{0,{DECIMAL_PRECISION - DECIMAL_SCALE}}}(\.[0-9]*)?$"
_TRUE = pa.array(["true", "t"])
_FALSE = pa.array(["false", "f"])


def _scalar_check(ftype: FieldType) -> Callable[[str], object]:
    """A per-value converter, used only to name the first bad value after a column failed."""
    if ftype is FieldType.INTEGER:
        return int
    if ftype in _DECIMAL_TYPES:
        return parse_decimal
    if ftype is FieldType.DATE:
        return lambda v: datetime.strptime(v, DATE_FORMAT)
    if ftype is FieldType.TIMESTAMP:
        return lambda v: datetime.strptime(v, TIMESTAMP_FORMAT)
    if ftype is FieldType.BOOLEAN:
        return lambda v: {"true": True, "t": True, "false": False, "f": False}[v.lower()]
    return str


def _bad_value(
    values: Sequence[str | None],
    ftype: FieldType,
    object_name: str,
    name: str,
    cause: Exception | None = None,
) -> InvalidValue:
    check = _scalar_check(ftype)
    culprit = None
    for value in values:
        if value is None:
            continue
        try:
            check(value)
        except (ValueError, KeyError, InvalidOperation, InvalidValue):
            culprit = value
            break
    shown = repr(culprit[:80]) if culprit is not None else "(one of the values)"
    return InvalidValue(
        f"{object_name}.{name}: value {shown} does not fit the field type {ftype.value}"
        + (f" ({cause})" if cause else "")
        + ". Check the field's type in lookup, or exclude the field.",
        object=object_name,
    )


def to_arrow(
    values: Sequence[str | None],
    ftype: FieldType,
    *,
    tz: str = "America/Los_Angeles",
    object_name: str = "",
    name: str = "",
) -> pa.Array:
    """Convert one column of raw Intacct strings (None = empty element) to its Arrow type."""
    raw = pa.array(values, type=pa.string())
    try:
        return _convert(raw, ftype, tz)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as exc:
        raise _bad_value(values, ftype, object_name, name, exc) from None


def _convert(raw: pa.Array, ftype: FieldType, tz: str) -> pa.Array:
    raw = pc.if_else(pc.equal(raw, ""), pa.scalar(None, pa.string()), raw) if len(raw) else raw
    if ftype in (FieldType.TEXT, FieldType.ENUM):
        return raw
    if ftype is FieldType.INTEGER:
        return pc.cast(raw, pa.int64())
    if ftype in _DECIMAL_TYPES:
        # Arrow's cast checks the fraction digits but not the integer digits: check those here.
        plain = pc.match_substring_regex(raw, _DECIMAL_SHAPE)
        if not pc.all(pc.or_kleene(plain, pc.is_null(raw)), min_count=0).as_py():
            raise ValueError("not a plain decimal with at most 28 integer digits")
        return pc.cast(raw, pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE))
    if ftype is FieldType.BOOLEAN:
        return _booleans(raw)
    if ftype is FieldType.DATE:
        return pc.cast(pc.strptime(raw, format=DATE_FORMAT, unit="s"), pa.date32())
    if ftype is FieldType.TIMESTAMP:
        naive = pc.strptime(raw, format=TIMESTAMP_FORMAT, unit="us")
        local = pc.assume_timezone(naive, timezone=tz, ambiguous="earliest", nonexistent="latest")
        return pc.cast(local, ARROW_TYPES[FieldType.TIMESTAMP])
    raise ValueError(f"no conversion for {ftype}")


def _booleans(raw: pa.Array) -> pa.Array:
    lower = pc.utf8_lower(raw)
    is_true = pc.is_in(lower, value_set=_TRUE)
    is_false = pc.is_in(lower, value_set=_FALSE)
    unknown = pc.and_(pc.is_valid(raw), pc.invert(pc.or_(is_true, is_false)))
    if pc.any(unknown).as_py():
        raise ValueError("not one of true/false/T/F")
    return pc.if_else(pc.is_null(raw), pa.scalar(None, pa.bool_()), is_true)


def parse_decimal(text: str | None) -> Decimal | None:
    """One decimal string, exactly (aggregates and scalar checks); None for empty."""
    if text is None or text == "":
        return None
    if not re.match(_DECIMAL_SHAPE, text) or text in (".", "", "-", "+"):
        raise ValueError(f"{text!r} is not a plain decimal with at most 28 integer digits")
    value = Decimal(text)
    if value != value.quantize(Decimal(1).scaleb(-DECIMAL_SCALE), rounding="ROUND_DOWN"):
        raise ValueError(f"{text!r} has more than {DECIMAL_SCALE} fraction digits")
    if value.adjusted() >= DECIMAL_PRECISION - DECIMAL_SCALE:
        raise ValueError(f"{text!r} has too many integer digits")
    return value


def format_timestamp(moment: datetime, tz: str) -> str:
    """A UTC-aware instant as Intacct's wall-clock text in ``tz`` (for filters)."""
    if moment.tzinfo is None:
        raise ValueError("timestamps sent to Intacct must be timezone-aware (UTC)")
    return moment.astimezone(ZoneInfo(tz)).strftime(TIMESTAMP_FORMAT)


def format_date(day: date) -> str:
    return day.strftime(DATE_FORMAT)


def parse_timestamp(text: str, tz: str) -> datetime:
    """One Intacct wall-clock timestamp as an aware UTC datetime (fold=0 for ambiguity)."""
    naive = datetime.strptime(text, TIMESTAMP_FORMAT)
    return naive.replace(tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)
