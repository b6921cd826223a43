"""The SparkSession: the Databricks runtime's own, or a local Delta session.

Inside Databricks the runtime owns the session: we only ``getOrCreate`` it. On a laptop we build a
small local session with Delta Lake, tuned for many small MERGEs (few shuffle partitions, small
Delta snapshots), whose warehouse and metastore live in one directory so nothing lands in the cwd.
"""

from __future__ import annotations

import os
import shutil
import threading
import weakref
from pathlib import Path

from pyspark.sql import SparkSession

from intacct_sync.lake.errors import SparkUnavailableError

DEFAULT_WAREHOUSE = ".lakehouse"

# The local JVM's collector and compiler. A sync's statements are many and small, so a third
# of the JVM's CPU went to the JIT compiler, still compiling after hundreds of statements, and a
# tenth to G1's concurrent work. The parallel collector has no concurrent phases, and methods
# compiled after three times the calls leave the long tail of lukewarm Spark code interpreted.
# Measured on this 2-core machine, one run after the other: test_lake_deletes 123 s -> 108 s
# (twice each); the medium company's 1% run 81-94 -> 67-68 JVM CPU-s, its full sync 121-129 ->
# 110-113. Either flag alone gained less (the parallel collector 118 s) or lost (the compile
# threshold alone 134 s). Databricks' JVM is its own; this is the local session and the tests'
# Spark Connect server.
LOCAL_JVM_OPTIONS = "-Duser.timezone=UTC -XX:+UseParallelGC -XX:CompileThresholdScaling=3"

# The local driver JVM's heap. Spark's default (1g) left a long-lived session too little room:
# after 45 minutes of make stress, one worker's session failed to allocate a 32 MB sort page
# ("Java heap space") in the middle of a MERGE into a 140-column table, though a full GC left
# only 125-280 MiB in use after each scenario (measured over six seeds: no growth, so a peak,
# not a leak). Spark's own SPARK_DRIVER_MEMORY, when set, wins.
LOCAL_DRIVER_MEMORY = "2g"

# Settings that make a local session fast for small tables; none changes a result.
LOCAL_CONF: dict[str, str] = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
    # One partition per shuffle, per Delta snapshot and per parallelized collection: a statement
    # on a few thousand rows gains nothing from splitting them, and each task is serialized,
    # scheduled and deserialized (Java serialization was a sixth of the JVM's Java samples in a
    # profile of small statements). Measured on the seed-1 scenario's ten objects, three or four
    # runs of each setting, interleaved: the three incremental syncs 128-134 -> 117-124 JVM CPU-s,
    # with the full sync 197-208 -> 182-190. The twin with generated code (bulk_session) splits
    # its big statements in two.
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": LOCAL_JVM_OPTIONS,
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Adaptive execution re-plans every stage; on a few thousand local rows that costs more
    # than it saves (measured: a small MERGE 2.0 s without, 3-4 s with).
    "spark.sql.adaptive.enabled": "false",
    # MERGE copies a source it cannot prove stable. Ours are: staged Parquet files, a staging
    # Delta snapshot or an in-memory Arrow table, deduplicated with a total order (_seq).
    "spark.databricks.delta.merge.materializeSource": "none",
    "spark.databricks.delta.snapshotPartitions": "1",
    "spark.databricks.delta.properties.defaults.checkpointInterval": "50",
    "spark.databricks.delta.autoCompact.enabled": "false",
    "spark.databricks.delta.optimizeWrite.enabled": "false",
    "spark.databricks.delta.merge.repartitionBeforeWrite.enabled": "false",
    "spark.databricks.delta.schema.autoMerge.enabled": "false",
    # Generated code costs more than it saves on a few thousand rows: each statement on an
    # 80-140 column table generated and compiled projections anew (a fifth of a one-row
    # UPDATE's CPU was Spark formatting that code). Interpreted expressions give the same
    # results (they are Spark's fallback when code fails to compile). Measured on the medium
    # company: full sync 158 -> 109 JVM CPU-s, 1% run 138 -> 110; make test 14 -> 9 min. Rows
    # cost more to evaluate this way: at 260k rows the full sync took 183 JVM CPU-s against 169.
    # spark.catalog.listTables fails under it (TableNames.list_tables uses SQL instead).
    # Statements over many rows run in a session of their own with generated code
    # (bulk_session): there, evaluating rows is what costs.
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}
# Generated code for the statements that read or write many rows: a first load of 300,000
# rows x 30 columns took 38 s and 42 JVM CPU-s interpreted, 8 s and 13 CPU-s compiled; at
# 42,000 rows compiled code gained a tenth (3.9 -> 3.6 s, a 300-row MERGE 4.7 -> 4.3 s), and
# below that compiling each statement costs about what it saves.
GENERATED_CODE: dict[str, str] = {
    "spark.sql.codegen.wholeStage": "true",
    "spark.sql.codegen.factoryMode": "FALLBACK",
    "spark.sql.shuffle.partitions": "2",  # both cores for the big statements
    "spark.sql.files.minPartitionNum": "2",
}
# From this many rows (in the statement's source or its table) a statement runs in bulk_session.
BULK_ROWS = 50_000

