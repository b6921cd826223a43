# Databricks notebook source
# MAGIC %md
# MAGIC # AP aging and vendor spend
# MAGIC
# MAGIC Two example analyses on the tables intacct-sync keeps up to date. Pick the catalog and
# MAGIC schema in the widgets above (dev deployments write to `dev_<you>_intacct`).
# MAGIC
# MAGIC * **AP aging**: open bills (amount still due, not deleted in Intacct) by days past their
# MAGIC   due date: current, 1-30, 31-60, 61-90, over 90. Amounts are summed per currency, never
# MAGIC   across currencies.
# MAGIC * **Vendor spend**: the vendors with the most billed in the last 12 months.
# MAGIC
# MAGIC Rows that were deleted in Intacct stay in the tables with `_deleted = true`; every query
# MAGIC here leaves them out. Money columns are `DECIMAL(38,10)`, exact to the cent.

# COMMAND ----------

import re

dbutils.widgets.text("catalog", "main", "Catalog")
dbutils.widgets.text("schema", "intacct", "Schema")
catalog = dbutils.widgets.get("catalog").strip()
schema = dbutils.widgets.get("schema").strip()

for name in (catalog, schema):
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"catalog and schema must be plain names (letters, digits, _ or -), not {name!r}")


def table(name: str) -> str:
    """Three-part name of one of the synced tables, quoted for SQL."""
    return f"`{catalog}`.`{schema}`.`{name}`"


# COMMAND ----------

# MAGIC %md
# MAGIC ## AP aging by bucket
# MAGIC Days past due are counted from `whendue` to today. A bill without a due date counts as current.

# COMMAND ----------

aging_by_bucket = spark.sql(f"""
WITH open_bills AS (
  SELECT
    recordno,
    currency,
    totaldue,
    datediff(current_date(), whendue) AS days_past_due
  FROM {table("ap_bill")}
  WHERE totaldue > 0
    AND NOT coalesce(_deleted, false)
),
bucketed AS (
  SELECT
    *,
    CASE
      WHEN days_past_due IS NULL OR days_past_due <= 0 THEN 1
      WHEN days_past_due <= 30 THEN 2
      WHEN days_past_due <= 60 THEN 3
      WHEN days_past_due <= 90 THEN 4
      ELSE 5
    END AS bucket_order
  FROM open_bills
)
SELECT
  currency,
  CASE bucket_order
    WHEN 1 THEN 'current'
    WHEN 2 THEN '1-30'
    WHEN 3 THEN '31-60'
    WHEN 4 THEN '61-90'
    ELSE '90+'
  END AS bucket,
  count(*) AS open_bills,
  sum(totaldue) AS amount_due
FROM bucketed
GROUP BY currency, bucket_order
ORDER BY currency, bucket_order
""")
display(aging_by_bucket)

# COMMAND ----------

# MAGIC %md
# MAGIC ## AP aging by vendor
# MAGIC One row per vendor and currency, one column per bucket, largest balance first.

# COMMAND ----------

aging_by_vendor = spark.sql(f"""
WITH open_bills AS (
  SELECT
    vendorid,
    vendorname,
    currency,
    totaldue,
    datediff(current_date(), whendue) AS days_past_due
  FROM {table("ap_bill")}
  WHERE totaldue > 0
    AND NOT coalesce(_deleted, false)
)
SELECT
  vendorid,
  max(vendorname) AS vendorname,
  currency,
  sum(CASE WHEN days_past_due IS NULL OR days_past_due <= 0 THEN totaldue ELSE 0 END) AS not_yet_due,
  sum(CASE WHEN days_past_due BETWEEN 1 AND 30 THEN totaldue ELSE 0 END) AS days_1_30,
  sum(CASE WHEN days_past_due BETWEEN 31 AND 60 THEN totaldue ELSE 0 END) AS days_31_60,
  sum(CASE WHEN days_past_due BETWEEN 61 AND 90 THEN totaldue ELSE 0 END) AS days_61_90,
  sum(CASE WHEN days_past_due > 90 THEN totaldue ELSE 0 END) AS days_over_90,
  sum(totaldue) AS total_due
FROM open_bills
GROUP BY vendorid, currency
ORDER BY total_due DESC
""")
display(aging_by_vendor)

# COMMAND ----------

# MAGIC %md
# MAGIC ## Top vendors by spend, last 12 months
# MAGIC Bills created in the last 12 months, by `totalentered` (the billed amount), joined to the
# MAGIC vendor list for the current vendor name. A vendor shared by several entities appears once.

# COMMAND ----------

vendor_spend = spark.sql(f"""
WITH recent_bills AS (
  SELECT vendorid, currency, totalentered
  FROM {table("ap_bill")}
  WHERE whencreated >= add_months(current_date(), -12)
    AND NOT coalesce(_deleted, false)
),
vendors AS (
  SELECT vendorid, max(name) AS name
  FROM {table("vendor")}
  WHERE NOT coalesce(_deleted, false)
  GROUP BY vendorid
)
SELECT
  b.vendorid,
  v.name AS vendor_name,
  b.currency,
  count(*) AS bills,
  sum(b.totalentered) AS spend
FROM recent_bills AS b
LEFT JOIN vendors AS v ON v.vendorid = b.vendorid
GROUP BY b.vendorid, v.name, b.currency
ORDER BY spend DESC
LIMIT 25
""")
display(vendor_spend)
