"""The generic checker: every Delta table equals the emulator's live data, exactly.

Expected values are typed here from the emulator's own field definitions (its ground truth), not
with the client's converters, so a converter bug cannot hide itself. All columns of all tables
are compared (live rows only) with chispa, and no key may appear twice.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from chispa import assert_df_equality
from pyspark.sql import Window
from pyspark.sql import functions as F

from intacct_sync.emulator.gldetail import FROM_SOURCE
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.intacct.infer import table_name
from intacct_sync.intacct.objects import ObjectSpec, udd_spec
from intacct_sync.lake.schema import column_name

AUDIT = ("_entity", "_deleted", "_synced_at", "_run_id")
HISTORY = ("_valid_from", "_valid_to", "_is_current")
UTC_FIELDS = {"AUWHENCREATED", "ACCESSTIME"}  # kept in GMT by Intacct (docs/protocol.md §7)


def expected_value(fdef, text: str, zone: ZoneInfo):
    if text == "":
        return None
    kind = fdef.type
    if kind == "INTEGER":
        return int(text)
    if kind in ("DECIMAL", "CURRENCY", "PERCENT"):
        return Decimal(text)
    if kind == "BOOLEAN":
        return text in ("true", "T")
    if kind == "DATE":
        return datetime.strptime(text, "%m/%d/%Y").date()
    if kind == "TIMESTAMP":
        naive = datetime.strptime(text, "%m/%d/%Y %H:%M:%S")
        source = timezone.utc if fdef.name in UTC_FIELDS else zone
        return naive.replace(tzinfo=source).astimezone(timezone.utc)
    return text


def spec_for(name: str, company) -> ObjectSpec:
    if name in CATALOG:
        return CATALOG[name]
    obj = company.definition(name)
    if obj.udd:
        return udd_spec(obj.name)
    return ObjectSpec(obj.name, table_name(obj.name))  # inferred: only the table name matters


def unreadable(company, name: str) -> set[str]:
    """Fields the emulator's query refuses (docs/protocol.md §17): the table cannot hold them."""
    quirks = company.settings.quirks
    return set(quirks.unqueryable_fields.get(name, ())) if quirks.unqueryable else set()


# Fields Intacct looks up live from another record without moving the row's WHENMODIFIED: an
# incremental read cannot see them change (docs/protocol.md §17), so the table holds them as
# last read until a full read (refresh_every). GLDETAIL shows its source document's fields.
LIVE_LOOKUPS = {"GLDETAIL": set(FROM_SOURCE)}


def check_table(spark, names, company, name: str, *, include_private: bool = True) -> int:
    """Assert the table of ``name`` equals the emulator's rows; returns the rows compared."""
    spec = spec_for(name, company)
    obj = company.definition(name)
    zone = company.zone
    actual = spark.table(names.qualified(spec.table))
    key = column_name(spec.key)
    if "_is_current" in actual.columns:  # history mode: the current versions are the table
        check_versions(actual, key, column_name(spec.cursor or "WHENMODIFIED"), spec.table)
        actual = actual.where("_is_current").drop(*HISTORY)
    dupes = actual.where(~F.col("_deleted")).groupBy(key).count().where("count > 1").count()
    assert dupes == 0, f"{spec.table}: {dupes} keys appear more than once among live rows"
    live = actual.where(~F.col("_deleted")).drop(*AUDIT)
    refused = unreadable(company, obj.name) | LIVE_LOOKUPS.get(obj.name, set())
    columns = {column_name(f.name): f for f in obj.fields if f.name not in refused}
    missing = sorted(set(columns) - set(live.columns))
    assert not missing, f"{spec.table}: columns missing from the Delta table: {missing}"
    live = live.select(*sorted(columns))
    rows = [
        {
            col: expected_value(columns[col], raw.get(columns[col].name, ""), zone)
            for col in sorted(columns)
        }
        for raw in company.rows(obj.name, include_private=include_private)
    ]
    have = {r[0] for r in live.select(key).collect()}
    want = {row[key] for row in rows}
    assert have == want, (
        f"{spec.table}: keys differ from the emulator; in the table only: "
        f"{sorted(have - want)[:10]} ({len(have - want)}), in Intacct only: "
        f"{sorted(want - have)[:10]} ({len(want - have)})"
    )
    expected = (
        spark.createDataFrame(rows, schema=live.schema)
        if rows
        else spark.createDataFrame([], live.schema)
    )
    try:
        assert_df_equality(
            live.orderBy(key),
            expected.orderBy(key),
            ignore_nullable=True,
            ignore_row_order=False,
        )
    except AssertionError:
        raise AssertionError(f"{spec.table}: {differences(live, expected, key)}") from None
    return len(rows)


def differences(live, expected, key: str, limit: int = 5) -> str:
    """Which columns differ for which keys (a readable account of a failed comparison)."""
    joined = live.alias("t").join(expected.alias("e"), key)
    found = []
    for column in (c for c in live.columns if c != key):
        differ = joined.where(~F.col(f"t.`{column}`").eqNullSafe(F.col(f"e.`{column}`")))
        rows = differ.select(key, f"t.`{column}`", f"e.`{column}`").limit(limit).collect()
        found += [f"{column} of {r[0]}: table {r[1]!r}, Intacct {r[2]!r}" for r in rows]
    return "; ".join(found[: limit * 2]) or "rows differ (no column-level difference found)"


def check_versions(table, key: str, cursor: str, name: str) -> None:
    """History mode holds each version once, chained: every version but a key's last ends where
    the next begins, and a key has one current version at most (none once deleted)."""
    twice = table.groupBy(key, cursor).count().where("count > 1").count()
    assert twice == 0, f"{name}: {twice} versions (key, {cursor}) appear more than once"
    order = Window.partitionBy(key).orderBy(cursor)
    chained = table.select(
        key,
        "_valid_from",
        "_valid_to",
        "_is_current",
        "_deleted",
        F.lead("_valid_from").over(order).alias("next_from"),
    )
    broken = chained.where(
        "(next_from IS NOT NULL AND (_valid_to IS NULL OR _valid_to != next_from OR _is_current))"
        " OR (next_from IS NULL AND _is_current = _deleted)"
    )
    assert broken.count() == 0, f"{name}: broken version chains: {broken.limit(5).collect()}"


def check_all(spark, names, company, objects: list[str], *, include_private: bool = True) -> int:
    """Every listed object's table equals the emulator; returns the rows compared in total."""
    return sum(
        check_table(spark, names, company, name, include_private=include_private)
        for name in objects
    )


__all__ = ["check_all", "check_table", "expected_value", "date"]
