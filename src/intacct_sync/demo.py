"""``make demo``: the main job end to end on the embedded default.

Starts the emulator, runs a full sync of every object into a local Delta warehouse, changes,
adds and deletes a few records in "Intacct", runs an incremental sync, and prints a summary and
what the analysis views the sync keeps say: the AP aging, the cash forecast and the trial
balance check. The emulator applies changes at once, so the demo runs with a lag of 0
(production keeps a few minutes for Intacct's eventual consistency).
"""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta

from rich.console import Console
from rich.table import Table

from intacct_sync.config import Settings
from intacct_sync.progress import Progress
from intacct_sync.report import print_summary
from intacct_sync.secrets import IntacctSecrets

console = Console()


def run_demo(warehouse: str = ".demo/lakehouse", seed: int = 7, scale: str = "small") -> int:
    from intacct_sync.emulator import Emulator
    from intacct_sync.runner import make_client, open_spark, run_sync

    shutil.rmtree(warehouse, ignore_errors=True)
    # The emulator answers as real Intacct does (fields lookup lists but query refuses, a heavy
    # GLENTRY page timing out): the run adapts, and each adaptation is a notice in the summary
    # below. The demo shows them there once, not again as log lines.
    logging.getLogger("intacct_sync.intacct.adaptive").setLevel(logging.ERROR)
    console.rule("intacct-sync demo")
    with Emulator(seed=seed, scale=scale) as emu:
        console.print(
            f"emulator serving a synthetic company at {emu.url} (seed {seed}, scale {scale})"
        )
        settings = Settings(
            endpoint_url=emu.url,
            warehouse=warehouse,
            schema="intacct_demo",
            lag=timedelta(0),
            progress=False,
        )
        secrets = IntacctSecrets.from_mapping(emu.credentials, source="embedded emulator")
        spark = open_spark(settings)
        with make_client(settings, secrets) as client:
            full = run_sync(settings, client=client, spark=spark, events=Progress(enabled=False))
            print_summary(full, "1. full sync")
            for line in make_changes(emu.company):
                console.print(f"  changed in Intacct: {line}")
            incremental = run_sync(
                settings, client=client, spark=spark, events=Progress(enabled=False)
            )
            print_summary(incremental, "2. incremental sync")
        _print_tables(spark, settings)
        _print_analytics(spark, settings)
    return max(full.exit_code, incremental.exit_code)


def make_changes(company) -> list[str]:
    """A few edits, inserts and deletes, as an accountant would make them in Intacct."""
    lines = []
    bills = company.rows("APBILL")
    first, second = bills[0], bills[1]
    company.update("APBILL", int(first["RECORDNO"]), {"DESCRIPTION": "Corrected invoice reference"})
    lines.append(f"APBILL {first['RECORDNO']} description edited")
    company.delete("APBILL", int(second["RECORDNO"]))
    lines.append(f"APBILL {second['RECORDNO']} deleted (its lines and payment details go with it)")
    vendor = company.insert("VENDOR", {"VENDORID": "V-DEMO-1", "NAME": "Demo Supplies Ltd"})
    lines.append(f"VENDOR {vendor} added")
    dept = company.insert("DEPARTMENT", {"DEPARTMENTID": "D-DEMO", "TITLE": "Demo Department"})
    lines.append(f"DEPARTMENT {dept} added")
    return lines


def _print_tables(spark, settings: Settings) -> None:
    from pyspark.sql import functions as F

    names = settings.table_names()
    views = {
        row["viewName"] for row in spark.sql(f"SHOW VIEWS IN {names.qualified_schema}").collect()
    }
    table = Table(title="tables in the local Delta warehouse")
    table.add_column("table")
    table.add_column("live rows", justify="right")
    table.add_column("deleted", justify="right")
    for row in spark.sql(f"SHOW TABLES IN {names.qualified_schema}").collect():
        name = row["tableName"]
        if name.startswith("_") or name in views:
            continue
        deleted = F.coalesce(F.col("_deleted"), F.lit(False))
        counts = (
            spark.table(names.qualified(name))
            .agg(
                F.sum(F.when(deleted, 0).otherwise(1)).alias("live"),
                F.sum(F.when(deleted, 1).otherwise(0)).alias("gone"),
            )
            .first()
        )
        table.add_row(name, f"{counts['live'] or 0:,}", f"{counts['gone'] or 0:,}")
    console.print(table)
    console.print(f"analysis views: {', '.join(sorted(views))}")


def _print_analytics(spark, settings: Settings) -> None:
    """Three of the analysis views, read as an analyst would (README, "Finance analytics")."""
    from pyspark.sql import functions as F

    names = settings.table_names()
    aging = (
        spark.table(names.qualified("ap_aging")).orderBy("base_currency", "bucket_order").collect()
    )
    table = Table(title=f"AP aging as of {aging[0]['as_of'] if aging else 'today'} (ap_aging)")
    for col in ("days past due", "bills", "total due"):
        table.add_column(col, justify="left" if col == "days past due" else "right")
    for r in aging:
        table.add_row(r["bucket"], f"{r['bills']:,}", _money(r["total_due"], r["base_currency"]))
    console.print(table)

    forecast = (
        spark.table(names.qualified("ap_cash_forecast"))
        .orderBy("base_currency", F.col("week_start").asc_nulls_first())
        .collect()
    )
    table = Table(title="AP cash forecast: open bills by due week (ap_cash_forecast)")
    for col in ("week", "bills", "total due"):
        table.add_column(col, justify="left" if col == "week" else "right")
    for r in forecast:
        week = "past due" if r["week_start"] is None else f"week of {r['week_start']}"
        table.add_row(week, f"{r['bills']:,}", _money(r["total_due"], r["base_currency"]))
    console.print(table)
    total_aging = sum(r["total_due"] for r in aging)
    total_forecast = sum(r["total_due"] for r in forecast)
    same = "the same" if total_aging == total_forecast else "[red]DIFFERENT[/red]"
    console.print(f"aging total {total_aging:,.2f}, forecast total {total_forecast:,.2f}: {same}")

    periods = (
        spark.table(names.qualified("trial_balance"))
        .groupBy("period", "base_currency")
        .agg(F.sum("debit").alias("debit"), F.sum("credit").alias("credit"))
        .orderBy(F.col("period").desc())
        .collect()
    )
    table = Table(title="trial balance check, last six periods (trial_balance)")
    for col in ("period", "debits", "credits", "debits - credits"):
        table.add_column(col, justify="left" if col == "period" else "right")
    for r in periods[:6]:
        cur = r["base_currency"]
        table.add_row(
            f"{r['period']:%Y-%m}",
            _money(r["debit"], cur),
            _money(r["credit"], cur),
            _money(r["debit"] - r["credit"], cur),
        )
    console.print(table)
    unbalanced = [r["period"] for r in periods if r["debit"] != r["credit"]]
    if unbalanced:
        console.print(f"[red]debits and credits differ in {len(unbalanced)} period(s)[/red]")
    else:
        console.print(f"debits equal credits in all {len(periods)} periods")


def _money(amount, currency: str | None) -> str:
    return f"{amount:,.2f} {currency or ''}".rstrip()
