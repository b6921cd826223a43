"""notebooks/finance_analytics.py run top to bottom on a local Spark session, over the analysis
views made by the real refresher on small tables shaped like the synced ones. Only `dbutils`
(widgets) and `display` are stand-ins: they exist only in a workspace.

The tables hold the cases the views must get right, with figures worked out by hand: a bill
paid, a draft, a deleted one, one without a due date, one in a foreign currency (base amounts
count); a draft journal entry, a statistical line and a deleted line (left out); departments two
levels deep. tests/integration/test_analytics.py ties the same views out against the emulator.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from intacct_sync.analytics.refresh import refresh, schema_for
from intacct_sync.config import Settings

pytestmark = pytest.mark.spark

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "finance_analytics.py"
TODAY = datetime.now(timezone.utc).date()  # the local Spark session's current_date()
D = Decimal
# Due dates sit mid-bucket, so "today" moving on during the test cannot move a bill across.
# recordno, vendorid, vendorname, state, created (days ago), due (days from today), currency,
# entered, due (base currency), due (bill currency), deleted
BILLS = [
    (1, "V1", "Acme", "Posted", 30, 10, "EUR", "100.00", "100.00", "92.00", False),
    (2, "V1", "Acme", "Posted", 30, -15, "USD", "200.50", "200.50", "200.50", False),
    (3, "V2", "Globex", "Partially Paid", 60, -45, "USD", "300.00", "250.00", "250.00", False),
    (4, "V2", "Globex", "Posted", 90, -75, "USD", "300.00", "300.00", "300.00", False),
    (5, "V3", "Initech", "Posted", 250, -200, "USD", "400.00", "400.00", "400.00", False),
    (6, "V3", "Initech", "Draft", 30, -15, "USD", "50.00", "50.00", "50.00", False),
    (7, "V1", "Acme", "Paid", 30, -15, "USD", "500.00", "0.00", "0.00", False),
    (8, "V2", "Globex", "Posted", 30, -15, "USD", "999.00", "999.00", "999.00", True),
    (9, "V3", "Initech", "Posted", 400, None, "USD", "10.00", "10.00", "10.00", False),
]
ACCOUNTS = [  # recordno, accountno, title, type, normal balance
    (1, "1000", "Cash", "balancesheet", "debit"),
    (2, "2000", "Accounts payable", "balancesheet", "credit"),
    (3, "4000", "Sales", "incomestatement", "credit"),
    (4, "6000", "Rent", "incomestatement", "debit"),
    (5, "6100", "Travel", "incomestatement", "debit"),
]
GROUPS = [  # recordno, name, member type
    (1, "Balance Sheet", "Groups"),
    (2, "Assets", "Accounts"),
    (3, "Liabilities", "Accounts"),
    (4, "Income Statement", "Groups"),
    (5, "Expenses", "Accounts"),
    (6, "Revenue", "Accounts"),
]
MEMBERS = [(1, 1, "Assets"), (2, 1, "Liabilities"), (3, 4, "Expenses"), (4, 4, "Revenue")]
RANGES = [(1, 2, "1000", "1999"), (2, 3, "2000", "2999"), (3, 5, "6000", "6999"),
          (4, 6, "4000", "4999")]  # fmt: skip
DEPARTMENTS = [(1, "D1", "Operations", None), (2, "D2", "Facilities", 1), (3, "D3", "Sales", None),
               (4, "D4", "Travel desk", 3)]  # fmt: skip
P2 = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
P1 = (P2 - timedelta(days=1)).replace(day=1)  # the month before
BATCHES = [(10, "Posted", False), (11, "Posted", False), (12, "Draft", False)]
# batch, period, tr_type, account, department, amount, statistical, deleted
ENTRIES = [
    (10, P1, 1, "6000", "D2", "1000.00", False, False),
    (10, P1, -1, "2000", None, "1000.00", False, False),
    (11, P2, 1, "6100", "D4", "250.00", False, False),
    (11, P2, 1, "2000", None, "1000.00", False, False),
    (11, P2, -1, "1000", None, "1250.00", False, False),
    (11, P2, 1, "6100", "D4", "500.00", True, False),  # statistical: no money
    (11, P2, 1, "6000", "D2", "123.00", False, True),  # deleted in Intacct
    (12, P2, 1, "6000", "D2", "777.00", False, False),  # a draft entry
    (12, P2, -1, "2000", None, "777.00", False, False),
]
LIVE = "_deleted boolean, _synced_at timestamp"
MONEY = "decimal(38,10)"


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


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


def _table(spark: Any, schema: str, name: str, ddl: str, rows: list[tuple]) -> None:
    spark.createDataFrame(rows, ddl).write.format("delta").saveAsTable(f"`{schema}`.`{name}`")


@pytest.fixture
def views_schema(spark: Any) -> Iterator[str]:
    """A schema with the synced tables the AP and GL views read, then the views themselves."""
    schema = f"finance_{uuid.uuid4().hex[:10]}"
    spark.sql(f"CREATE SCHEMA `{schema}`")
    now = datetime.now(timezone.utc)
    bills = [
        (no, f"INV-{no}", vid, name, state, TODAY - timedelta(days=created),
         None if due is None else TODAY + timedelta(days=due), "USD", cur, D(entered),
         D(base_due), D(trx_due), "", deleted)
        for no, vid, name, state, created, due, cur, entered, base_due, trx_due, deleted in BILLS
    ]  # fmt: skip
    _table(spark, schema, "ap_bill",
           "recordno bigint, recordid string, vendorid string, vendorname string, state string, "
           "whencreated date, whendue date, basecurr string, currency string, "
           f"totalentered {MONEY}, totaldue {MONEY}, trx_totaldue {MONEY}, _entity string, "
           "_deleted boolean", bills)  # fmt: skip
    _table(spark, schema, "gl_account",
           f"recordno bigint, accountno string, title string, accounttype string, "
           f"normalbalance string, status string, {LIVE}",
           [(*a, "active", False, now) for a in ACCOUNTS])  # fmt: skip
    _table(spark, schema, "gl_account_group",
           f"recordno bigint, name string, title string, membertype string, "
           f"normal_balance string, {LIVE}",
           [(k, n, n, t, "debit", False, now) for k, n, t in GROUPS])  # fmt: skip
    _table(spark, schema, "gl_account_group_member",
           f"recordno bigint, parentkey bigint, childname string, {LIVE}",
           [(*m, False, now) for m in MEMBERS])  # fmt: skip
    _table(spark, schema, "gl_account_range",
           f"recordno bigint, parentkey bigint, rangefrom string, rangeto string, {LIVE}",
           [(*r, False, now) for r in RANGES])  # fmt: skip
    _table(spark, schema, "department",
           f"recordno bigint, departmentid string, title string, parentkey bigint, "
           f"status string, {LIVE}",
           [(*d, "active", False, now) for d in DEPARTMENTS])  # fmt: skip
    _table(spark, schema, "gl_batch", "recordno bigint, state string, _deleted boolean", BATCHES)
    entries = [
        (n, batch, period, "USD", account, dept, None, None, None, None, None, None, None,
         tr_type, D(amount), statistical, deleted)
        for n, (batch, period, tr_type, account, dept, amount, statistical, deleted)
        in enumerate(ENTRIES)
    ]  # fmt: skip
    _table(spark, schema, "gl_entry",
           "recordno bigint, batchno bigint, entry_date date, basecurr string, accountno string, "
           "department string, location string, classid string, projectid string, "
           "customerid string, vendorid string, employeeid string, itemid string, "
           f"tr_type bigint, amount {MONEY}, statistical boolean, _deleted boolean",
           entries)  # fmt: skip
    result = refresh(spark, schema_for(Settings(schema=schema)), "notebook-test")
    assert result.failed == {} and result.warnings == []
    assert set(result.skipped) == {
        "location_hierarchy", "class_hierarchy", "project_hierarchy", "ar_open_invoices",
        "ar_aging",
    }  # fmt: skip
    yield schema
    spark.sql(f"DROP SCHEMA `{schema}` CASCADE")


def run_notebook(spark: Any, schema: str) -> tuple[list[list[tuple]], list[str]]:
    """The notebook's displayed tables (as rows) and charts (their titles)."""
    plt = pytest.importorskip("matplotlib.pyplot", reason="the notebook draws with matplotlib")
    plt.switch_backend("Agg")
    shown: list[Any] = []
    namespace = {
        "spark": spark,
        "dbutils": DbUtils({"catalog": "spark_catalog", "schema": schema}),
        "display": shown.append,
    }
    exec(compile(NOTEBOOK.read_text(), str(NOTEBOOK), "exec"), namespace)  # noqa: S102
    tables = [[tuple(row) for row in x.collect()] for x in shown if hasattr(x, "collect")]
    charts = [x.axes[0].get_title() for x in shown if not hasattr(x, "collect")]
    return tables, charts


