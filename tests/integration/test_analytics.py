"""The analysis views on a real sync: emulator over HTTP -> local Delta -> views -> dashboard.

One company and one schema for the module, synced once in full (AR left out, so its views wait
for their table); the tests tie the views out against the emulator's own figures, computed here
from its rows in Decimal, and run every query of the dashboard file. Then, in file order: a run
with no change (no view made again), a stale view, and a run that brings AR and breaks the
hierarchies (cycles, a missing parent, a tree too deep, a member and a range of missing groups,
an account in no group): warnings in the run's `_run` row, nothing loops, the sync succeeds.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from chispa import assert_df_equality

from intacct_sync.analytics.refresh import CHECKS, refresh, schema_for
from intacct_sync.analytics.views import HASH_PROPERTY, LEVELS, RUN_PROPERTY, VIEWS
from intacct_sync.config import Settings
from intacct_sync.emulator import Emulator
from intacct_sync.lake.names import TableNames
from intacct_sync.pipeline import RunSummary
from intacct_sync.runner import run_sync
from tests.support import dashboard
from tests.support.sync import client_for, settings_for

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("analytics")]

FIRST = (
    "GLACCOUNT", "GLACCTGRP", "GLACCTGRPMEMBER", "GLACCTRANGE", "DEPARTMENT", "LOCATION", "CLASS",
    "PROJECT", "APBILL", "GLBATCH", "GLENTRY",
)  # fmt: skip
AR_VIEWS = ["ar_open_invoices", "ar_aging"]
BEFORE_AR = [v.name for v in VIEWS if v.name not in AR_VIEWS]
UNPOSTED = {"Draft", "Submitted", "Partially Approved", "Declined"}
BUCKETS = {1: "current", 2: "1-30", 3: "31-60", 4: "61-90", 5: "over 90"}


@dataclass
class Finance:
    emu: Emulator
    names: TableNames
    settings: Settings
    client: Any
    runs: list[RunSummary] = field(default_factory=list)


@pytest.fixture(scope="session")  # one sync per worker, even if the worker interleaves modules
def finance(spark):
    with Emulator(seed=7, scale="small") as emu:
        add_bills_due_soon(emu.company, utc_today())
        names = TableNames("main", f"fin_{uuid.uuid4().hex[:10]}")
        settings = settings_for(emu, names, objects=FIRST, analytics=True)
        with client_for(emu, settings) as client:
            first = run_sync(settings, client=client, spark=spark)
            assert first.exit_code == 0, [(r.object, r.error_message) for r in first.failed]
            yield Finance(emu, names, settings, client, [first])


def utc_today() -> date:
    return datetime.now(timezone.utc).date()  # the local Spark session runs in UTC


def add_bills_due_soon(company, today: date) -> None:
    """The generated bills are all overdue: three more make the forecast's weeks and the
    current bucket, and a draft shows that unposted bills owe nothing yet."""
    for n, (state, days, due) in enumerate(
        [
            ("Posted", 3, "1200.10"),
            ("Posted", 12, "800.05"),
            ("Partially Paid", 0, "99.99"),
            ("Draft", 5, "5000.00"),
        ]  # fmt: skip
    ):
        company.insert(
            "APBILL",
            {
                "RECORDID": f"INV-SOON-{n}",
                "VENDORID": "V-01001",
                "VENDORNAME": "Soon Ltd",
                "STATE": state,
                "WHENCREATED": today,
                "WHENDUE": today + timedelta(days=days),
                "BASECURR": "USD",
                "CURRENCY": "USD",
                "TOTALENTERED": due,
                "TOTALDUE": due,
                "TRX_TOTALENTERED": due,
                "TRX_TOTALDUE": due,
            },  # fmt: skip
        )


def view(spark, finance, name: str):
    return spark.table(finance.names.qualified(name))


def run_warnings(spark, names: TableNames, run_id: str) -> list[str]:
    """The run-level warnings as `_sync_runs` stores them (the `_run` row)."""
    row = (
        spark.table(names.qualified("_sync_runs"))
        .where(f"run_id = '{run_id}' AND object = '_run'")
        .first()
    )
    return json.loads(row["warnings"]) if row["warnings"] else []


def saved_views(spark, schema: str) -> set[str]:
    """The schema's views (SHOW VIEWS also lists the session's temporary ones)."""
    rows = spark.sql(f"SHOW VIEWS IN `{schema}`").collect()
    return {r["viewName"] for r in rows if not r["isTemporary"]}


def view_properties(spark, finance, name: str) -> dict[str, str]:
    rows = spark.sql(f"SHOW TBLPROPERTIES {finance.names.qualified(name)}").collect()
    return {row["key"]: row["value"] for row in rows}


def day(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


def money(text: str) -> Decimal:
    return Decimal(text or "0")


def open_documents(rows: list[dict], unposted: set[str]) -> list[dict]:
    return [r for r in rows if r["STATE"] not in unposted and money(r["TOTALDUE"]) != 0]


def bucket_of(days_past_due: int) -> int:
    for order, upper in ((1, 0), (2, 30), (3, 60), (4, 90)):
        if days_past_due <= upper:
            return order
    return 5


def expected_aging(spark, rows: list[dict], schema) -> Any:
    today = spark.sql("SELECT current_date()").first()[0]
    sums: dict[int, list] = {order: [0, Decimal(0)] for order in BUCKETS}
    for r in rows:
        due = day(r["WHENDUE"]) if r["WHENDUE"] else today
        entry = sums[bucket_of(max((today - due).days, 0))]
        entry[0] += 1
        entry[1] += money(r["TOTALDUE"])
    data = [("USD", order, BUCKETS[order], n, total) for order, (n, total) in sums.items()]
    return spark.createDataFrame(data, schema)


# --- the first run --------------------------------------------------------------------------


def test_first_run_makes_every_view_whose_tables_are_synced_and_skips_ar(spark, finance):
    (first,) = finance.runs
    assert first.analytics.created == BEFORE_AR
    assert first.analytics.skipped == {
        "ar_open_invoices": "no table ar_invoice (sync ARINVOICE for it)",
        "ar_aging": "reads ar_open_invoices, which is not in place",
    }
    assert first.analytics.failed == {} and run_warnings(spark, finance.names, first.run_id) == []
    assert saved_views(spark, finance.names.schema) == set(BEFORE_AR)
    for name in BEFORE_AR:
        properties = view_properties(spark, finance, name)
        assert properties[RUN_PROPERTY] == first.run_id and len(properties[HASH_PROPERTY]) == 64


def test_aging_and_forecast_total_the_open_bills_to_the_cent(spark, finance):
    bills = open_documents(finance.emu.company.rows("APBILL"), UNPOSTED)
    aging = view(spark, finance, "ap_aging").select(
        "base_currency", "bucket_order", "bucket", "bills", "total_due"
    )
    assert_df_equality(aging, expected_aging(spark, bills, aging.schema), ignore_row_order=True)
    total = sum(money(r["TOTALDUE"]) for r in bills)
    forecast = view(spark, finance, "ap_cash_forecast").collect()
    assert sum(r["total_due"] for r in forecast) == total
    assert sum(r["bills"] for r in forecast) == len(bills)
    today = spark.sql("SELECT current_date()").first()[0]
    weeks: dict[Any, Decimal] = defaultdict(Decimal)
    for r in bills:
        due = day(r["WHENDUE"])
        weeks[None if due < today else due - timedelta(days=due.weekday())] += money(r["TOTALDUE"])
    assert {r["week_start"]: r["total_due"] for r in forecast} == weeks
    assert {r["due_week"] for r in forecast if r["week_start"] is None} == {"past due"}
    assert len(weeks) >= 3  # past due, and the weeks of the bills due soon
    by_vendor = view(spark, finance, "ap_aging_by_vendor").collect()
    assert sum(r["total_due"] for r in by_vendor) == total
    for r in by_vendor:
        buckets = (r["current_due"], r["days_1_30"], r["days_31_60"], r["days_61_90"], r["over_90"])
        assert sum(buckets) == r["total_due"]
    assert all(isinstance(r["total_due"], Decimal) for r in [*forecast, *by_vendor])


def test_vendor_spend_is_what_posted_bills_entered_per_month(spark, finance):
    expected: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for r in finance.emu.company.rows("APBILL"):
        if r["STATE"] not in UNPOSTED:
            entry = expected[(day(r["WHENCREATED"]).replace(day=1), r["VENDORID"])]
            entry[0] += 1
            entry[1] += money(r["TOTALENTERED"])
    rows = view(spark, finance, "vendor_spend_monthly").collect()
    assert {(r["month"], r["vendorid"]): [r["bills"], r["amount"]] for r in rows} == expected


def gl_expected(company) -> dict[tuple, list[Decimal]]:
    """(period, account) -> [debits, credits] of posted, non-statistical lines."""
    posted = {r["RECORDNO"] for r in company.rows("GLBATCH") if r["STATE"] not in UNPOSTED}
    out: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in company.rows("GLENTRY"):
        if r["BATCHNO"] in posted and r["STATISTICAL"] != "T":
            side = 0 if r["TR_TYPE"] == "1" else 1
            out[(day(r["ENTRY_DATE"]).replace(day=1), r["ACCOUNTNO"])][side] += money(r["AMOUNT"])
    return out


def test_trial_balance_is_the_emulators_gl_and_debits_equal_credits(spark, finance):
    expected = gl_expected(finance.emu.company)
    tb = view(spark, finance, "trial_balance").select(
        "period", "base_currency", "accountno", "debit", "credit", "balance"
    )
    rows = [
        (period, "USD", account, debit, credit, debit - credit)
        for (period, account), (debit, credit) in expected.items()
    ]
    assert_df_equality(tb, spark.createDataFrame(rows, tb.schema), ignore_row_order=True)
    by_period = spark.sql(
        f"SELECT period, sum(debit) AS d, sum(credit) AS c, sum(balance) AS b "
        f"FROM {finance.names.qualified('trial_balance')} GROUP BY period"
    ).collect()
    assert len(by_period) >= 6
    assert all(r["d"] == r["c"] and r["b"] == 0 and r["d"] > 0 for r in by_period)
    # The roll-up: the top groups (the two statements) hold every account exactly once.
    tops = spark.sql(
        f"SELECT period, sum(debit) AS d, sum(credit) AS c "
        f"FROM {finance.names.qualified('trial_balance_by_group')} WHERE group_level = 1 "
        "GROUP BY period"
    ).collect()
    assert {(r["period"], r["d"], r["c"]) for r in tops} == {
        (r["period"], r["d"], r["c"]) for r in by_period
    }


def test_gl_balance_runs_balance_sheet_accounts_only_and_sums_to_the_trial_balance(spark, finance):
    gl = finance.names.qualified("gl_balance_by_period")
    mixed = spark.sql(
        f"SELECT account_type, count(running_balance) AS running FROM {gl} GROUP BY account_type"
    ).collect()
    assert {r["account_type"]: r["running"] > 0 for r in mixed} == {
        "balancesheet": True,
        "incomestatement": False,
    }
    # Each combination's running balance is the sum of its nets so far.
    rows = spark.sql(
        f"SELECT * FROM {gl} WHERE account_type = 'balancesheet' ORDER BY period"
    ).collect()
    so_far: dict[tuple, Decimal] = defaultdict(Decimal)
    dims = ("accountno", "departmentid", "locationid", "classid", "projectid", "customerid",
            "vendorid", "employeeid", "itemid")  # fmt: skip
    for r in rows:
        key = tuple(r[d] for d in dims)
        so_far[key] += r["net"]
        assert r["running_balance"] == so_far[key] and r["net"] == r["debit"] - r["credit"]
    totals = spark.sql(f"SELECT sum(debit) AS d, sum(credit) AS c FROM {gl}").first()
    expected = gl_expected(finance.emu.company).values()
    assert (totals["d"], totals["c"]) == tuple(map(sum, zip(*expected, strict=True)))


def group_paths(company) -> dict[str, str]:
    """Account number -> its chain of groups, walked here from the emulator's own rows."""
    groups = {r["RECORDNO"]: r["NAME"] for r in company.rows("GLACCTGRP")}
    parent = {m["CHILDNAME"]: groups[m["PARENTKEY"]] for m in company.rows("GLACCTGRPMEMBER")}
    out = {}
    for account in company.rows("GLACCOUNT"):
        no = account["ACCOUNTNO"]
        (leaf,) = [
            groups[r["PARENTKEY"]]
            for r in company.rows("GLACCTRANGE")
            if r["RANGEFROM"] <= no <= r["RANGETO"]
        ]
        chain = [leaf]
        while chain[-1] in parent:
            chain.append(parent[chain[-1]])
        out[no] = " > ".join(reversed(chain))
    return out


