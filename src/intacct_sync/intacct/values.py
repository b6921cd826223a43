"""Intacct value formats -> Arrow columns, converted a whole column at a time (docs/protocol.md §7).

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

**Off-type but lossless shapes** (docs/protocol.md §17) are accepted exactly: an INTEGER printed
with a zero fraction (``12.0``) and a TIMESTAMP printed as a date only (``MM/DD/YYYY``: that day's
midnight in the zone). The fast path converts the column as declared; only a column that fails
it is normalised, so well-typed pages cost nothing more. Anything that would lose information
(``12.5``, ``00/00/0000 00:00:00``) is an ``InvalidValue`` naming the object, the record's key,
the field and the value -- ``***`` instead of the value when the field looks like a credential
or a sensitive id (``sensitive``).
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
_ZERO_FRACTION = re.compile(r"^[+-]?[0-9]+\.0*$")
_MIDNIGHT = pa.scalar(" 00:00:00")
# Field names whose values must never appear in a message or a log (passwords, bank and tax ids).
_SENSITIVE = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|TAX_?ID|SSN|SOCIALSEC|ACCOUNTNUMBER|ACCOUNT_NUMBER|ACCTNO"
    r"|ROUTING|IBAN|SWIFT|BANKACCOUNT|CARDNUMBER|CREDITCARD|CARDNUM|(^|_)PIN($|_)",
    re.IGNORECASE,
)


def sensitive(field_name: str) -> bool:
    """True when a field's values must be shown as ``***`` (credentials, bank and tax ids)."""
    return bool(_SENSITIVE.search(field_name or ""))


def _integer_text(v: str) -> int:
    return int(v) if not _ZERO_FRACTION.match(v) else int(v.split(".")[0])


def _timestamp_text(v: str) -> datetime:
    return datetime.strptime(v, DATE_FORMAT if len(v) == 10 else TIMESTAMP_FORMAT)


def _scalar_check(ftype: FieldType) -> Callable[[str], object]:
    """A per-value converter, used only to name the first bad value after a column failed."""
    if ftype is FieldType.INTEGER:
        return _integer_text
    if ftype in _DECIMAL_TYPES:
        return parse_decimal
    if ftype is FieldType.DATE:
        return lambda v: datetime.strptime(v, DATE_FORMAT)
    if ftype is FieldType.TIMESTAMP:
        return _timestamp_text
    if ftype is FieldType.BOOLEAN:
        return lambda v: {"true": True, "t": True, "false": False, "f": False}[v.lower()]
    return str


def _bad_value(
    values: Sequence[str | None],
    ftype: FieldType,
    object_name: str,
    name: str,
    key_of: Callable[[int], str | None] | None = None,
) -> InvalidValue:
    check = _scalar_check(ftype)
    culprit, row = None, None
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        try:
            check(value)
        except (ValueError, KeyError, InvalidOperation, InvalidValue):
            culprit, row = value, i
            break
    if culprit is None:
        shown = "(one of the values)"
    else:
        shown = "***" if sensitive(name) else repr(culprit[:80])
    key = key_of(row) if key_of is not None and row is not None else None
    where = f"{object_name}.{name}" + (f" of record {key}" if key else "")
    # Arrow's own message repeats the value: it is left out, so a masked value stays masked.
    return InvalidValue(
        f"{where}: value {shown} does not fit the field type {ftype.value} without losing "
        "information. Check the field's type in lookup, or leave the field out (skip_fields).",
        object=object_name,
    )


def to_arrow(
    values: Sequence[str | None],
    ftype: FieldType,
    *,
    tz: str = "America/Los_Angeles",
    object_name: str = "",
    name: str = "",
    key_of: Callable[[int], str | None] | None = None,
) -> pa.Array:
    """Convert one column of raw Intacct strings (None = empty element) to its Arrow type.

    ``key_of(row)`` names the record of a bad value in the error (its key).
    """
    raw = pa.array(values, type=pa.string())
    try:
        return _convert(raw, ftype, tz)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        raise _bad_value(values, ftype, object_name, name, key_of) from None


def _convert(raw: pa.Array, ftype: FieldType, tz: str) -> pa.Array:
    raw = pc.if_else(pc.equal(raw, ""), pa.scalar(None, pa.string()), raw) if len(raw) else raw
    if ftype in (FieldType.TEXT, FieldType.ENUM):
        return raw
    if ftype is FieldType.INTEGER:
        return _integers(raw)
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
        naive = _naive_timestamps(raw)
        local = pc.assume_timezone(naive, timezone=tz, ambiguous="earliest", nonexistent="latest")
        return pc.cast(local, ARROW_TYPES[FieldType.TIMESTAMP])
    raise ValueError(f"no conversion for {ftype}")


def _integers(raw: pa.Array) -> pa.Array:
    try:
        return pc.cast(raw, pa.int64())
    except pa.ArrowInvalid:
        # "12.0" (§17): drop a zero fraction; "12.5" keeps its ".5" and still fails the cast.
        whole = pc.replace_substring_regex(raw, pattern=r"\.0*$", replacement="")
        return pc.cast(whole, pa.int64())


def _naive_timestamps(raw: pa.Array) -> pa.Array:
    try:
        return pc.strptime(raw, format=TIMESTAMP_FORMAT, unit="us")
    except pa.ArrowInvalid:
        # A date only (§17) is that day's midnight; any other shape still fails strptime.
        short = pc.equal(pc.utf8_length(raw), 10)
        stamped = pc.binary_join_element_wise(raw, _MIDNIGHT, "")
        return pc.strptime(pc.if_else(short, stamped, raw), format=TIMESTAMP_FORMAT, unit="us")


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
