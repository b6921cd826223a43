"""notebooks/ap_aging.py run top to bottom on a local Spark session against tables shaped like the
synced ones. Only `dbutils` (widgets) and `display` are stand-ins: they exist only in a workspace.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.spark

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "ap_aging.py"
TODAY = date.today()
# Due dates sit mid-bucket, so a UTC-versus-local "today" cannot move a bill across a boundary.
# recordno, vendorid, vendorname, created (days ago), due (days from today), entered, due,
# currency, deleted
BILLS = [
    (1, "V1", "Acme", 30, 10, "100.00", "100.00", "USD", False),
    (2, "V1", "Acme", 30, -15, "200.50", "200.50", "USD", False),
    (3, "V2", "Globex", 60, -45, "250.00", "250.00", "USD", False),
    (4, "V2", "Globex", 90, -75, "300.00", "300.00", "USD", False),
    (5, "V3", "Initech", 250, -200, "400.00", "400.00", "USD", False),
    (6, "V3", "Initech", 30, -15, "50.00", "50.00", "EUR", False),
    (7, "V1", "Acme", 30, -15, "500.00", "0.00", "USD", False),  # paid: not open
    (8, "V2", "Globex", 30, -15, "999.00", "999.00", "USD", True),  # deleted in Intacct
    (9, "V3", "Initech", 400, None, "10.00", "10.00", "USD", False),  # no due date, 13 months old
]
VENDORS = [  # vendorid, name, entity, deleted
    ("V1", "Acme Supply", "E100", False),
    ("V1", "Acme Supply", "E200", False),  # a vendor shared by two entities
    ("V2", "Globex", "E100", False),
    ("V3", "Initech", "E100", False),
    ("V4", "Gone Ltd", "E100", True),
]


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


class Widgets:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def text(self, name: str, default: str, label: str | None = None) -> None:
        self.values.setdefault(name, default)

    def get(self, name: str) -> str:
        return self.values[name]


class DbUtils:
    def __init__(self, values: dict[str, str]) -> None:
        self.widgets = Widgets(values)


@pytest.fixture
def synced_schema(spark: Any) -> Iterator[str]:
    from pyspark.sql import types as T

    schema = f"aging_{uuid.uuid4().hex[:10]}"
    spark.sql(f"CREATE SCHEMA `{schema}`")
    money = T.DecimalType(38, 10)
    bill_type = T.StructType(
        [
            T.StructField("recordno", T.LongType()),
            T.StructField("vendorid", T.StringType()),
            T.StructField("vendorname", T.StringType()),
            T.StructField("whencreated", T.DateType()),
            T.StructField("whendue", T.DateType()),
            T.StructField("totalentered", money),
            T.StructField("totaldue", money),
            T.StructField("currency", T.StringType()),
            T.StructField("_deleted", T.BooleanType()),
        ]
    )
    bills = [
        (
            no,
            vid,
            name,
            days_ago(created),
            None if due is None else days_ago(-due),
            Decimal(entered),
            Decimal(amount_due),
            currency,
            deleted,
        )
        for no, vid, name, created, due, entered, amount_due, currency, deleted in BILLS
    ]
    spark.createDataFrame(bills, bill_type).write.saveAsTable(f"`{schema}`.`ap_bill`")
    vendor_type = "vendorid string, name string, _entity string, _deleted boolean"
    spark.createDataFrame(VENDORS, vendor_type).write.saveAsTable(f"`{schema}`.`vendor`")
    yield schema
    spark.sql(f"DROP SCHEMA `{schema}` CASCADE")


def run_notebook(spark: Any, schema: str) -> list[list[tuple]]:
    shown: list[Any] = []
    namespace = {
        "spark": spark,
        "dbutils": DbUtils({"catalog": "spark_catalog", "schema": schema}),
        "display": shown.append,
    }
    exec(compile(NOTEBOOK.read_text(), str(NOTEBOOK), "exec"), namespace)  # noqa: S102
    return [[tuple(row) for row in frame.collect()] for frame in shown]


def test_ap_aging_notebook_buckets_open_bills_and_ranks_vendor_spend(spark, synced_schema):
    by_bucket, by_vendor, spend = run_notebook(spark, synced_schema)
    d = Decimal
    assert by_bucket == [
        ("EUR", "1-30", 1, d("50")),
        ("USD", "current", 2, d("110")),
        ("USD", "1-30", 1, d("200.5")),
        ("USD", "31-60", 1, d("250")),
        ("USD", "61-90", 1, d("300")),
        ("USD", "90+", 1, d("400")),
    ]
    assert by_vendor == [  # vendor, name, currency, not due, 1-30, 31-60, 61-90, 90+, total
        ("V2", "Globex", "USD", d(0), d(0), d("250"), d("300"), d(0), d("550")),
        ("V3", "Initech", "USD", d("10"), d(0), d(0), d(0), d("400"), d("410")),
        ("V1", "Acme", "USD", d("100"), d("200.5"), d(0), d(0), d(0), d("300.5")),
        ("V3", "Initech", "EUR", d(0), d("50"), d(0), d(0), d(0), d("50")),
    ]
    assert spend == [  # vendor, name from the vendor table, currency, bills, spend
        ("V1", "Acme Supply", "USD", 3, d("800.5")),
        ("V2", "Globex", "USD", 2, d("550")),
        ("V3", "Initech", "USD", 1, d("400")),
        ("V3", "Initech", "EUR", 1, d("50")),
    ]
    assert all(
        isinstance(row[-1], Decimal) for rows in (by_bucket, by_vendor, spend) for row in rows
    )
