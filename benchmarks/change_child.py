"""Runs of every default object into one warehouse, one per request, in one Spark session.

Reads a JSON job on its first stdin line (emulator URL and credentials, warehouse), starts and
warms a local Spark + Delta session (``sync_child.start_spark``) and prints ``READY``. Then, for
each further line ``{"kind": ..., "offset_s": ...}`` it times one ``run_sync`` (a new client
each time, as a scheduled run would log in afresh; the run's clock is the emulator's, which the
parent has moved ``offset_s`` ahead of real time) and prints ``RESULT {json}`` with:

- wall seconds, Intacct API calls and billed transactions (the run's ``_run`` row);
- Delta commits: new commit files (``_delta_log/NNN.json``) in every table of the warehouse;
- Spark jobs: the jobs the SparkContext started during the run (its job ids are a sequence);
- SQL executions: statements Spark planned and ran (reads, MERGEs, metadata queries);
- per object: rows read, written, seconds from its start to its end;
- busy seconds per step (``STEPS``), summed over the run's parallel threads: where time goes.

A request ``{"kind": "merge floor", "written": {object: rows}}`` (sent after the 1% run) times
instead the bare MERGE each changed table cannot do without (``merge_floor``) and prints
``RESULT {json}`` with its seconds and CPU per table.

The counters read the local SparkContext: this is a benchmark, the product never does. Run by
``benchmarks.change``, not by hand.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from pyspark.sql import functions as F

from benchmarks.sync_child import (
    SparkCounters,
    commits,
    cpu_s,
    cpu_since,
    jvm_pid,
    start_spark,
)
from intacct_sync.config import Settings
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.lake.names import TableNames
from intacct_sync.lake.spark import BULK_ROWS, bulk_session
from intacct_sync.runner import make_client, run_sync
from intacct_sync.secrets import IntacctSecrets
from intacct_sync.sync_object import utcnow

# (module, attribute path, step): product functions timed while the bench runs.
STEPS = (
    ("intacct_sync.pipeline", "Pipeline._prepare", "setup: schema, run log, state snapshot"),
    ("intacct_sync.lake.writer", "TableWriter.load", "pages read and written (MERGE or append)"),
    ("intacct_sync.lake.writer", "TableWriter.ensure", "tables created or evolved"),
    ("intacct_sync.lake.writer", "TableWriter.mark_deleted_matching",
     "deletes: audited keys and lines of deleted headers"),
    ("intacct_sync.lake.writer", "TableWriter.sweep_keys", "deletes: key sweeps"),
    ("intacct_sync.lake.writer", "TableWriter.version", "table versions read"),
    ("intacct_sync.reconcile", "source_summary", "reconciliation: Intacct's figures"),
    ("intacct_sync.reconcile", "target_summary", "reconciliation: table scans"),
    ("intacct_sync.reconcile", "target_after_changes", "reconciliation: change data feeds"),
    ("intacct_sync.lake.state", "StateStore.record", "run-log appends"),
    ("intacct_sync.pipeline", "Pipeline._refresh_views", "analysis views"),
)  # fmt: skip


class Steps:
    """Busy seconds per step of ``STEPS`` (summed over threads), from wrappers set once."""

    def __init__(self) -> None:
        self.seconds: Counter = Counter()
        self._lock = threading.Lock()
        for module, path, step in STEPS:
            owner = importlib.import_module(module)
            *outer, name = path.split(".")
            for part in outer:
                owner = getattr(owner, part)
            setattr(owner, name, self._timed(getattr(owner, name), step))

    def _timed(self, func, step: str):
        @functools.wraps(func)
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[step] += time.perf_counter() - began

        return timed

    def take(self) -> dict[str, float]:
        with self._lock:
            out, self.seconds = dict(self.seconds), Counter()
        return out


def one_run(job: dict, request: dict, spark, counters: SparkCounters, jvm, steps: Steps) -> dict:
    offset = timedelta(seconds=request.get("offset_s", 0))
    settings = Settings(
        endpoint_url=job["url"], catalog="main", schema="bench", warehouse=job["warehouse"],
        lag=timedelta(0), progress=False, max_in_flight=job.get("max_in_flight", 2),
    )  # fmt: skip
    secrets = IntacctSecrets.from_mapping(job["credentials"], source="emulator")
    before_commits, before, _ = commits(job["warehouse"]), counters.now(), steps.take()
    cpu = cpu_s(jvm)
    began = time.perf_counter()
    with make_client(settings, secrets) as client:
        summary = run_sync(settings, client=client, spark=spark, now=lambda: utcnow() + offset)
    seconds = time.perf_counter() - began
    used, after = cpu_since(jvm, cpu), counters.now()
    new = commits(job["warehouse"]) - before_commits
    run = summary.run
    objects = {
        f"{r.object}@{r.entity}" if r.entity else r.object: {
            "rows_read": r.rows_read,
            "written": r.rows_inserted + r.rows_updated + r.rows_deleted,
            "seconds": (r.ended_at - r.started_at).total_seconds() if r.ended_at else None,
            "api_calls": r.api_calls,
            "status": r.status,
        }
        for r in summary.results
    }
    return {
        "kind": request["kind"],
        "seconds": seconds,
        "cpu_s": used,
        "failed": [r.object for r in summary.failed],
        "objects": objects,
        "rows_read": run.rows_read,
        "rows_written": run.rows_inserted + run.rows_updated + run.rows_deleted,
        "api_calls": run.api_calls,
        "transactions": run.transactions,
        "delta_commits": sum(new.values()),
        "commits_by_table": dict(sorted(new.items())),
        "spark_jobs": after["jobs"] - before["jobs"],
        "sql_executions": after["sql"] - before["sql"],
        "warnings": list(run.warnings),
        "steps": steps.take(),
    }


NEW_KEYS = 10**12  # added to a key to make a sampled row a new record (an insert)


def merge_floor(job: dict, request: dict, spark, jvm) -> dict:
    """The least a changed table costs: one bare MERGE of as many of its rows as the 1% run
    wrote to it, one table after the other in the session the product would use for it.

    Each source is that many rows of the table taken at random (so they touch as many files as
    a change spread over the table), a fifth of them under new keys: ``MERGE ... WHEN MATCHED
    THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *``. It is staged as Parquet before the
    clock starts, as the product stages its pages. What the product adds on top (its newer-row
    condition, deletes in the same MERGE, the counts of soft deletes, the table versions, the
    change data feed read by the reconciliation, the run records and the views) is not in it.
    """
    names = TableNames("main", "bench")
    tables, staged = {}, Path(job["warehouse"]).parent / "floor"
    for obj, rows in request["written"].items():
        spec = CATALOG[obj]
        if rows <= 0 or spec.table in tables:
            continue
        qualified = names.qualified(spec.table)
        size = spark.table(qualified).count()
        session = bulk_session(spark) if max(size, rows) >= BULK_ROWS else spark
        path = str(staged / spec.table)
        (
            session.table(qualified)
            .orderBy(F.rand(11))
            .limit(rows)
            .withColumn(
                spec.key,
                F.when(F.rand(12) < 0.2, F.col(spec.key) + NEW_KEYS).otherwise(F.col(spec.key)),
            )
            .write.mode("overwrite")
            .parquet(path)
        )
        cpu, began = cpu_s(jvm), time.perf_counter()
        session.read.parquet(path).createOrReplaceTempView("floor_source")
        session.sql(
            f"MERGE INTO {qualified} t USING floor_source s ON t.`{spec.key}` = s.`{spec.key}` "
            "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
        ).collect()
        tables[spec.table] = {
            "rows": rows,
            "table_rows": size,
            "seconds": time.perf_counter() - began,
            "jvm_cpu_s": cpu_since(jvm, cpu)["jvm"],
        }
    return {
        "kind": "merge floor",
        "tables": tables,
        "seconds": sum(t["seconds"] for t in tables.values()),
        "jvm_cpu_s": sum(t["jvm_cpu_s"] for t in tables.values()),
    }


def main() -> None:
    job = json.loads(sys.stdin.readline())
    spark, phases = start_spark(job)
    counters, jvm, steps = SparkCounters(spark), jvm_pid(), Steps()
    print("READY " + json.dumps(phases), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("kind") == "quit":
            break
        if request["kind"] == "merge floor":
            result = merge_floor(job, request, spark, jvm)
        else:
            result = one_run(job, request, spark, counters, jvm, steps)
        print("RESULT " + json.dumps(result), flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
