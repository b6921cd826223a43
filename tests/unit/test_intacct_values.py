"""Intacct value formats -> Arrow columns: exact decimals, dates, zones, booleans, nulls."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from lxml import etree

from intacct_sync.intacct.errors import InvalidValue
from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.records import build_batch
from intacct_sync.intacct.values import format_timestamp, parse_decimal, to_arrow

LA = "America/Los_Angeles"


def test_decimals_are_exact_and_sum_without_float_error() -> None:
    column = to_arrow(["0.1", "0.2", "-27.47", "5900", None, ""], FieldType.CURRENCY)
    assert column.type == pa.decimal128(38, 10)
    assert column.to_pylist()[:3] == [Decimal("0.1"), Decimal("0.2"), Decimal("-27.47")]
    assert column.to_pylist()[4:] == [None, None]
    assert pc.sum(column.slice(0, 2)).as_py() == Decimal("0.3")


def test_ten_fraction_digits_and_28_integer_digits_fit() -> None:
    values = ["0.0000000001", "9" * 28 + ".9999999999", "1.50000000000"]
    assert to_arrow(values, FieldType.DECIMAL).to_pylist() == [Decimal(v) for v in values]


@pytest.mark.parametrize("bad", ["0.00000000001", "1" * 29, "1e5", "1,000", "abc", "NaN"])
def test_decimals_that_do_not_fit_name_object_field_and_value(bad: str) -> None:
    with pytest.raises(InvalidValue) as info:
        to_arrow(["1.5", bad], FieldType.DECIMAL, object_name="APBILL", name="TOTALDUE")
    assert "APBILL.TOTALDUE" in str(info.value) and repr(bad) in str(info.value)


def test_parse_decimal_is_exact() -> None:
    assert parse_decimal("0.1") + parse_decimal("0.2") == Decimal("0.3")
    assert parse_decimal("") is None
    with pytest.raises(ValueError):
        parse_decimal("1e3")


def test_booleans_accept_true_false_and_legacy_t_f() -> None:
    column = to_arrow(["true", "false", "T", "F", "t", "TRUE", None], FieldType.BOOLEAN)
    assert column.to_pylist() == [True, False, True, False, True, True, None]
    with pytest.raises(InvalidValue, match="'yes'"):
        to_arrow(["yes"], FieldType.BOOLEAN, object_name="GLBATCH", name="ADJ")


def test_dates_are_calendar_dates_never_shifted() -> None:
    column = to_arrow(["04/01/2012", "12/31/1999", None], FieldType.DATE, tz="Pacific/Kiritimati")
    assert column.type == pa.date32()
    assert column.to_pylist() == [date(2012, 4, 1), date(1999, 12, 31), None]
    with pytest.raises(InvalidValue, match="13/45/2020"):
        to_arrow(["13/45/2020"], FieldType.DATE)


def test_timestamps_are_read_in_the_company_zone_and_stored_in_utc() -> None:
    column = to_arrow(["09/16/2013 15:50:21", "01/15/2024 08:00:00"], FieldType.TIMESTAMP, tz=LA)
    assert column.type == pa.timestamp("us", tz="UTC")
    assert column.to_pylist() == [
        datetime(2013, 9, 16, 22, 50, 21, tzinfo=timezone.utc),  # PDT, UTC-7 (PROTOCOL §7)
        datetime(2024, 1, 15, 16, 0, tzinfo=timezone.utc),  # PST, UTC-8
    ]


def test_dst_gap_and_overlap_are_resolved_deterministically() -> None:
    # 02:30 on 2024-03-10 does not exist in Los Angeles: it becomes the jump instant 03:00 PDT.
    # 01:30 on 2024-11-03 happens twice: the first (PDT) one is taken.
    column = to_arrow(["03/10/2024 02:30:00", "11/03/2024 01:30:00"], FieldType.TIMESTAMP, tz=LA)
    assert column.to_pylist() == [
        datetime(2024, 3, 10, 10, 0, tzinfo=timezone.utc),
        datetime(2024, 11, 3, 8, 30, tzinfo=timezone.utc),
    ]


def test_integers_and_text() -> None:
    assert to_arrow(["1", "-2", None], FieldType.INTEGER).to_pylist() == [1, -2, None]
    assert to_arrow(["a", "", None], FieldType.TEXT).to_pylist() == ["a", None, None]
    with pytest.raises(InvalidValue):
        to_arrow(["1.5"], FieldType.INTEGER)


def test_window_bounds_are_formatted_in_the_company_zone() -> None:
    moment = datetime(2024, 7, 1, 19, 0, tzinfo=timezone.utc)
    assert format_timestamp(moment, LA) == "07/01/2024 12:00:00"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_timestamp(datetime(2024, 7, 1), LA)


def _page(rows: int) -> list[etree._Element]:
    record = (
        "<APBILL><RECORDNO>{i}</RECORDNO><VENDORID>V{i}</VENDORID><TOTALDUE>{i}.25</TOTALDUE>"
        "<WHENDUE>05/01/2012</WHENDUE><ONHOLD>false</ONHOLD><SYSTEMGENERATED>F</SYSTEMGENERATED>"
        "<WHENMODIFIED>09/16/2013 15:50:21</WHENMODIFIED><DESCRIPTION/></APBILL>"
    )
    xml = "<data>" + "".join(record.format(i=i) for i in range(rows)) + "</data>"
    return list(etree.fromstring(xml.encode()))


FIELDS = [
    Field("RECORDNO", FieldType.INTEGER),
    Field("VENDORID", FieldType.TEXT),
    Field("TOTALDUE", FieldType.CURRENCY),
    Field("WHENDUE", FieldType.DATE),
    Field("ONHOLD", FieldType.BOOLEAN),
    Field("SYSTEMGENERATED", FieldType.BOOLEAN),
    Field("WHENMODIFIED", FieldType.TIMESTAMP),
    Field("DESCRIPTION", FieldType.TEXT),
    Field("MISSING", FieldType.DECIMAL),
]


def test_batch_has_the_contract_schema_and_nulls_for_missing_fields() -> None:
    batch = build_batch(_page(3), FIELDS, tz=LA, object_name="APBILL")
    assert batch.schema.names == [f.name for f in FIELDS]
    assert batch.column("TOTALDUE").to_pylist() == [
        Decimal("0.25"),
        Decimal("1.25"),
        Decimal("2.25"),
    ]
    assert batch.column("MISSING").null_count == 3
    assert batch.column("DESCRIPTION").null_count == 3


def test_a_2000_row_page_converts_quickly() -> None:
    records = _page(2000)
    started = time.perf_counter()
    batch = build_batch(records, FIELDS, tz=LA, object_name="APBILL")
    elapsed = time.perf_counter() - started
    assert batch.num_rows == 2000
    assert elapsed < 0.5, f"2000-row page took {elapsed:.3f} s"


def test_an_empty_page_converts_every_type_to_an_empty_column():
    # An incremental window with no changes yields a page of zero rows; it must not be "bad data".
    from intacct_sync.intacct.fields import ARROW_TYPES, FieldType
    from intacct_sync.intacct.values import to_arrow

    for ftype in FieldType:
        column = to_arrow([], ftype)
        assert len(column) == 0 and column.type == ARROW_TYPES[ftype]


def test_audit_creation_times_are_read_as_gmt_and_modification_times_in_the_company_zone():
    # docs/protocol.md §7: a never-modified bill shows AUWHENCREATED 22:50:21 next to WHENMODIFIED
    # 15:50:21 (Pacific daylight time): the same instant.
    from datetime import datetime, timezone

    from lxml import etree

    from intacct_sync.intacct.fields import Field, FieldType
    from intacct_sync.intacct.records import build_batch

    record = etree.fromstring(
        "<APBILL><AUWHENCREATED>09/16/2013 22:50:21</AUWHENCREATED>"
        "<WHENMODIFIED>09/16/2013 15:50:21</WHENMODIFIED></APBILL>"
    )
    fields = [
        Field("AUWHENCREATED", FieldType.TIMESTAMP),
        Field("WHENMODIFIED", FieldType.TIMESTAMP),
    ]
    row = build_batch([record], fields, tz="America/Los_Angeles", object_name="APBILL").to_pylist()[
        0
    ]
    instant = datetime(2013, 9, 16, 22, 50, 21, tzinfo=timezone.utc)
    assert row["AUWHENCREATED"] == instant
    assert row["WHENMODIFIED"] == instant
