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

from benchmarks.sync_child import (
    SparkCounters,
    commits,
    cpu_s,
    cpu_since,
    jvm_pid,
    start_spark,
)
from intacct_sync.config import Settings
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


def main() -> None:
    job = json.loads(sys.stdin.readline())
    spark, phases = start_spark(job)
    counters, jvm, steps = SparkCounters(spark), jvm_pid(), Steps()
    print("READY " + json.dumps(phases), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("kind") == "quit":
            break
        print(
            "RESULT " + json.dumps(one_run(job, request, spark, counters, jvm, steps)), flush=True
        )
    spark.stop()


if __name__ == "__main__":
    main()