def test_every_live_account_is_under_its_chain_of_groups(spark, finance):
    rows = view(spark, finance, "gl_account_hierarchy").collect()
    assert {r["accountno"]: r["path"] for r in rows} == group_paths(finance.emu.company)
    assert len(rows) == finance.emu.company.count("GLACCOUNT")  # one chain each here
    for r in rows:
        levels = [r[f"level_{n}"] for n in range(1, LEVELS + 1)]
        assert levels[: r["depth"]] == r["path"].split(" > ") and not any(levels[r["depth"] :])
        assert r["issue"] is None and r["account_groupkey"] is not None


def department_chains(company) -> dict[str, tuple[str, str | None]]:
    """Department ID -> (its ID path, its issue), walked here from the emulator's rows with the
    view's bound: 10 members at most, a repeat is a cycle, an unknown parent is missing."""
    rows = {r["RECORDNO"]: r for r in company.rows("DEPARTMENT")}
    out = {}
    for key, row in rows.items():
        chain, issue = [key], None
        while rows[chain[-1]]["PARENTKEY"]:
            parent = rows[chain[-1]]["PARENTKEY"]
            if parent in chain:
                issue = "cycle"
            elif len(chain) == LEVELS:
                issue = f"deeper than {LEVELS} levels"
            elif parent not in rows:
                issue = f"missing parent {parent}"
            if issue:
                break
            chain.append(parent)
        out[row["DEPARTMENTID"]] = (" > ".join(rows[k]["DEPARTMENTID"] for k in reversed(chain)),
                                    issue)  # fmt: skip
    return out


