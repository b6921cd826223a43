"""Soft and hard deletes, header -> line cascades, key sweep, concurrent commits."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pyarrow as pa
import pytest
from delta.exceptions import ConcurrentAppendException
from pyspark.errors import AnalysisException

from intacct_sync.lake.errors import CommitConflict, EmptyKeySet
from intacct_sync.lake.merge import with_conflict_retry
from intacct_sync.lake.options import WriterOptions
from intacct_sync.lake.writer import TableWriter
from tests.fixtures.spark import BILL_SCHEMA, RUN_AT, bills, ts

DELETED_AT = datetime(2024, 5, 2, tzinfo=timezone.utc)
LINE_SCHEMA = pa.schema([("RECORDNO", pa.int64()), ("RECORDKEY", pa.int64())])


def bill_writer(spark, names, **kw) -> TableWriter:
    options = WriterOptions(**kw)
    return TableWriter(
        spark, names, "ap_bill", key="RECORDNO", cursor="WHENMODIFIED", options=options
    )


def live_keys(writer: TableWriter) -> list[int]:
    return sorted(r[0] for r in writer.live_dataframe().select("recordno").collect())


def load_bills(writer: TableWriter, keys: range, entity: str = "") -> None:
    page = bills(*[(k, ts(1), f"{k}.00") for k in keys])
    writer.load([page], BILL_SCHEMA, run_id="load", entity=entity, synced_at=RUN_AT)


@pytest.mark.spark
def test_soft_delete_parent_cascade_and_return(spark, lake_names):
    headers = bill_writer(spark, lake_names)
    load_bills(headers, range(1, 5))
    lines = TableWriter(spark, lake_names, "ap_bill_item", key="RECORDNO", cursor=None)
    page = pa.RecordBatch.from_pydict(
        {"RECORDNO": [10, 11, 12], "RECORDKEY": [2, 2, 3]}, LINE_SCHEMA
    )
    lines.load([page], LINE_SCHEMA, run_id="load", synced_at=RUN_AT)

    assert headers.mark_deleted([2, 99], run_id="del", synced_at=DELETED_AT) == 1
    assert headers.mark_deleted(pa.array([2]), run_id="again", synced_at=DELETED_AT) == 0
    assert lines.mark_deleted_matching({"RECORDKEY": [2]}, run_id="del", synced_at=DELETED_AT) == 2

    assert live_keys(headers) == [1, 3, 4]
    assert live_keys(lines) == [12]
    gone = spark.table(lake_names.qualified("ap_bill")).where("recordno = 2").toArrow().to_pylist()
    assert [(r["_deleted"], r["_run_id"], r["_synced_at"]) for r in gone] == [
        (True, "del", DELETED_AT)
    ]
    back = headers.load([bills((2, ts(1), "2.00"))], BILL_SCHEMA, run_id="back", synced_at=RUN_AT)
    assert back.updated == 1  # a deleted row that the source shows again comes back
    assert live_keys(headers) == [1, 2, 3, 4]


@pytest.mark.spark
def test_sweep_keys_marks_rows_missing_from_the_source(spark, lake_names):
    writer = bill_writer(spark, lake_names, chunk_rows=2, transfer="arrow")
    load_bills(writer, range(1, 6), entity="E1")
    load_bills(writer, range(6, 8), entity="E2")

    keys = [pa.array([1, 2]), pa.array([4, 4, 6])]
    swept = writer.sweep_keys(keys, run_id="rec", synced_at=DELETED_AT, entity="E1")

    assert swept == 2
    version = writer.version()
    assert writer.sweep_keys(keys, run_id="again", synced_at=DELETED_AT, entity="E1") == 0
    assert writer.version() == version  # nothing missing: nothing committed
    assert live_keys(writer) == [1, 2, 4, 6, 7]  # E2's rows are out of the sweep's scope
    stages = lake_names.list_tables(spark)
    assert not [name for name in stages if name.startswith("_stage_")]  # staging dropped
    with pytest.raises(EmptyKeySet, match="no keys"):
        writer.sweep_keys([], run_id="rec", synced_at=DELETED_AT)
    assert live_keys(writer) == [1, 2, 4, 6, 7]


@pytest.mark.spark
def test_hard_delete_removes_rows(spark, lake_names):
    writer = bill_writer(spark, lake_names, hard_delete=True)
    load_bills(writer, range(1, 5))

    assert writer.mark_deleted([1], run_id="del", synced_at=DELETED_AT) == 1
    assert writer.sweep_keys([pa.array([2, 3])], run_id="rec", synced_at=DELETED_AT) == 1

    assert spark.table(lake_names.qualified("ap_bill")).count() == 2
    assert live_keys(writer) == [2, 3]


@pytest.mark.spark
@pytest.mark.parametrize("hard", [False, True], ids=["soft", "hard"])
def test_a_few_keys_are_one_update_and_many_keys_one_merge(spark, lake_names, monkeypatch, hard):
    """Up to INLINE_KEYS keys: one UPDATE (DELETE) naming them; beyond: one MERGE on a key view.
    Both count only the rows they took from the live ones."""
    import intacct_sync.lake.writer as writer_module

    writer = bill_writer(spark, lake_names, hard_delete=hard)
    load_bills(writer, range(1, 7))
    table = lake_names.qualified("ap_bill")

    def last_operation() -> str:
        return spark.sql(f"DESCRIBE HISTORY {table} LIMIT 1").first()["operation"]

    assert writer.mark_deleted([1, 2, 99], run_id="few", synced_at=DELETED_AT) == 2
    assert last_operation() == ("DELETE" if hard else "UPDATE")
    monkeypatch.setattr(writer_module, "INLINE_KEYS", 2)
    assert writer.mark_deleted([2, 3, 4, 98], run_id="many", synced_at=DELETED_AT) == 2
    assert last_operation() == "MERGE"
    assert writer.mark_deleted([], run_id="none", synced_at=DELETED_AT) == 0
    assert live_keys(writer) == [5, 6]
    rows = spark.table(table).where("recordno <= 4").orderBy("recordno").collect()
    if hard:
        assert rows == []
    else:
        assert [(r["recordno"], r["_run_id"]) for r in rows] == [
            (1, "few"), (2, "few"), (3, "many"), (4, "many")
        ]  # fmt: skip


@pytest.mark.spark
@pytest.mark.parametrize("hard", [False, True], ids=["soft", "hard"])
def test_a_loads_deletes_ride_in_its_merge_one_commit(spark, lake_names, monkeypatch, hard):
    """Deletes handed to load go into the MERGE of the window's rows: one commit. A deleted
    header takes its lines, a line without a header (null) is left alone, a deleted row that the
    window also brought is neither taken nor inserted, and only live rows count as deleted."""
    import intacct_sync.lake.writer as writer_module

    lines = TableWriter(
        spark, lake_names, "ap_bill_item", key="RECORDNO", cursor=None,
        options=WriterOptions(hard_delete=hard),
    )  # fmt: skip
    first = {"RECORDNO": [1, 2, 3, 4, 5, 6, 10], "RECORDKEY": [10, 10, 20, 20, None, 30, 20]}
    lines.load([pa.RecordBatch.from_pydict(first, LINE_SCHEMA)], LINE_SCHEMA, run_id="r1",
               synced_at=RUN_AT)  # fmt: skip
    assert lines.mark_deleted([6], run_id="r1", synced_at=RUN_AT) == 1  # already gone
    table = lake_names.qualified("ap_bill_item")
    before = lines.version()
    # The window: lines 5 and 10 move under header 40 (10 away from the deleted header 20, as
    # a recreated bill's payment details do), line 3 and a new line 8 under header 20 are rows
    # Intacct sent before the delete; line 7 is new.
    window = {"RECORDNO": [5, 3, 7, 8, 10], "RECORDKEY": [40, 20, 40, 20, 40]}
    asked: list[bool] = []

    def deletes() -> dict[str, list[int]]:
        asked.append(True)
        return {"RECORDNO": [1, 6, 99], "RECORDKEY": [20]}

    result = lines.load([pa.RecordBatch.from_pydict(window, LINE_SCHEMA)], LINE_SCHEMA,
                        run_id="r2", synced_at=DELETED_AT, deletes=deletes)  # fmt: skip

    assert asked == [True] and result.deletes_applied
    history = spark.sql(f"DESCRIBE HISTORY {table}").orderBy("version").collect()
    assert [(h["version"], h["operation"]) for h in history if h["version"] > before] == [
        (before + 1, "MERGE")
    ]
    # 1 (own delete) and 4 (header 20) taken; 3 was sent but its header is gone; 6 was gone.
    assert (result.inserted, result.updated, result.deleted) == (1, 2, 3)
    assert live_keys(lines) == [2, 5, 7, 10]
    rows = {r["recordno"]: r for r in spark.table(table).collect()}
    assert rows[5]["recordkey"] == rows[10]["recordkey"] == 40 and 8 not in rows
    if hard:
        assert sorted(rows) == [2, 5, 7, 10]
    else:
        assert sorted(rows) == [1, 2, 3, 4, 5, 6, 7, 10]
        assert [rows[k]["_run_id"] for k in (1, 3, 4, 6)] == ["r2", "r2", "r2", "r1"]

    # More keys than one statement should name: the load leaves them to the caller.
    monkeypatch.setattr(writer_module, "INLINE_KEYS", 1)
    again = lines.load([pa.RecordBatch.from_pydict({"RECORDNO": [9], "RECORDKEY": [40]},
                        LINE_SCHEMA)], LINE_SCHEMA, run_id="r3", synced_at=DELETED_AT,
                       deletes=lambda: {"RECORDNO": [2, 5]})  # fmt: skip
    assert not again.deletes_applied and again.deleted == 0
    assert live_keys(lines) == [2, 5, 7, 9, 10]


@pytest.mark.spark
def test_concurrent_loads_into_one_table_all_land(spark, lake_names):
    load_bills(bill_writer(spark, lake_names), range(1, 2))
    errors: list[BaseException] = []

    def worker(start: int) -> None:
        try:
            for i in range(3):
                load_bills(bill_writer(spark, lake_names), range(start + i, start + i + 1))
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(s,)) for s in (100, 200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert live_keys(bill_writer(spark, lake_names)) == [1, 100, 101, 102, 200, 201, 202]


def test_conflict_retry_reruns_only_delta_conflicts():
    calls: list[int] = []
    sleeps: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConcurrentAppendException(message="another writer committed first")
        return "done"

    assert with_conflict_retry(flaky, attempts=5, sleep=sleeps.append) == "done"
    assert len(calls) == 3 and len(sleeps) == 2

    def always_conflict() -> None:
        calls.append(1)
        raise ConcurrentAppendException(message="conflict")

    calls.clear()
    with pytest.raises(CommitConflict, match="4 attempts.*ConcurrentAppendException") as info:
        with_conflict_retry(always_conflict, attempts=4, sleep=sleeps.append)
    assert len(calls) == 4 and isinstance(info.value.__cause__, ConcurrentAppendException)

    def broken() -> None:
        calls.append(1)
        raise AnalysisException(message="table not found")

    calls.clear()
    with pytest.raises(AnalysisException):
        with_conflict_retry(broken, attempts=4, sleep=sleeps.append)
    assert len(calls) == 1

    def half_made_by_another_writer() -> str:
        calls.append(1)
        if len(calls) < 2:
            raise AnalysisException(
                message="[DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION] Cannot create table "
                "('x'). The associated location ('y') is not empty and also not a Delta table."
            )
        return "created"

    calls.clear()
    assert with_conflict_retry(half_made_by_another_writer, sleep=sleeps.append) == "created"
    assert len(calls) == 2


@pytest.mark.spark
def test_tables_created_by_two_writers_at_once_exist_once(spark, lake_names):
    """Two runs creating the same tables at the same moment both succeed (the loser finds the
    winner's table), whichever way the race falls."""
    from pyspark.sql import types as T

    from intacct_sync.lake.schema import create_table

    schema = T.StructType([T.StructField("recordno", T.LongType())])
    tables = [f"race_{i}" for i in range(6)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        for table in tables:
            try:
                create_table(spark, lake_names, table, schema, key="recordno")
            except BaseException as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    for table in tables:
        assert spark.table(lake_names.qualified(table)).schema.names == ["recordno"]


@pytest.mark.spark
def test_a_big_tables_statements_run_with_generated_code_and_land_the_same(
    spark, lake_names, monkeypatch
):
    """From BULK_ROWS rows (the table's last count, raised by each load) the writer reads and
    rewrites rows in the local session's twin with generated code (a first load of 300,000 rows
    ran 4.6x as fast there): a load with its deletes in the MERGE, a delete, a key sweep and the
    live rows all run in the twin, temporary views included, and land as in the session."""
    from intacct_sync.lake.spark import BULK_ROWS, bulk_session
    from intacct_sync.lake.staging import Stage

    twin = bulk_session(spark)
    staged_in: list[object] = []  # the session each load's staged rows were read into
    read_staged = Stage.dataframe

    def dataframe(stage, session=None):
        frame = read_staged(stage, session)
        staged_in.append(frame.sparkSession)
        return frame

    monkeypatch.setattr(Stage, "dataframe", dataframe)
    in_twin: list[str] = []  # the first word of each statement the twin ran
    twin_sql = twin.sql
    monkeypatch.setattr(
        twin, "sql", lambda q, *a, **k: in_twin.append(q.split()[0]) or twin_sql(q, *a, **k)
    )
    assert twin is bulk_session(spark) and twin is not spark
    assert spark.conf.get("spark.sql.codegen.factoryMode") == "NO_CODEGEN"
    assert twin.conf.get("spark.sql.codegen.factoryMode") == "FALLBACK"
    # Small statements take one shuffle partition; the twin's big ones split in two (both cores).
    assert spark.conf.get("spark.sql.shuffle.partitions") == "1"
    assert spark.conf.get("spark.databricks.delta.snapshotPartitions") == "1"
    assert twin.conf.get("spark.sql.shuffle.partitions") == "2"
    assert twin.conf.get("spark.sql.files.minPartitionNum") == "2"
    assert twin.conf.get("spark.sql.session.timeZone") == "UTC"  # the session's own settings

    small = TableWriter(spark, lake_names, "ap_bill_item", key="RECORDNO", cursor=None)
    assert small._rows_session() is spark
    lines = TableWriter(
        spark, lake_names, "ap_bill_item", key="RECORDNO", cursor=None, table_rows=BULK_ROWS
    )
    assert lines._rows_session() is twin
    first = {"RECORDNO": [1, 2, 3, 4, 5, 6], "RECORDKEY": [10, 10, 20, 20, 30, 30]}
    loaded = lines.load([pa.RecordBatch.from_pydict(first, LINE_SCHEMA)], LINE_SCHEMA,
                        run_id="r1", synced_at=RUN_AT)  # fmt: skip
    assert loaded.inserted == 6 and lines.table_rows == BULK_ROWS + 6
    window = {"RECORDNO": [5, 7], "RECORDKEY": [40, 40]}
    merged = lines.load([pa.RecordBatch.from_pydict(window, LINE_SCHEMA)], LINE_SCHEMA,
                        run_id="r2", synced_at=DELETED_AT,
                        deletes=lambda: {"RECORDKEY": [20]})  # fmt: skip
    assert merged.deletes_applied and (merged.inserted, merged.updated, merged.deleted) == (1, 1, 2)
    in_twin.clear()
    assert lines.mark_deleted([1], run_id="r3", synced_at=DELETED_AT) == 1
    assert in_twin == ["UPDATE"]  # the key-list delete rewrites the table's rows in the twin
    keys = [pa.array([2, 5, 7], pa.int64())]  # 6 is no longer in Intacct
    assert lines.sweep_keys(keys, run_id="r4", synced_at=DELETED_AT) == 1
    assert live_keys(lines) == [2, 5, 7]
    assert lines.live_dataframe().sparkSession is twin
    # Both loads (the append, then the MERGE with its deletes) and the sweep read in the twin.
    assert len(staged_in) == 3 and all(s is twin for s in staged_in)
