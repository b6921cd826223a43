"""One measured full sync of APBILLITEM, in its own process (so its peak RSS is its own).

Reads a JSON job on stdin (emulator URL and credentials, warehouse, options), then:

1. starts a local Spark + Delta session and warms it (a small load and MERGE elsewhere);
2. times ``run_sync`` of APBILLITEM into an empty warehouse; the client is wrapped to time
   each page as it is produced (fetch + parse, in the pipeline's prefetch thread) and, when
   asked, to copy every page into a Parquet file with pyarrow (the copy's time is reported);
3. records the driver's peak RSS (``ru_maxrss``) and the JVM's (``VmHWM`` from /proc);
4. optionally times the bare Spark load of the copied rows:
   ``spark.read.parquet(dir).write.format("delta").saveAsTable(...)``.

Prints one line ``RESULT {json}`` on stdout. Run by ``benchmarks.e2e``, not by hand.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks.lake_load import pages as synthetic_pages
from benchmarks.lake_load import schema as synthetic_schema
from intacct_sync.config import Settings
from intacct_sync.lake.names import TableNames
from intacct_sync.lake.spark import bulk_session, get_spark
from intacct_sync.lake.writer import TableWriter
from intacct_sync.runner import make_client, run_sync
from intacct_sync.secrets import IntacctSecrets

OBJECT, TABLE = "APBILLITEM", "ap_bill_item"
NAMES = TableNames("main", "bench")


class TimedClient:
    """Delegates to an IntacctClient; times the pages it yields and can copy them to Parquet."""

    def __init__(self, client, tee_path: str | None) -> None:
        self._client = client
        self.tee_path = tee_path
        self._writer: pq.ParquetWriter | None = None
        self.produce_s = self.request_s = self.tee_s = 0.0
        self.rows = self.pages = 0
        self.first_page_at: float | None = None
        self.last_page_at: float | None = None

    def __getattr__(self, name: str):
        return getattr(self._client, name)

    def read_pages(self, *args, **kwargs):
        pages = self._client.read_pages(*args, **kwargs)
        while True:
            began = time.perf_counter()
            page = next(pages, None)
            now = time.perf_counter()
            self.produce_s += now - began
            if page is None:
                return
            self.first_page_at = self.first_page_at or now
            self.last_page_at = now
            self.request_s += page.elapsed
            self.rows += page.num_rows
            self.pages += 1
            if self.tee_path:
                self._tee(page.batch)
            yield page

    def _tee(self, batch) -> None:
        began = time.perf_counter()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.tee_path, batch.schema)
        self._writer.write_batch(batch)
        self.tee_s += time.perf_counter() - began

    def close_tee(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def rss_kib() -> dict[str, int]:
    """The driver's current and peak resident set, KiB."""
    status = _status(os.getpid())
    return {
        "now": status.get("VmRSS", 0),
        "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def jvm_pid() -> int | None:
    """The java process started under this one (Spark's JVM), if there is exactly one."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    mine, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - mine
        mine |= frontier
    java = [pid for pid in mine if _comm(pid) == "java"]
    return java[0] if len(java) == 1 else None


def cpu_s(jvm: int | None) -> dict[str, float]:
    """CPU seconds used so far by this driver and by the JVM (user + system).

    Wall time on a shared machine stretches with the neighbours' load; CPU time much less.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out = {"driver": usage.ru_utime + usage.ru_stime, "jvm": 0.0}
    if jvm is not None:
        try:
            fields = Path(f"/proc/{jvm}/stat").read_text().rsplit(")", 1)[1].split()
            out["jvm"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            pass
    return out


def cpu_since(jvm: int | None, start: dict[str, float]) -> dict[str, float]:
    now = cpu_s(jvm)
    return {k: now[k] - start[k] for k in now}


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _status(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def commits(warehouse: str) -> Counter:
    """Commit files per table directory (Delta writes one ``NNN.json`` per commit)."""
    found: Counter = Counter()
    for log in Path(warehouse).rglob("_delta_log"):
        found[log.parent.name] = sum(1 for p in log.glob("*.json") if p.stem.isdigit())
    return found


class SparkCounters:
    """Jobs and SQL executions of the local session so far (ground truth from the JVM)."""

    def __init__(self, spark) -> None:
        self.jsc = spark.sparkContext._jsc.sc()
        self.store = spark._jsparkSession.sharedState().statusStore()

    def now(self) -> dict[str, int]:
        return {
            "jobs": _value(self.jsc.dagScheduler().nextJobId()),
            "sql": self.store.executionsCount(),
        }


def _value(counter) -> int:
    """An AtomicInteger, or its value when py4j has already read it."""
    return counter if isinstance(counter, int) else counter.get()


def warm_up(spark) -> None:
    """Class loading and Delta's first-use costs, paid before anything is timed."""
    names = TableNames("main", "warm")
    names.ensure_schema(spark)
    writer = TableWriter(spark, names, "warmup", key="RECORDNO", cursor="WHENMODIFIED")
    at = datetime(2024, 5, 1, tzinfo=timezone.utc)
    for run in ("w1", "w2"):  # a create and a MERGE
        writer.load(synthetic_pages(0, 4000), synthetic_schema(), run_id=run, synced_at=at)


def timed_sync(job: dict, spark, client: TimedClient) -> dict:
    settings = Settings(
        endpoint_url=job["url"], catalog=NAMES.catalog, schema=NAMES.schema,
        warehouse=job["warehouse"], objects=(OBJECT,), discover_udds=False,
        lag=timedelta(0), progress=False, max_in_flight=job.get("max_in_flight", 2),
    )  # fmt: skip
    counters, before_commits = SparkCounters(spark), commits(job["warehouse"])
    before = counters.now()
    began = time.perf_counter()
    summary = run_sync(settings, client=client, spark=spark)
    ended = time.perf_counter()
    after, new = counters.now(), commits(job["warehouse"]) - before_commits
    result = summary.results[0]
    if result.status != "succeeded":
        raise RuntimeError(f"the sync failed: {result.error_message}")
    return {
        "seconds": ended - began,
        "rows_read": result.rows_read,
        "api_calls": result.api_calls,
        "pages": result.pages,
        "bytes": result.bytes,
        "produce_s": client.produce_s,
        "request_s": client.request_s,
        "tee_s": client.tee_s,
        "first_page_after_s": (client.first_page_at or ended) - began,
        "tail_s": ended - (client.last_page_at or ended),
        "delta_commits": sum(new.values()),
        "commits_by_table": dict(sorted(new.items())),
        "spark_jobs": after["jobs"] - before["jobs"],
        "sql_executions": after["sql"] - before["sql"],
    }


def bare_load(spark, path: str, jvm: int | None) -> dict:
    """The baseline: Spark reads the pyarrow Parquet file and writes a new Delta table, with
    generated code as a plain Spark session runs (the local session's twin, bulk_session)."""
    spark = bulk_session(spark)
    cpu = cpu_s(jvm)
    began = time.perf_counter()
    spark.read.parquet(path).write.format("delta").saveAsTable(NAMES.qualified("bare_load"))
    seconds = time.perf_counter() - began
    used = cpu_since(jvm, cpu)
    return {
        "seconds": seconds,
        "cpu_s": used,
        "rows": spark.table(NAMES.qualified("bare_load")).count(),
    }


def start_spark(job: dict) -> tuple[object, dict]:
    began = time.perf_counter()
    spark = get_spark(job["warehouse"], app_name="intacct-sync-bench")
    started = time.perf_counter()
    warm_up(spark)
    return spark, {"spark_start_s": started - began, "warm_up_s": time.perf_counter() - started}


def main() -> None:
    job = json.loads(sys.stdin.read())
    spark, phases = start_spark(job)
    jvm = jvm_pid()
    before = rss_kib()
    secrets = IntacctSecrets.from_mapping(job["credentials"], source="emulator")
    settings = Settings(endpoint_url=job["url"], progress=False)
    tee = str(Path(job["warehouse"]) / "bare.parquet") if job.get("baseline") else None
    client = TimedClient(make_client(settings, secrets), tee)
    cpu = cpu_s(jvm)
    out: dict = {"sync": timed_sync(job, spark, client), "phases": phases}
    out["sync"]["cpu_s"] = cpu_since(jvm, cpu)
    out["rss_kib"] = {"before_sync": before["now"], "peak": rss_kib()["peak"]}
    out["jvm_peak_kib"] = _status(jvm).get("VmHWM") if jvm else None
    client.close_tee()
    client.close()
    out["rows_landed"] = spark.table(NAMES.qualified(TABLE)).count()
    if tee:
        out["bare_load"] = bare_load(spark, tee, jvm)
    spark.stop()
    print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