def test_every_live_department_is_under_its_parents(spark, finance):
    rows = view(spark, finance, "department_hierarchy").collect()
    assert {r["id"]: (r["id_path"], r["issue"]) for r in rows} == department_chains(
        finance.emu.company
    )
    assert max(r["depth"] for r in rows) >= 3
    for name, obj in (("location", "LOCATION"), ("class", "CLASS"), ("project", "PROJECT")):
        ids = {r["id"] for r in view(spark, finance, f"{name}_hierarchy").collect()}
        assert ids == {r[f"{obj}ID"] for r in finance.emu.company.rows(obj)}


def test_every_dashboard_query_runs_on_the_synced_views(spark, finance):
    board = dashboard.load()
    spark.catalog.setCurrentDatabase(finance.names.schema)  # what dataset_schema does
    frames = []
    try:
        for name, text in dashboard.datasets(board).items():
            frame = spark.sql(text).cache()  # each dataset once; its widgets read the result
            frames.append(frame)
            assert frame.count(), f"dataset {name} is empty"
            frame.createOrReplaceTempView(f"dataset_{name}")
        for page, widget in dashboard.widgets(board):
            for query in widget.get("queries", []):
                q = query["query"]
                sql = dashboard.widget_sql(f"SELECT * FROM dataset_{q['datasetName']}", q)
                assert spark.sql(sql).collect(), (page, widget["name"])
    finally:
        spark.catalog.setCurrentDatabase("default")
        for name in dashboard.datasets(board):
            spark.catalog.dropTempView(f"dataset_{name}")
        for frame in frames:
            frame.unpersist()