def test_finance_notebook_shows_aging_forecast_spend_trial_balance_and_cost_centers(
    spark, views_schema
):
    tables, charts = run_notebook(spark, views_schema)
    aging, by_vendor, forecast, trend, top, check, by_group, cost_centers = tables
    # Base currency: bill 1 is EUR 92.00 in its own currency, USD 100.00 due in base.
    assert [(r[2], r[3], r[4]) for r in aging] == [
        ("current", 2, D("110")),  # bill 1, and bill 9 without a due date
        ("1-30", 1, D("200.5")),
        ("31-60", 1, D("250")),  # what is left of a partly paid bill
        ("61-90", 1, D("300")),
        ("over 90", 1, D("400")),
    ]  # the draft, the paid and the deleted bills owe nothing
    assert [(r[1], r[3], r[-3]) for r in by_vendor] == [
        ("V2", 2, D("550")),
        ("V3", 2, D("410")),
        ("V1", 2, D("300.5")),
    ]
    assert [(r[1], r[2], r[4]) for r in forecast] == [
        ("past due", None, D("1150.5")),
        (str(monday(TODAY)), monday(TODAY), D("10")),
        (str(monday(TODAY + timedelta(days=10))), monday(TODAY + timedelta(days=10)), D("100")),
    ]
    assert sum(r[4] for r in forecast) == sum(r[4] for r in aging) == D("1260.5")
    assert sum(r[3] for r in trend) == D("1810.5")  # posted bills of 24 months, paid ones too
    assert [(r[0], r[3], r[4]) for r in top] == [
        ("V1", 3, D("800.5")),
        ("V2", 2, D("600")),
        ("V3", 1, D("400")),  # bill 9 is 13 months old
    ]
    assert [(r[0], r[2], r[3], r[4]) for r in check] == [
        (P2, D("1250"), D("1250"), D(0)),  # no draft entry, statistical or deleted line
        (P1, D("1000"), D("1000"), D(0)),
    ]
    assert [(r[2], r[4], r[5], r[6], r[7]) for r in by_group] == [
        (1, "Balance Sheet", D("1000"), D("1250"), D("-250")),
        (2, "Balance Sheet > Assets", D(0), D("1250"), D("-1250")),
        (2, "Balance Sheet > Liabilities", D("1000"), D(0), D("1000")),
        (1, "Income Statement", D("250"), D(0), D("250")),
        (2, "Income Statement > Expenses", D("250"), D(0), D("250")),
    ]
    assert cost_centers == [
        ("Operations", "Facilities", "USD", D("1000")),
        ("Sales", "Travel desk", "USD", D("250")),
    ]
    money = [r[4] for r in aging] + [r[4] for r in check] + [r[3] for r in cost_centers]
    assert all(isinstance(v, Decimal) for v in money)
    assert charts == [
        "AP aging: amount due by days past due",
        "AP cash forecast: amount due by week",
        "Vendor spend per month",
        f"Balance by account group, {P2}",
        "Spend by top-level department, last 12 months",
    ]
