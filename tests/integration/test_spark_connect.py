"""The sync through Spark Connect, as on serverless compute: no sparkContext, no JVM here.

A local Spark Connect server with Delta (tests/support/connect_server.py) stands in for
serverless. The same pipeline runs against it: full and incremental syncs with updates,
deletes and cascades, the run log and ``status``, and the entry point a wheel task calls, in a
process that has no Java at all (so a local JVM cannot be what makes it work), with the exit
statuses that fail the task.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from intacct_sync.lake.names import TableNames
from intacct_sync.lake.spark import bulk_session
from intacct_sync.lake.state import StateStore
from intacct_sync.runner import run_sync
from tests.support.lake_check import check_all
from tests.support.sync import client_for, settings_for
from tests.support.wheel_task import run_wheel_task

pytestmark = [pytest.mark.spark, pytest.mark.connect, pytest.mark.xdist_group("connect")]

OBJECTS = ("VENDOR", "APBILL", "APBILLITEM", "GLBATCH", "FUND")  # GLENTRY: the same path, 4x rows
# An insert, an update, a delete and its cascade need no more than these three. make stress: all
# of OBJECTS (a second delete, and FUND read in full); in make test FUND goes through Connect in
# the CLI test below, and GLBATCH's delete is APBILL's path.
AP = ("VENDOR", "APBILL", "APBILLITEM")


@pytest.fixture
def connect_names(connect_spark) -> TableNames:
    names = TableNames("main", f"c_{uuid.uuid4().hex[:12]}")
    names.ensure_schema(connect_spark)
    return names


def test_the_session_is_spark_connect_without_a_spark_context(connect_spark):
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    assert isinstance(connect_spark, ConnectSession)
    with pytest.raises(Exception, match="sparkContext|JVM_ATTRIBUTE_NOT_SUPPORTED"):
        _ = connect_spark.sparkContext
    # Big tables are written by the server's own settings: no local twin session over Connect.
    assert bulk_session(connect_spark) is connect_spark


@pytest.mark.parametrize(
    "objects", [pytest.param(AP, id="ap"), pytest.param(OBJECTS, id="all", marks=pytest.mark.slow)]
)
def test_full_then_incremental_sync_with_deletes_and_cascades(
    connect_server, connect_spark, connect_names, emulator, objects
):
    spark, company = connect_spark, emulator.company
    settings = settings_for(  # the views too, made through Connect
        emulator, connect_names, objects=objects, remote=connect_server.url, analytics=True
    )
    assert settings.spark_mode == "spark-connect"
    assert settings.writer_options("VENDOR").transfer == "arrow"  # the server cannot read here
    with client_for(emulator, settings) as client:
        first = run_sync(settings, client=client, spark=spark)
        assert [(r.object, r.error_message) for r in first.failed] == []
        assert all(r.mode == "full" and r.reconciled for r in first.results)
        check_all(spark, connect_names, company, list(objects))

        bills = [int(r["RECORDNO"]) for r in company.rows("APBILL")]
        company.update("APBILL", bills[0], {"DESCRIPTION": "edited through Connect"})
        company.delete("APBILL", bills[1])  # its lines go with it (a cascade)
        if "GLBATCH" in objects:
            company.delete("GLBATCH", int(company.rows("GLBATCH")[0]["RECORDNO"]))
        vendor = company.insert("VENDOR", {"VENDORID": "V-CONNECT", "NAME": "Connect Vendor"})
        emulator.clock.advance(timedelta(minutes=5))
        second = run_sync(settings, client=client, spark=spark)

    by = {r.object: r for r in second.results}
    assert [(r.object, r.error_message) for r in second.failed] == []
    assert all(r.mode == "incremental" for r in second.results if r.object != "FUND")
    assert (by["APBILL"].rows_updated, by["APBILL"].rows_deleted) == (1, 1)
    assert by["VENDOR"].rows_inserted == 1
    assert "GLBATCH" not in objects or by["GLBATCH"].rows_deleted == 1
    lines = spark.table(connect_names.qualified("ap_bill_item"))
    assert lines.where(f"recordkey = {bills[1]} AND NOT _deleted").count() == 0
    gone = lines.where(f"recordkey = {bills[1]} AND _deleted").count()
    # The bill's lines left with it (a cascade), and the line object's run row counts them.
    assert by["APBILLITEM"].rows_deleted == gone > 0
    # Objects that changed are reconciled again; the others keep their last figures.
    assert {r.object: r.reconciled for r in second.results if r.reconciled is not None} == {
        name: True for name in objects if name != "FUND"
    }
    # The changed tables were counted from their change data feeds, through Connect.
    assert {by[n].reconciliation.target_basis for n in ("APBILL", "APBILLITEM", "VENDOR")} == {
        "changes"
    }
    check_all(spark, connect_names, company, list(objects))
    new = spark.table(connect_names.qualified("vendor")).where(f"recordno = {vendor}").first()
    assert new["name"] == "Connect Vendor"
    # The test server runs interpreted expressions, as the local session does: its tables keep
    # file statistics for the key only (lake/schema.py create_table).
    detail = spark.sql(f"DESCRIBE DETAIL {connect_names.qualified('vendor')}").first()
    assert detail["properties"]["delta.dataSkippingStatsColumns"] == "recordno"
    # The state is the run log, read back through Connect.
    states = {s.object: s for s in StateStore(spark, connect_names).states()}
    assert set(states) == set(objects) and states["APBILL"].watermark is not None


def test_a_wheel_task_syncs_reports_status_and_fails_through_spark_connect_with_no_java(
    connect_server, connect_spark, connect_names, emulator, tmp_path
):
    """What a serverless wheel task runs: the entry point called as a python_wheel_task calls it
    (its return value ignored), a Connect session, and the exit statuses that fail the task."""

    def task(*args: str) -> subprocess.CompletedProcess:
        env = {
            # No java on PATH and no JAVA_HOME: a local JVM cannot start, only Connect works.
            "PATH": str(Path(sys.executable).parent),
            "HOME": str(tmp_path),
            "SPARK_REMOTE": connect_server.url,
            **{k: os.environ[k] for k in ("PYTHONPATH",) if k in os.environ},
            **{f"INTACCT_{k.upper()}": v for k, v in emulator.credentials.items()},
        }
        parameters = [*args, "--schema", connect_names.schema, "--endpoint-url", emulator.url]
        return run_wheel_task(parameters, env, cwd=tmp_path)

    run = task("run", "--objects", "FUND", "--lag-minutes", "0", "--no-progress")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    check_all(connect_spark, connect_names, emulator.company, ["FUND"])
    status = task("status")
    assert status.returncode == 0, status.stderr[-2000:]
    assert "FUND" in status.stdout
    # A failure leaves through the exit status, never through a return value the task ignores.
    # An unknown object is a configuration error (2).
    bad = task("run", "--objects", "NOTANOBJECT", "--no-progress")
    assert bad.returncode == 2 and "NOTANOBJECT" in bad.stderr + bad.stdout
    # A fatal result error on every CLASS page: the run's one object fails (1), so the task
    # fails and its retries and failure email follow. That the other objects go on is
    # test_pipeline's (test_failed_object_keeps_its_watermark_...).
    emulator.faults.add("result_error@object=CLASS,variant=fatal,times=99")
    failed = task("run", "--objects", "CLASS", "--lag-minutes", "0", "--no-progress")
    assert failed.returncode == 1, failed.stdout[-2000:] + failed.stderr[-3000:]
    assert "CLASS" in failed.stdout and "failed objects: 1" in failed.stdout
    assert "BL01001973" in failed.stdout  # the injected error, not some other failure
