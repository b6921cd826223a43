# Databricks notebook source
# MAGIC %md
# MAGIC # Rerun intacct-sync by hand
# MAGIC
# MAGIC Runs the same `intacct-sync run` as the nightly job, for the objects and with the options
# MAGIC chosen in the widgets above, then shows what this run wrote to `_sync_runs`.
# MAGIC
# MAGIC | widget | meaning |
# MAGIC |---|---|
# MAGIC | `objects` | comma list of Intacct objects, e.g. `APBILL,APBILLITEM`; empty = all |
# MAGIC | `full_refresh` | `true` re-reads the objects from the beginning (ignores their watermarks) |
# MAGIC | `entity` | comma list of entity (location) IDs, e.g. `E100,E200`; empty = as configured |
# MAGIC | `backfill_from` | `YYYY-MM-DD`: re-read changes made since that date |
# MAGIC | `sweep_keys` | `true` also compares every key with Intacct and marks missing rows deleted |
# MAGIC | `catalog`, `schema`, `secret_scope` | where the tables are and where the credentials are |
# MAGIC | `staging_schema`, `staging_volume` | where a run stages before it merges (the bundle creates both); empty = `<schema>_staging`, no volume |
# MAGIC
# MAGIC Run it as a job (`databricks bundle run intacct_sync_rerun -- --objects=APBILL --full_refresh=true`)
# MAGIC or interactively: fill in the widgets, then *Run all*. Do not run it while the nightly job runs.

# COMMAND ----------

# The job's serverless notebook task has no library list, so install the wheel the bundle synced
# next to this notebook (../dist). Skipped when intacct_sync is already installed on the compute.
import glob
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("intacct_sync") is None:
    wheels = sorted(glob.glob(os.path.join("..", "dist", "intacct_sync-*.whl")), key=os.path.getmtime)
    if not wheels:
        raise FileNotFoundError(
            "intacct_sync is not installed and no wheel was found in ../dist: deploy the bundle "
            "(databricks bundle deploy) or attach compute that has the intacct_sync wheel installed."
        )
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", wheels[-1]])
    dbutils.library.restartPython()  # load the new packages in a clean interpreter

# COMMAND ----------

dbutils.widgets.text("objects", "", "Objects (comma list, empty = all)")
dbutils.widgets.dropdown("full_refresh", "false", ["false", "true"], "Full refresh")
dbutils.widgets.text("entity", "", "Entities (comma list)")
dbutils.widgets.text("backfill_from", "", "Backfill from (YYYY-MM-DD)")
dbutils.widgets.dropdown("sweep_keys", "false", ["false", "true"], "Sweep keys")
dbutils.widgets.text("catalog", "main", "Catalog")
dbutils.widgets.text("schema", "intacct", "Schema")
dbutils.widgets.text("secret_scope", "intacct", "Secret scope")
dbutils.widgets.text("staging_schema", "", "Staging schema (empty = <schema>_staging)")
dbutils.widgets.text("staging_volume", "", "Staging volume (/Volumes/<catalog>/<schema>/<volume>)")

# COMMAND ----------

from datetime import date


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def build_argv(widgets: dict[str, str]) -> list[str]:
    """The `intacct-sync` arguments for these widget values (empty widgets add no flag)."""
    argv = ["run", "--no-progress"]
    named = (
        ("--catalog", "catalog"),
        ("--schema", "schema"),
        ("--secret-scope", "secret_scope"),
        ("--staging-schema", "staging_schema"),
        ("--staging-volume", "staging_volume"),
    )
    for flag, name in named:
        if widgets.get(name, "").strip():
            argv += [flag, widgets[name].strip()]
    if _items(widgets["objects"]):
        argv += ["--objects", ",".join(_items(widgets["objects"]))]
    for entity in _items(widgets["entity"]):
        argv += ["--entity", entity]
    backfill_from = widgets["backfill_from"].strip()
    if backfill_from:
        try:
            date.fromisoformat(backfill_from)
        except ValueError:
            raise ValueError(f"backfill_from must be a date like 2024-01-31, not {backfill_from!r}")
        argv += ["--backfill-from", backfill_from]
    if widgets["full_refresh"] == "true":
        argv.append("--full-refresh")
    if widgets["sweep_keys"] == "true":
        argv.append("--sweep-keys")
    return argv


values = {
    "objects": dbutils.widgets.get("objects"),
    "full_refresh": dbutils.widgets.get("full_refresh"),
    "entity": dbutils.widgets.get("entity"),
    "backfill_from": dbutils.widgets.get("backfill_from"),
    "sweep_keys": dbutils.widgets.get("sweep_keys"),
    "catalog": dbutils.widgets.get("catalog"),
    "schema": dbutils.widgets.get("schema"),
    "secret_scope": dbutils.widgets.get("secret_scope"),
    "staging_schema": dbutils.widgets.get("staging_schema"),
    "staging_volume": dbutils.widgets.get("staging_volume"),
}
argv = build_argv(values)
print("intacct-sync " + " ".join(argv))

# COMMAND ----------

# Remember which runs _sync_runs already holds, so the rows of this run can be shown after it.
runs_table = f"{values['catalog']}.{values['schema']}._sync_runs"
if spark.catalog.tableExists(runs_table):
    earlier_runs = {row.run_id for row in spark.table(runs_table).select("run_id").distinct().collect()}
else:
    earlier_runs = set()

from intacct_sync.cli import execute

try:
    rc = execute(argv)
except SystemExit as exc:  # argparse rejects a bad flag by exiting
    rc = exc.code if isinstance(exc.code, int) else 2

# COMMAND ----------

# MAGIC %md
# MAGIC ## What this run did
# MAGIC One row per object (and entity): rows read and written, API calls, reconciliation, error.

# COMMAND ----------

from pyspark.sql import functions as F

if spark.catalog.tableExists(runs_table):
    this_run = spark.table(runs_table).where(~F.col("run_id").isin(list(earlier_runs)))
    display(this_run)

if rc != 0:
    meaning = {1: "an object failed (see the error column above)", 2: "bad configuration or credentials"}
    raise RuntimeError(f"intacct-sync exited with status {rc}: {meaning.get(rc, 'see the output above')}")