# --- later runs -----------------------------------------------------------------------------


def test_a_run_with_no_change_makes_no_view_again_and_checks_nothing(spark, finance):
    second = run_sync(finance.settings, client=finance.client, spark=spark)
    finance.runs.append(second)
    assert second.exit_code == 0
    assert second.analytics.created == [] and second.analytics.unchanged == BEFORE_AR
    assert second.analytics.checked == [] and second.analytics.warnings == []
    first = finance.runs[0]
    # The metastore says so: every view still carries the first run's id.
    assert {
        n: view_properties(spark, finance, n)[RUN_PROPERTY] for n in BEFORE_AR
    } == dict.fromkeys(BEFORE_AR, first.run_id)


def test_a_view_whose_sql_changed_is_made_again_with_the_views_that_read_it(spark, finance):
    target = finance.names.qualified("ap_open_bills")
    spark.sql(f"ALTER VIEW {target} SET TBLPROPERTIES ('{HASH_PROPERTY}' = 'an older release')")
    result = refresh(spark, schema_for(finance.settings), "manual", changed=set())
    again = ["ap_open_bills", "ap_aging", "ap_aging_by_vendor", "ap_cash_forecast"]
    assert result.created == again and result.warnings == []
    assert {n: view_properties(spark, finance, n)[RUN_PROPERTY] for n in again} == dict.fromkeys(
        again, "manual"
    )