_bulk: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_bulk_lock = threading.Lock()


def interpreted(spark: SparkSession) -> bool:
    """True for a session that evaluates expressions without generated code: the local session
    (LOCAL_CONF), or a Spark Connect server started with it (the tests')."""
    try:
        mode = spark.conf.get("spark.sql.codegen.factoryMode", None)
    except Exception:  # noqa: BLE001 - serverless refuses to read most settings
        return False
    return mode == "NO_CODEGEN"


def bulk_session(spark: SparkSession) -> SparkSession:
    """The session for statements over many rows: the local session's own twin (same
    SparkContext, catalog and settings) with generated code on, made once; any other session
    (Databricks', Spark Connect's, one that generates code already) is returned as it is.

    A DataFrame, and a temporary view made from it, belong to their session: a statement
    reading one runs in ``frame.sparkSession``.
    """
    if getattr(spark, "_jsparkSession", None) is None:  # Spark Connect: no local twin
        return spark
    if not interpreted(spark):  # Databricks' session, or a twin already
        return spark
    with _bulk_lock:
        twin = _bulk.get(spark)
        if twin is None:
            twin = spark.newSession()
            for key, value in GENERATED_CODE.items():
                twin.conf.set(key, value)
            _bulk[spark] = twin
        return twin


def get_spark(
    warehouse: str | None = None,
    app_name: str = "intacct-sync",
    *,
    databricks: bool = False,
    java_home: str | None = None,
    jars_dir: str | None = None,
) -> SparkSession:
    """The active session, Databricks' own (``databricks``), or a new local Delta session.

    ``java_home`` and ``jars_dir`` come from the environment (read once, in config).

    >>> spark = get_spark(".lakehouse")  # doctest: +SKIP
    """
    if databricks:
        return SparkSession.builder.getOrCreate()
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    _require_java(java_home)
    root = Path(warehouse or DEFAULT_WAREHOUSE).resolve()
    root.mkdir(parents=True, exist_ok=True)
    # Hive support with an embedded Derby metastore in the warehouse: the tables a run creates
    # are still registered when the next process opens the same warehouse.
    builder = SparkSession.builder.master("local[2]").appName(app_name).enableHiveSupport()
    for key, value in LOCAL_CONF.items():
        builder = builder.config(key, value)
    log_config = Path(__file__).with_name("log4j2.properties")
    java_options = (
        f"{LOCAL_JVM_OPTIONS} -Dderby.system.home={root} "
        f"-Dlog4j2.configurationFile={log_config.as_uri()}"
    )
    builder = (
        builder.config("spark.sql.warehouse.dir", str(root))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", _derby_url(root))
        .config("spark.driver.extraJavaOptions", java_options)
    )
    if not os.environ.get("SPARK_DRIVER_MEMORY"):
        builder = builder.config("spark.driver.memory", LOCAL_DRIVER_MEMORY)
    builder = _with_delta_jars(builder, jars_dir)
    # Logging is configured by log4j2.properties (no sparkContext needed to quiet it).
    return builder.getOrCreate()


def _derby_url(root: Path) -> str:
    return f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true"


def _require_java(java_home: str | None) -> None:
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return
    if shutil.which("java") is None:
        raise SparkUnavailableError(
            "Java was not found: a local Spark session needs a Java 17+ runtime. "
            "Install one (e.g. the openjdk-17-jre-headless package) or set JAVA_HOME."
        )


def find_jars_dir(explicit: str | None = None) -> Path | None:
    """The directory of Delta jars: ``explicit`` ($INTACCT_SYNC_JARS), else a `.jars` dir above
    the working directory or the package (the project's own, made by ``make jars``)."""
    if explicit:
        return Path(explicit) if any(Path(explicit).glob("*.jar")) else None
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for folder in (start, *start.parents):
            candidate = folder / ".jars"
            if candidate.is_dir() and any(candidate.glob("*.jar")):
                return candidate
    return None


def _with_delta_jars(builder: SparkSession.Builder, explicit: str | None) -> SparkSession.Builder:
    jars_dir = find_jars_dir(explicit)
    if jars_dir is not None:
        jars = ",".join(str(p) for p in sorted(jars_dir.glob("*.jar")))
        return builder.config("spark.jars", jars)
    # No local jars: let Spark fetch the Delta release matching the pip package.
    from delta import configure_spark_with_delta_pip

    return configure_spark_with_delta_pip(builder)
