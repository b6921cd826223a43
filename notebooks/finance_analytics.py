# Databricks notebook source
# MAGIC %md
# MAGIC # Finance analytics
# MAGIC
# MAGIC The analysis views every intacct-sync run keeps next to the synced tables, read and
# MAGIC plotted: AP aging, the AP cash forecast, vendor spend, the trial balance check, the
# MAGIC trial balance by account group and cost-center spend by department. Pick the catalog and
# MAGIC schema in the widgets above (dev deployments write to `dev_<you>_intacct`).
# MAGIC
# MAGIC The views leave out rows deleted in Intacct (`_deleted = true`) and documents not yet
# MAGIC posted. Amounts are the base currency's (`TOTALDUE`, `TOTALENTERED`, GL `AMOUNT`), exact
# MAGIC `DECIMAL(38,10)` in every table shown; only the charts draw them as floats. The README's
# MAGIC "Finance analytics" section lists every view and column.

# COMMAND ----------

import re

import matplotlib.pyplot as plt
from pyspark.sql import functions as F

dbutils.widgets.text("catalog", "main", "Catalog")
dbutils.widgets.text("schema", "intacct", "Schema")
catalog = dbutils.widgets.get("catalog").strip()
schema = dbutils.widgets.get("schema").strip()

for name in (catalog, schema):
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(
            f"catalog and schema must be plain names (letters, digits, _ or -), not {name!r}"
        )


def view(name: str):
    """One of the analysis views (three-part name, quoted)."""
    return spark.table(f"`{catalog}`.`{schema}`.`{name}`")


def chart(title: str, labels, amounts, kind: str = "bar"):
    """A small chart of amounts by label; the table above it has the exact figures."""
    fig, ax = plt.subplots(figsize=(9, 3.2))
    values = [float(a or 0) for a in amounts]  # for drawing only
    if kind == "line":
        ax.plot(labels, values, marker="o")
    else:
        ax.bar([str(x) for x in labels], values)
    ax.set_title(title)
    ax.tick_params(axis="x", labelrotation=45)
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
    fig.tight_layout()
    display(fig)
    plt.close(fig)


# COMMAND ----------

# MAGIC %md
# MAGIC ## AP aging
# MAGIC Open bills by days past `WHENDUE` as of today (`ap_aging`), and the vendors owed most
# MAGIC (`ap_aging_by_vendor`).

# COMMAND ----------

aging = view("ap_aging").orderBy("base_currency", "bucket_order")
display(aging)
rows = aging.collect()
chart(
    "AP aging: amount due by days past due",
    [r["bucket"] for r in rows],
    [r["total_due"] for r in rows],
)

by_vendor = view("ap_aging_by_vendor").orderBy(F.col("total_due").desc(), "vendorid").limit(15)
display(by_vendor)

# COMMAND ----------

# MAGIC %md
# MAGIC ## AP cash forecast
# MAGIC Open bills by the week (Monday) they fall due; all that is overdue is in the `past due`
# MAGIC row. Its total is the aging total.

# COMMAND ----------

forecast = view("ap_cash_forecast").orderBy("base_currency", F.col("week_start").asc_nulls_first())
display(forecast)
rows = forecast.collect()
chart(
    "AP cash forecast: amount due by week",
    [r["due_week"] for r in rows],
    [r["total_due"] for r in rows],
)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Vendor spend
# MAGIC Posted bills per month by bill date (`vendor_spend_monthly`): the monthly trend over the
# MAGIC last 24 months, and the vendors billed most in the last 12.

# COMMAND ----------

spend = view("vendor_spend_monthly")
trend = (
    spend.where(F.col("month") >= F.add_months(F.trunc(F.current_date(), "MM"), -24))
    .groupBy("month", "base_currency")
    .agg(F.sum("bills").alias("bills"), F.sum("amount").alias("amount"))
    .orderBy("month", "base_currency")
)
display(trend)
rows = trend.collect()
chart(
    "Vendor spend per month", [r["month"] for r in rows], [r["amount"] for r in rows], kind="line"
)

top_vendors = (
    spend.where(F.col("month") >= F.add_months(F.trunc(F.current_date(), "MM"), -12))
    .groupBy("vendorid", "base_currency")
    .agg(
        F.max("vendorname").alias("vendorname"),
        F.sum("bills").alias("bills"),
        F.sum("amount").alias("amount"),
    )
    .orderBy(F.col("amount").desc(), "vendorid")
    .limit(15)
)
display(top_vendors)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Trial balance
# MAGIC Each month's posted GL activity (`trial_balance`): debits must equal credits in every
# MAGIC period; the cell stops with an error if one does not. Then the last period rolled up
# MAGIC the account group tree (`trial_balance_by_group`, top three levels).

# COMMAND ----------

check = (
    view("trial_balance")
    .groupBy("period", "base_currency")
    .agg(F.sum("debit").alias("debit"), F.sum("credit").alias("credit"))
    .withColumn("difference", F.col("debit") - F.col("credit"))
    .orderBy(F.col("period").desc())
)
display(check)
unbalanced = [r["period"] for r in check.collect() if r["difference"] != 0]
if unbalanced:
    raise AssertionError(f"debits and credits differ in {len(unbalanced)} period(s): {unbalanced}")
print("debits equal credits in every period")

by_group = view("trial_balance_by_group")
last = by_group.agg(F.max("period")).first()[0]
latest = (
    by_group.where((F.col("period") == F.lit(last)) & (F.col("group_level") <= 3))
    .select(
        "period",
        "base_currency",
        "group_level",
        "group_name",
        "group_path",
        "debit",
        "credit",
        "balance",
    )
    .orderBy("base_currency", "group_path")
)
display(latest)
rows = [r for r in latest.collect() if r["group_level"] == 2]
chart(
    f"Balance by account group, {last}",
    [r["group_name"] for r in rows],
    [r["balance"] for r in rows],
)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Cost-center spend
# MAGIC Net debits to expense accounts (income statement, normal balance debit) over the last
# MAGIC 12 months, by the department's top two levels (`gl_balance_by_period` joined to
# MAGIC `department_hierarchy`).

# COMMAND ----------

departments = view("department_hierarchy").select(
    F.col("id").alias("departmentid"), "level_1", F.coalesce("level_2", "level_1").alias("level_2")
)
cost_centers = (
    view("gl_balance_by_period")
    .where(
        (F.col("account_type") == "incomestatement")
        & (F.col("normal_balance") == "debit")
        & (F.col("period") >= F.add_months(F.trunc(F.current_date(), "MM"), -12))
    )
    .join(departments, "departmentid", "left")
    .groupBy(
        F.coalesce("level_1", F.lit("No department")).alias("department_level_1"),
        F.coalesce("level_2", F.lit("No department")).alias("department_level_2"),
        "base_currency",
    )
    .agg(F.sum("net").alias("spend"))
    .orderBy(F.col("spend").desc())
)
display(cost_centers)
top = (
    cost_centers.groupBy("department_level_1")
    .agg(F.sum("spend").alias("spend"))
    .orderBy(F.col("spend").desc())
    .collect()
)
chart(
    "Spend by top-level department, last 12 months",
    [r["department_level_1"] for r in top],
    [r["spend"] for r in top],
)