def break_hierarchies(company) -> None:
    """What a hurried admin could leave behind in Intacct."""
    depts = {r["DEPARTMENTID"]: int(r["RECORDNO"]) for r in company.rows("DEPARTMENT")}
    company.update("DEPARTMENT", depts["D101"], {"PARENTKEY": depts["D104"]})  # 101 <-> 104
    company.update("DEPARTMENT", depts["D107"], {"PARENTKEY": 99999})  # no such department
    parent = None
    for n in range(LEVELS + 1):  # a tree one level deeper than the views follow
        parent = company.insert(
            "DEPARTMENT", {"DEPARTMENTID": f"DEEP{n}", "TITLE": f"Deep {n}", "PARENTKEY": parent}
        )
    groups = {r["NAME"]: int(r["RECORDNO"]) for r in company.rows("GLACCTGRP")}
    company.insert(  # Balance Sheet under Assets, which is under Balance Sheet
        "GLACCTGRPMEMBER", {"PARENTKEY": groups["Assets"], "CHILDNAME": "Balance Sheet"}
    )
    company.insert("GLACCTGRPMEMBER", {"PARENTKEY": groups["Equity"], "CHILDNAME": "Nowhere"})
    company.insert("GLACCTRANGE", {"PARENTKEY": 999, "RANGEFROM": "0900", "RANGETO": "0950"})
    company.insert(
        "GLACCOUNT",
        {
            "ACCOUNTNO": "0999",
            "TITLE": "Suspense",
            "ACCOUNTTYPE": "balancesheet",
            "NORMALBALANCE": "debit",
            "STATUS": "active",
        },  # fmt: skip
    )


def test_broken_hierarchies_are_run_warnings_and_nothing_loops(spark, finance):
    company = finance.emu.company
    break_hierarchies(company)
    changed = ("DEPARTMENT", "GLACCOUNT", "GLACCTGRPMEMBER", "GLACCTRANGE", "ARINVOICE")
    settings = finance.settings.with_overrides(objects=changed, full_refresh=True)
    third = run_sync(settings, client=finance.client, spark=spark)
    finance.runs.append(third)
    assert third.exit_code == 0, [(r.object, r.error_message) for r in third.failed]
    # AR's table appeared: its views are made now; nothing else changed its SQL.
    assert third.analytics.created == AR_VIEWS and third.analytics.skipped == {}
    # Only the checks on tables this run changed ran.
    assert set(third.analytics.checked) == {c.name for c in CHECKS} - {
        "location_hierarchy", "class_hierarchy", "project_hierarchy",
    }  # fmt: skip
    warnings = run_warnings(spark, finance.names, third.run_id)
    assert warnings == third.analytics.warnings and len(warnings) == 5, warnings
    by_check = {w.split(":")[0].removeprefix("analysis check "): w for w in warnings}
    # Checks run two at a time; their findings come in the order of CHECKS all the same.
    assert list(by_check) == [c.name for c in CHECKS if c.name in by_check]
    chains = department_chains(company)
    broken = {d: issue for d, (_path, issue) in chains.items() if issue}
    assert by_check["department_hierarchy"].startswith(
        f"analysis check department_hierarchy: {len(broken)} departments in a cycle"
    )
    assert len(broken) <= 10  # so the warning names every one
    for text in ("D101 (Finance): cycle", "D104 (Marketing): cycle",
                 "D107 (Human Resources): missing parent 99999",
                 "DEEP10 (Deep 10): deeper than 10 levels"):  # fmt: skip
        assert text in by_check["department_hierarchy"]
    assert ": cycle" in by_check["gl_account_group_hierarchy"]
    assert by_check["gl_account_group_member"].endswith(": no group Nowhere")
    assert by_check["gl_account_range"].endswith(": range 0900..0950 of missing group 999")
    assert by_check["gl_account_hierarchy"].endswith(": 0999 Suspense")
    rows = view(spark, finance, "department_hierarchy").collect()
    assert {r["id"]: (r["id_path"], r["issue"]) for r in rows} == chains
    assert max(r["depth"] for r in rows) == LEVELS
    ungrouped = view(spark, finance, "gl_account_hierarchy").where("accountno = '0999'").first()
    assert (ungrouped["level_1"], ungrouped["path"], ungrouped["depth"]) == ("Ungrouped",) * 2 + (
        1,
    )


