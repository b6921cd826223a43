"""TableWriter against a real local Delta table: MERGE, dedupe, replay, evolution, append."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from chispa import assert_df_equality
from pyspark.sql import types as T

from intacct_sync.lake.errors import MissingKeys
from intacct_sync.lake.options import WriterOptions
from intacct_sync.lake.schema import SchemaChangeError, create_table
from intacct_sync.lake.spark import bulk_session
from intacct_sync.lake.writer import LoadResult, TableWriter
from tests.fixtures.spark import BILL_SCHEMA, MONEY, RUN_AT, bills, ts

pytestmark = pytest.mark.spark

DATA_COLUMNS = ["recordno", "whenmodified", "totalentered", "paytocontact_contactname"]


def writer(spark, names, **kw) -> TableWriter:
    options = WriterOptions(**kw)
    return TableWriter(
        spark, names, "ap_bill", key="RECORDNO", cursor="WHENMODIFIED", options=options
    )


def expected(spark, rows: list[tuple]):
    schema = T.StructType(
        [
            T.StructField("recordno", T.LongType()),
            T.StructField("whenmodified", T.TimestampType()),
            T.StructField("totalentered", T.DecimalType(38, 10)),
            T.StructField("paytocontact_contactname", T.StringType()),
        ]
    )
    typed = [(r[0], r[1], Decimal(r[2]), r[3]) for r in rows]
    return spark.createDataFrame(typed, schema)


def history_metrics(spark, names, table="ap_bill") -> list[tuple[str, dict]]:
    rows = spark.sql(f"DESCRIBE HISTORY {names.qualified(table)}").orderBy("version").collect()
    return [(r["operation"], r["operationMetrics"]) for r in rows]


def test_the_local_jvm_runs_with_the_parallel_collector_and_a_raised_compile_threshold(spark):
    # LOCAL_JVM_OPTIONS reach the driver JVM the local session starts (measured: a tenth of a
    # test module's time); a flag dropped on the way would pass every other test.
    jvm = spark.sparkContext._jvm
    arguments = list(
        jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
    )
    collectors = [
        bean.getName()
        for bean in jvm.java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()
    ]
    assert "-XX:CompileThresholdScaling=3" in arguments
    assert "-Duser.timezone=UTC" in arguments
    assert sorted(collectors) == ["PS MarkSweep", "PS Scavenge"]


@pytest.mark.skipif(
    bool(os.environ.get("SPARK_DRIVER_MEMORY")), reason="SPARK_DRIVER_MEMORY sets the heap"
)
def test_the_local_driver_jvm_gets_a_heap_of_two_gigabytes(spark):
    # Spark's default of 1g ran a long-lived session out of heap mid-MERGE (make stress); the
    # setting must reach the JVM, which only reads it at launch.
    heap = spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory()
    assert heap > 1.5 * 2**30, f"max heap {heap / 2**20:.0f} MiB"


def test_first_load_creates_table_with_exact_types(spark, lake_names):
    page = bills((1, ts(1), "1234.56"), (2, ts(2, 23), "0.01"), (3, ts(3), "-99999999.9999999999"))
    result = writer(spark, lake_names).load([page], BILL_SCHEMA, run_id="r1", synced_at=RUN_AT)

    assert result == LoadResult(rows_in=3, inserted=3, updated=0, deleted=0, written=True)
    table = spark.table(lake_names.qualified("ap_bill"))
    assert [(f.name, f.dataType) for f in table.schema] == [
        ("recordno", T.LongType()),
        ("whenmodified", T.TimestampType()),
        ("totalentered", T.DecimalType(38, 10)),
        ("whendue", T.DateType()),
        ("paytocontact_contactname", T.StringType()),
        ("ispaid", T.BooleanType()),
        ("_entity", T.StringType()),
        ("_deleted", T.BooleanType()),
        ("_synced_at", T.TimestampType()),
        ("_run_id", T.StringType()),
    ]
    rows = {r["recordno"]: r for r in table.toArrow().to_pylist()}
    assert rows[1]["totalentered"] == Decimal("1234.56")
    assert rows[3]["totalentered"] == Decimal("-99999999.9999999999")
    assert rows[2]["whenmodified"] == ts(2, 23)  # UTC instant, not shifted by a local zone
    assert rows[2]["whendue"] == date(2024, 6, 3)
    assert (rows[2]["_deleted"], rows[2]["_run_id"], rows[2]["_synced_at"]) == (False, "r1", RUN_AT)
    detail = spark.sql(f"DESCRIBE DETAIL {lake_names.qualified('ap_bill')}").first()
    assert detail["properties"]["delta.enableChangeDataFeed"] == "true"
    assert detail["clusteringColumns"] == ["recordno"]
    # The local (interpreted) session keeps file statistics for the key only: the commit's
    # statistics name no other column. A session with generated code keeps Delta's default.
    assert detail["properties"]["delta.dataSkippingStatsColumns"] == "recordno"
    assert file_stats(spark, lake_names, "ap_bill")["minValues"] == {"recordno": 1}
    twin = bulk_session(spark)
    create_table(twin, lake_names, "compiled", table.schema, "recordno")
    compiled = twin.sql(f"DESCRIBE DETAIL {lake_names.qualified('compiled')}").first()
    assert "delta.dataSkippingStatsColumns" not in compiled["properties"]
    with pytest.raises(MissingKeys, match="without a recordno"):
        keyless = bills((4, ts(4), "4.00")).set_column(0, "RECORDNO", pa.nulls(1, pa.int64()))
        writer(spark, lake_names).load([keyless], BILL_SCHEMA, run_id="r2", synced_at=RUN_AT)


def test_merge_takes_only_newer_rows_dedupes_and_replay_changes_nothing(spark, lake_names):
    w = writer(spark, lake_names)
    w.load([bills((1, ts(5), "10.00"), (2, ts(5), "20.00"), (3, ts(5), "30.00"),
                  (6, None, "60.00"), (7, None, "70.00"))],
           BILL_SCHEMA, run_id="r1", synced_at=RUN_AT)  # fmt: skip
    change = [
        bills((1, ts(6), "11.00", "newer"), (2, ts(4), "19.00", "older")),
        bills((3, ts(5), "31.00", "same cursor"), (4, ts(7), "41.00", "latest")),
        bills((4, ts(6), "40.00", "earlier"), (5, ts(8), "50.00", "first")),
        bills((5, ts(8), "51.00", "read last")),
        bills((6, None, "61.00", "empty cursor"), (7, None, "70.00")),
    ]  # fmt: skip
    result = w.load(change, BILL_SCHEMA, run_id="r2", synced_at=RUN_AT)

    # Row 3 comes back with the same cursor but other values: Intacct did not move WHENMODIFIED
    # (a related record changed, or two edits in one second): what it returns now is taken.
    # Rows 6 and 7 have an empty WHENMODIFIED (Intacct leaves some records without one): row 6
    # changed and is taken, row 7 did not and is left alone.
    assert result == LoadResult(rows_in=9, inserted=2, updated=3, deleted=0, written=True)
    assert_df_equality(
        w.live_dataframe().select(DATA_COLUMNS),
        expected(
            spark,
            [
                (1, ts(6), "11.00", "newer"),
                (2, ts(5), "20.00", "contact 2"),
                (3, ts(5), "31.00", "same cursor"),
                (4, ts(7), "41.00", "latest"),
                (5, ts(8), "51.00", "read last"),
                (6, None, "61.00", "empty cursor"),
                (7, None, "70.00", "contact 7"),
            ],
        ),  # fmt: skip
        ignore_row_order=True,
    )
    before = len(history_metrics(spark, lake_names))
    replay = w.load(change, BILL_SCHEMA, run_id="r3", synced_at=RUN_AT)
    assert (replay.inserted, replay.updated) == (0, 0)
    # A MERGE that changes nothing changes no row (Delta may skip its commit altogether).
    for operation, metrics in history_metrics(spark, lake_names)[before:]:
        assert operation == "MERGE"
        assert (metrics["numTargetRowsInserted"], metrics["numTargetRowsUpdated"]) == ("0", "0")


def test_first_load_into_an_empty_table_appends_and_then_merges(spark, lake_names):
    """Distinct keys into an empty table: one WRITE (no join), tagged for idempotence; the
    next load MERGEs; a first load with a key twice MERGEs so the newest version wins."""
    w = writer(spark, lake_names)
    first = w.load([bills((1, ts(1), "1.00"), (2, ts(1), "2.00"))], BILL_SCHEMA, run_id="r1",
                   synced_at=RUN_AT)  # fmt: skip
    assert first == LoadResult(rows_in=2, inserted=2, updated=0, deleted=0, written=True)
    operation, metrics = history_metrics(spark, lake_names)[-1]
    assert operation == "WRITE" and metrics["numOutputRows"] == "2"
    txn = spark.sql(f"DESCRIBE HISTORY {lake_names.qualified('ap_bill')}").first()
    assert txn["operationParameters"]["mode"] == "Append"
    again = w.load([bills((2, ts(2), "2.50"), (3, ts(1), "3.00"))], BILL_SCHEMA, run_id="r2",
                   synced_at=RUN_AT)  # fmt: skip
    assert (again.inserted, again.updated) == (1, 1)
    assert history_metrics(spark, lake_names)[-1][0] == "MERGE"

    other = TableWriter(spark, lake_names, "ap_bill_b", key="RECORDNO", cursor="WHENMODIFIED")
    twice = other.load([bills((7, ts(1), "1.00"), (7, ts(3), "3.00"))], BILL_SCHEMA,
                       run_id="r1", synced_at=RUN_AT)  # fmt: skip
    assert (twice.rows_in, twice.inserted) == (2, 1)
    assert history_metrics(spark, lake_names, "ap_bill_b")[-1][0] == "MERGE"
    assert [r["totalentered"] for r in other.live_dataframe().collect()] == [Decimal("3.00")]


def test_two_first_loads_at_once_into_one_empty_table_land_once(spark, lake_names):
    """Both find the table empty and append; Delta's idempotent-write check refuses the second
    commit, whose retry MERGEs instead: every key once."""
    import threading

    writer(spark, lake_names).load([bills((1, ts(1), "1.00"))], BILL_SCHEMA, run_id="r0",
                                   synced_at=RUN_AT)  # fmt: skip
    spark.sql(f"DELETE FROM {lake_names.qualified('ap_bill')}")  # empty: files gone
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def first_load(keys: range) -> None:
        start.wait()
        try:
            page = bills(*[(k, ts(1), f"{k}.00") for k in keys])
            writer(spark, lake_names).load([page], BILL_SCHEMA, run_id="r", synced_at=RUN_AT)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [
        threading.Thread(target=first_load, args=(r,)) for r in (range(10, 15), range(12, 18))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    keys = [r["recordno"] for r in writer(spark, lake_names).live_dataframe().collect()]
    assert sorted(keys) == list(range(10, 18))
    after_delete = [op for op, _ in history_metrics(spark, lake_names)][3:]
    assert sorted(after_delete) == ["MERGE", "WRITE"]  # the loser's retry merged


def test_schema_evolution_adds_column_widens_and_refuses_lossy_change(spark, lake_names):
    w = writer(spark, lake_names)
    w.load(
        [bills((1, ts(1), "1.00"), (2, ts(1), "2.00"))], BILL_SCHEMA, run_id="r1", synced_at=RUN_AT
    )
    wider = BILL_SCHEMA.append(pa.field("GLDIM.FUNDING", pa.string())).append(
        pa.field("QTY", pa.int64())
    )
    page = bills((1, ts(1), "1.00"), (3, ts(2), "3.00"))
    page = page.append_column(wider.field("GLDIM.FUNDING"), pa.array(["grant", "loan"]))
    page = page.append_column(wider.field("QTY"), pa.array([5, 7]))

    result = w.load([page], wider, run_id="r2", synced_at=RUN_AT)

    assert (result.inserted, result.updated) == (1, 1)  # row 1 only gains the new columns' values
    funding = w.live_dataframe().select("recordno", "gldim_funding").orderBy("recordno").collect()
    assert [tuple(r) for r in funding] == [(1, "grant"), (2, None), (3, "loan")]

    retyped = wider.set(wider.get_field_index("QTY"), pa.field("QTY", MONEY))  # int64 -> decimal
    assert w.load([page.cast(retyped)], retyped, run_id="r3", synced_at=RUN_AT).updated == 0
    qty = spark.table(lake_names.qualified("ap_bill")).schema["qty"].dataType
    assert qty == T.DecimalType(38, 10)
    lossy = BILL_SCHEMA.set(2, pa.field("TOTALENTERED", pa.bool_()))
    with pytest.raises(SchemaChangeError) as error:
        page = bills((1, ts(9), "1")).set_column(2, lossy.field(2), pa.array([True]))
        w.load([page], lossy, run_id="r4", synced_at=RUN_AT)
    message = str(error.value)
    assert "ap_bill" in message and "totalentered" in message
    assert "decimal(38,10)" in message and "boolean" in message


def test_a_load_with_no_rows_touches_nothing(spark, lake_names):
    w = writer(spark, lake_names)
    assert w.load([bills(), bills()], BILL_SCHEMA, run_id="r0", synced_at=RUN_AT) == LoadResult(
        0, 0, 0
    )
    assert not w.exists()  # not even created: an empty window costs no Delta operation
    w.load([bills((1, ts(1), "1.00"))], BILL_SCHEMA, run_id="r1", synced_at=RUN_AT)
    version = w.version()
    assert not w.load([bills()], BILL_SCHEMA, run_id="r2", synced_at=RUN_AT).written
    assert w.version() == version


@pytest.mark.parametrize("transfer", ["arrow", "parquet"])
def test_multi_chunk_load_is_staged_and_lands_in_one_commit(spark, lake_names, transfer):
    w = writer(spark, lake_names, chunk_rows=2, transfer=transfer)
    w.load([bills((1, ts(1), "1.00"))], BILL_SCHEMA, run_id="r1", synced_at=RUN_AT)
    versions_before = len(history_metrics(spark, lake_names))
    pages = [bills((1, ts(2), "1.50"), (2, ts(1), "2.00"), (3, ts(1), "3.00")),
             bills((2, ts(3), "2.50"), (4, ts(1), "4.00"))]  # fmt: skip

    result = w.load(pages, BILL_SCHEMA, run_id="r2", synced_at=RUN_AT)

    assert result == LoadResult(rows_in=5, inserted=3, updated=1, deleted=0, written=True)
    history = history_metrics(spark, lake_names)
    assert len(history) == versions_before + 1 and history[-1][0] == "MERGE"
    stages = lake_names.list_tables(spark)
    assert not [name for name in stages if name.startswith("_stage_")]
    assert_df_equality(
        w.live_dataframe().select(DATA_COLUMNS),
        expected(
            spark,
            [
                (1, ts(2), "1.50", "contact 1"),
                (2, ts(3), "2.50", "contact 2"),
                (3, ts(1), "3.00", "contact 3"),
                (4, ts(1), "4.00", "contact 4"),
            ],
        ),  # fmt: skip
        ignore_row_order=True,
    )


def test_an_edit_in_the_repeated_fall_back_hour_is_taken_though_its_wall_time_reads_earlier(
    spark, lake_names
):
    # 01:35 PDT, then edited at 01:20 PST: both read as "01:xx" in America/Los_Angeles, so the
    # second edit's cursor looks 15 minutes older. Intacct returns its current version: take it.
    # A version a day older is still refused.
    w = writer(spark, lake_names)
    first = datetime(2026, 11, 1, 8, 35, tzinfo=timezone.utc)
    w.load(
        [bills((1, first, "10.00"), (2, first, "20.00"))],
        BILL_SCHEMA,
        run_id="r1",
        synced_at=RUN_AT,
    )
    refolded = first - timedelta(minutes=15)
    stale = first - timedelta(days=1)
    result = w.load(
        [bills((1, refolded, "12.00", "second edit"), (2, stale, "19.00", "stale"))],
        BILL_SCHEMA, run_id="r2", synced_at=RUN_AT,
    )  # fmt: skip
    assert (result.inserted, result.updated) == (0, 1)
    rows = {r["recordno"]: r["totalentered"] for r in w.live_dataframe().collect()}
    assert rows == {1: Decimal("12.00"), 2: Decimal("20.00")}


def file_stats(spark, names, table: str) -> dict:
    """The statistics of the table's one data file, as its Delta log records them."""
    location = spark.sql(f"DESCRIBE DETAIL {names.qualified(table)}").first()["location"]
    log = Path(location.removeprefix("file:")) / "_delta_log"
    adds = [
        json.loads(line)["add"]
        for commit in sorted(log.glob("*.json"))
        for line in commit.read_text().splitlines()
        if '"add"' in line
    ]
    assert len(adds) == 1, adds
    return json.loads(adds[0]["stats"])


