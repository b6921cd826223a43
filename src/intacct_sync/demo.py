"""``make demo``: the main job end to end on the embedded default.

Starts the emulator, runs a full sync of every object into a local Delta warehouse, changes,
adds and deletes a few records in "Intacct", runs an incremental sync, and prints a summary and
one AP aging query. The emulator applies changes at once, so the demo runs with a lag of 0
(production keeps a few minutes for Intacct's eventual consistency).
"""

from __future__ import annotations

import shutil
from datetime import timedelta

from rich.console import Console
from rich.table import Table

from intacct_sync.config import Settings
from intacct_sync.progress import Progress
from intacct_sync.report import print_summary
from intacct_sync.secrets import IntacctSecrets

console = Console()

AP_AGING_SQL = """
SELECT CASE
         WHEN datediff(current_date(), whendue) <= 0 THEN '1 current'
         WHEN datediff(current_date(), whendue) <= 30 THEN '2 1-30 days'
         WHEN datediff(current_date(), whendue) <= 60 THEN '3 31-60 days'
         WHEN datediff(current_date(), whendue) <= 90 THEN '4 61-90 days'
         ELSE '5 over 90 days' END AS bucket,
       count(*) AS bills,
       sum(totaldue) AS total_due
FROM {table}
WHERE NOT _deleted AND totaldue > 0
GROUP BY 1 ORDER BY 1
"""


def run_demo(warehouse: str = ".demo/lakehouse", seed: int = 7, scale: str = "small") -> int:
    from intacct_sync.emulator import Emulator
    from intacct_sync.runner import make_client, open_spark, run_sync

    shutil.rmtree(warehouse, ignore_errors=True)
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
        _print_aging(spark, settings)
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
    table = Table(title="tables in the local Delta warehouse")
    table.add_column("table")
    table.add_column("live rows", justify="right")
    table.add_column("deleted", justify="right")
    for row in spark.sql(f"SHOW TABLES IN {names.qualified_schema}").collect():
        name = row["tableName"]
        if name.startswith("_"):
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


def _print_aging(spark, settings: Settings) -> None:
    names = settings.table_names()
    rows = spark.sql(AP_AGING_SQL.format(table=names.qualified("ap_bill"))).collect()
    table = Table(title="AP aging (open bills by days past due)")
    for col in ("bucket", "bills", "total due"):
        table.add_column(col, justify="right" if col != "bucket" else "left")
    for r in rows:
        table.add_row(r["bucket"][2:], f"{r['bills']:,}", f"{r['total_due']:,.2f}")
    console.print(table)