def test_ar_aging_totals_the_open_invoices_to_the_cent(spark, finance):
    invoices = open_documents(finance.emu.company.rows("ARINVOICE"), {"Draft", "Submitted"})
    aging = view(spark, finance, "ar_aging").select(
        "base_currency", "bucket_order", "bucket", "invoices", "total_due"
    )
    assert_df_equality(aging, expected_aging(spark, invoices, aging.schema), ignore_row_order=True)


# --- when a view cannot be made ---------------------------------------------------------------


def test_a_view_that_cannot_be_made_is_a_run_warning_and_the_sync_stands(
    spark, lake_names, emulator
):
    mine = lake_names.qualified("class_hierarchy")  # an analyst's own table, by that name
    spark.sql(f"CREATE TABLE {mine} (note STRING) USING delta")
    spark.sql(f"INSERT INTO {mine} VALUES ('mine')")
    settings = settings_for(emulator, lake_names, objects=("CLASS",), analytics=False)
    with client_for(emulator, settings) as client:
        off = run_sync(settings, client=client, spark=spark)
        assert off.exit_code == 0 and off.analytics is None
        assert saved_views(spark, lake_names.schema) == set()
        on = run_sync(settings.with_overrides(analytics=True), client=client, spark=spark)
    assert on.exit_code == 0 and on.analytics.created == []
    why = (
        "a table named class_hierarchy is in the schema; it is left as it is and the view is "
        "not created (rename or drop that table)"
    )
    assert on.analytics.failed == {"class_hierarchy": why}
    assert run_warnings(spark, lake_names, on.run_id) == [
        f"analysis view class_hierarchy was not refreshed: {why}"
    ]
    assert len(on.analytics.skipped) == len(VIEWS) - 1  # their tables are not synced
    assert spark.sql(f"DESCRIBE HISTORY {mine}").count() == 2  # create, insert: untouched
    assert [r["note"] for r in spark.table(mine).collect()] == ["mine"]


def test_a_sql_error_names_the_view_and_the_views_reading_it_wait(spark, lake_names):
    bills = lake_names.qualified("ap_bill")  # a table without most of the bill's columns
    spark.sql(f"CREATE TABLE {bills} (recordno BIGINT, state STRING, _deleted BOOLEAN) USING delta")
    settings = Settings(catalog=lake_names.catalog, schema=lake_names.schema)
    result = refresh(spark, schema_for(settings), "r1")
    assert list(result.failed) == ["ap_open_bills", "vendor_spend_monthly"]
    assert [w.split(": [")[0] for w in result.warnings] == [
        "analysis view ap_open_bills was not refreshed: AnalysisException",
        "analysis view vendor_spend_monthly was not refreshed: AnalysisException",
    ]
    assert all("UNRESOLVED_COLUMN" in w for w in result.warnings)
    assert {result.skipped[v] for v in ("ap_aging", "ap_aging_by_vendor", "ap_cash_forecast")} == {
        "reads ap_open_bills, which is not in place"
    }
    assert result.created == [] and saved_views(spark, lake_names.schema) == set()
