"""Type mapping, widening rules and chunking: pure Arrow and Spark types, no session needed."""

from __future__ import annotations

import pyarrow as pa
import pytest
from pyspark.sql import types as T

from intacct_sync.lake.errors import NeedsAttention
from intacct_sync.lake.schema import fits, spark_schema, spark_type, widenable
from intacct_sync.lake.staging import SEQ, chunks
from tests.fixtures.spark import BILL_SCHEMA, MONEY, bills, ts


def test_arrow_types_map_to_exact_spark_types():
    assert spark_type(pa.int64()) == T.LongType()
    assert spark_type(pa.string()) == T.StringType()
    assert spark_type(MONEY) == T.DecimalType(38, 10)
    assert spark_type(pa.bool_()) == T.BooleanType()
    assert spark_type(pa.date32()) == T.DateType()
    assert spark_type(pa.timestamp("us", tz="UTC")) == T.TimestampType()
    with pytest.raises(TypeError, match="time zone"):
        spark_type(pa.timestamp("us"))
    with pytest.raises(TypeError, match="never float"):
        spark_type(pa.float64())  # money must never arrive as a float
    clash = pa.schema([("A.B", pa.string()), ("A_B", pa.string())])
    with pytest.raises(NeedsAttention, match="same column name"):
        spark_schema(clash)


def test_widening_rules_never_lose_data():
    money, long_, text = T.DecimalType(38, 10), T.LongType(), T.StringType()
    assert fits(money, long_) and fits(text, money) and fits(T.TimestampType(), T.DateType())
    assert not fits(long_, money)
    assert not fits(T.DecimalType(38, 2), money)  # would drop fraction digits
    assert widenable(long_, money) and widenable(T.DecimalType(20, 2), money)
    assert not widenable(long_, T.DecimalType(18, 2))  # too few integer digits for an int64
    assert not widenable(money, T.BooleanType()) and not widenable(T.DateType(), text)


def test_chunks_rename_cast_and_number_rows_across_pages():
    data = spark_schema(BILL_SCHEMA, audit=False)
    widened = T.StructType([*data.fields[:-1], T.StructField("ispaid", T.StringType())])
    narrow = pa.schema([BILL_SCHEMA.field(0), BILL_SCHEMA.field(1)])
    pages = [
        bills((1, ts(1), "1.00"), (2, ts(1), "2.00"), (3, ts(1), "3.00")),
        bills((4, ts(1), "4.00")).select([0, 1]).cast(narrow),  # a page without some fields
    ]

    out = list(chunks(pages, widened, chunk_rows=2))

    assert [c.num_rows for c in out] == [2, 2]
    whole = pa.concat_tables(out)
    assert whole.column_names == [*widened.names, SEQ]
    assert whole.column(SEQ).to_pylist() == [0, 1, 2, 3]
    assert whole.column("paytocontact_contactname").to_pylist()[2:] == ["contact 3", None]
    assert whole.column("ispaid").to_pylist() == ["false", "true", "false", None]
    stray = bills((5, ts(1), "5.00")).append_column("EXTRA", pa.array([1]))
    with pytest.raises(NeedsAttention, match="EXTRA".lower()):
        list(chunks([stray], widened, chunk_rows=2))
