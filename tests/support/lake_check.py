"""The generic checker: every Delta table equals the emulator's live data, exactly.

Expected values are typed here from the emulator's own field definitions (its ground truth), not
with the client's converters, so a converter bug cannot hide itself. All columns of all tables
are compared (live rows only), value by value and typed as the column's Spark type must hold them,
and no key may appear twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from pyspark.sql import Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from intacct_sync.emulator.gldetail import FROM_SOURCE
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.intacct.infer import table_name
from intacct_sync.intacct.objects import ObjectSpec, udd_spec
from intacct_sync.lake.schema import column_name

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


# What a column of each Spark type can hold, as createDataFrame's schema check accepts it (by
# exact type: True is no number and a float is no money).
ACCEPTS = {
    T.LongType: (int,),
    T.IntegerType: (int,),
    T.DecimalType: (Decimal,),
    T.DoubleType: (float,),
    T.BooleanType: (bool,),
    T.DateType: (date, datetime),
    T.TimestampType: (datetime,),
    T.StringType: (str,),
}


def check_table(spark, names, company, name: str, *, include_private: bool = True) -> int:
    """Assert the table of ``name`` equals the emulator's rows; returns the rows compared.

    The table is read once (the compared columns, through Arrow) and compared here value by
    value: one Spark job instead of a comparison DataFrame built and sorted on both sides."""
    spec = spec_for(name, company)
    obj = company.definition(name)
    zone = company.zone
    actual = spark.table(names.qualified(spec.table))
    key = column_name(spec.key)
    if "_is_current" in actual.columns:  # history mode: the current versions are the table
        check_versions(actual, key, column_name(spec.cursor or "WHENMODIFIED"), spec.table)
        actual = actual.where("_is_current").drop(*HISTORY)
    refused = unreadable(company, obj.name) | LIVE_LOOKUPS.get(obj.name, set())
    columns = {column_name(f.name): f for f in obj.fields if f.name not in refused}
    missing = sorted(set(columns) - set(actual.columns))
    assert not missing, f"{spec.table}: columns missing from the Delta table: {missing}"
    types = {f.name: f.dataType for f in actual.schema.fields}
    compared = sorted(columns)
    read = actual.select("_deleted", *sorted(set(compared) | {key})).toArrow().to_pylist()
    live = [r for r in read if r["_deleted"] is False]  # NULL is no more live than in SQL
    twice = [k for k, n in Counter(r[key] for r in live).items() if n > 1]
    assert not twice, f"{spec.table}: {len(twice)} keys appear more than once among live rows"
    rows = [
        {
            col: expected_value(columns[col], raw.get(columns[col].name, ""), zone)
            for col in compared
        }
        for raw in company.rows(obj.name, include_private=include_private)
    ]
    have = {r[key] for r in live}
    want = {row[key] for row in rows}
    assert have == want, (
        f"{spec.table}: keys differ from the emulator; in the table only: "
        f"{sorted(have - want)[:10]} ({len(have - want)}), in Intacct only: "
        f"{sorted(want - have)[:10]} ({len(want - have)})"
    )
    assert len(rows) == len(want), f"{spec.table}: the emulator holds a key twice"
    for col in compared:
        accepted = ACCEPTS.get(type(types[col]))
        assert accepted is not None, f"{spec.table}.{col}: no expectation for {types[col]}"
        wrong = {type(row[col]).__name__ for row in rows if row[col] is not None} - {
            t.__name__ for t in accepted
        }
        assert not wrong, f"{spec.table}.{col} is {types[col]}, Intacct's values are {wrong}"
    by_key = {r[key]: r for r in live}
    found = [
        f"{col} of {row[key]}: table {by_key[row[key]][col]!r}, Intacct {row[col]!r}"
        for row in sorted(rows, key=lambda r: r[key])
        for col in compared
        if not same(by_key[row[key]][col], row[col])
    ]
    assert not found, f"{spec.table}: {'; '.join(found[:10])}" + (
        f" ({len(found)} values differ)" if len(found) > 10 else ""
    )
    return len(rows)


def same(table_value, intacct_value) -> bool:
    """Equal as values; a timestamp as the instant it is, whatever time zone it is shown in."""
    if table_value is None or intacct_value is None:
        return table_value is None and intacct_value is None
    if isinstance(table_value, datetime):
        return isinstance(intacct_value, datetime) and table_value.astimezone(
            timezone.utc
        ) == intacct_value.astimezone(timezone.utc)
    return table_value == intacct_value


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