def _schema_folder(spark, names) -> Path:
    names.ensure_schema(spark)
    rows = spark.sql(f"DESCRIBE SCHEMA {names.qualified_schema}").collect()
    location = next(r[1] for r in rows if r[0].lower() == "location")
    return Path(location.removeprefix("file:"))


def test_a_create_killed_before_the_catalog_recorded_it_is_made_again(spark, lake_names):
    # A run killed between Delta's first commit and the metastore's entry leaves a folder with a
    # bare CREATE that no catalog knows (seen in make stress's crash suite); the rerun must
    # create the table, not ask the user to clean up.
    folder = _schema_folder(spark, lake_names) / "killed_create"
    spark.sql(f"CREATE TABLE delta.`{folder}` (recordno BIGINT, name STRING) USING delta")
    assert (folder / "_delta_log" / f"{0:020d}.json").exists()
    assert not lake_names.exists(spark, "killed_create")

    schema = T.StructType(
        [T.StructField("recordno", T.LongType()), T.StructField("whenmodified", T.TimestampType())]
    )
    create_table(spark, lake_names, "killed_create", schema, "recordno")

    assert lake_names.exists(spark, "killed_create")
    table = spark.table(lake_names.qualified("killed_create"))
    assert table.schema.names == ["recordno", "whenmodified"]
    assert table.count() == 0


def test_a_folder_holding_rows_that_no_catalog_knows_is_refused_and_left_alone(spark, lake_names):
    from intacct_sync.lake.errors import TableCreateError

    folder = _schema_folder(spark, lake_names) / "orphan_rows"
    spark.sql(f"CREATE TABLE delta.`{folder}` (recordno BIGINT) USING delta")
    spark.sql(f"INSERT INTO delta.`{folder}` VALUES (7)")
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))

    schema = T.StructType([T.StructField("recordno", T.LongType())])
    with pytest.raises(TableCreateError, match="move it aside if it holds nothing you need"):
        create_table(spark, lake_names, "orphan_rows", schema, "recordno")

    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
    assert spark.read.format("delta").load(str(folder)).collect()[0]["recordno"] == 7
