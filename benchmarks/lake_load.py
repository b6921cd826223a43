"""Lake load throughput: Arrow pages -> Delta, two transfers, and an incremental MERGE.

Measures on a local Spark + Delta session:
0. rows/s of the transfer alone (pages -> chunks -> a Spark DataFrame, forced with a no-op sink);
1. rows/s loading N synthetic rows (30 columns, money as decimal(38,10)) into an empty table
   with TableWriter, for each transfer (a) createDataFrame(pyarrow.Table) and (b) Parquet staging;
2. the seconds of a 10k-row incremental MERGE (half updates, half new rows) into that table.

    python -m benchmarks.lake_load [--rows 200000] [--chunk-rows 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

from intacct_sync.lake.names import TableNames
from intacct_sync.lake.options import WriterOptions
from intacct_sync.lake.schema import spark_schema
from intacct_sync.lake.spark import get_spark
from intacct_sync.lake.staging import Stage, chunks
from intacct_sync.lake.writer import LoadResult, TableWriter

PAGE = 2000  # Intacct's page size: the reader yields pages of this many rows
MONEY = pa.decimal128(38, 10)
RUN_AT = datetime(2024, 5, 1, tzinfo=timezone.utc)


def schema() -> pa.Schema:
    fields = [("RECORDNO", pa.int64()), ("WHENMODIFIED", pa.timestamp("us", tz="UTC"))]
    fields += [(f"AMOUNT{i}", MONEY) for i in range(8)]
    fields += [(f"TEXT{i}", pa.string()) for i in range(10)]
    fields += [(f"COUNT{i}", pa.int64()) for i in range(4)]
    fields += [(f"DATE{i}", pa.date32()) for i in range(3)]
    fields += [(f"FLAG{i}", pa.bool_()) for i in range(3)]
    return pa.schema(fields)


def page(start: int, rows: int, version: int = 0) -> pa.RecordBatch:
    """Rows ``start..start+rows``; ``version`` moves WHENMODIFIED and the amounts."""
    sch = schema()
    ids = pa.array(range(start, start + rows), pa.int64())
    base = 1_700_000_000_000_000 + version * 3_600_000_000
    columns: dict[str, pa.Array] = {
        "RECORDNO": ids,
        "WHENMODIFIED": pc.add(ids, base).cast(pa.timestamp("us", tz="UTC")),
    }
    for f in sch:
        if f.name in columns:
            continue
        if f.type == MONEY:  # cents: (id * 37 + version) / 100, exact
            cents = pc.add(pc.multiply(ids, 37), version).cast(pa.decimal128(20, 0))
            columns[f.name] = pc.multiply(cents, pa.scalar(Decimal("0.01"))).cast(MONEY)
        elif f.type == pa.string():
            columns[f.name] = pc.binary_join_element_wise(
                f.name.lower(), ids.cast(pa.string()), "-"
            )
        elif f.type == pa.int64():
            columns[f.name] = pc.multiply(ids, 3)
        elif f.type == pa.date32():
            columns[f.name] = (
                pc.add(pc.divide(ids, 1000), 19_000).cast(pa.int32()).cast(pa.date32())
            )
        else:
            columns[f.name] = pc.equal(pc.bit_wise_and(ids, 1), 0)
    return pa.RecordBatch.from_arrays([columns[f.name] for f in sch], schema=sch)


def pages(start: int, rows: int, version: int = 0) -> Iterator[pa.RecordBatch]:
    for offset in range(start, start + rows, PAGE):
        yield page(offset, min(PAGE, start + rows - offset), version)


def timed(label: str, fn, results: dict) -> object:
    began = time.perf_counter()
    out = fn()
    results[label] = round(time.perf_counter() - began, 2)
    return out


def full_load(writer: TableWriter, rows: int) -> LoadResult:
    return writer.load(pages(0, rows), schema(), run_id="full", synced_at=RUN_AT)


def incremental(writer: TableWriter, rows: int) -> LoadResult:
    """5,000 changed rows (newer WHENMODIFIED) and 5,000 new ones."""
    change = [*pages(rows - 5000, 5000, version=1), *pages(rows, 5000, version=1)]
    return writer.load(change, schema(), run_id="inc", synced_at=RUN_AT)


def transfer_only(spark, names: TableNames, transfer: str, rows: int, chunk_rows: int) -> None:
    """Pages -> chunks -> Spark, forced with the no-op sink: the transfer without the MERGE."""
    data = spark_schema(schema(), audit=False)
    with Stage(spark, names, f"xfer_{transfer}", transfer) as stage:
        for chunk in chunks(pages(0, rows), data, chunk_rows):
            stage.add(chunk)
        stage.dataframe().write.format("noop").mode("overwrite").save()


def run(rows: int, chunk_rows: int) -> dict:
    spark = get_spark(tempfile.mkdtemp(prefix="lake-bench-"), app_name="intacct-sync-bench")
    names = TableNames("main", "bench")
    names.ensure_schema(spark)
    # Warm the JVM (class loading, Delta log code) so the first measured load is not penalised.
    warm = TableWriter(spark, names, "warmup", key="RECORDNO", cursor="WHENMODIFIED")
    warm.load(pages(0, 4000), schema(), run_id="warm", synced_at=RUN_AT)
    seconds: dict[str, float] = {}
    for transfer in ("arrow", "parquet"):
        timed(f"transfer_{transfer}", lambda t=transfer: transfer_only(
            spark, names, t, rows, chunk_rows), seconds)  # fmt: skip
        writer = TableWriter(
            spark, names, f"load_{transfer}", "RECORDNO", "WHENMODIFIED",
            WriterOptions(chunk_rows=chunk_rows, transfer=transfer),
        )  # fmt: skip
        timed(f"initial_{transfer}", lambda w=writer: full_load(w, rows), seconds)
        result = timed(f"merge10k_{transfer}", lambda w=writer: incremental(w, rows), seconds)
        assert (result.inserted, result.updated) == (5000, 5000), result
    return {
        "rows": rows,
        "columns": len(schema()),
        "chunk_rows": chunk_rows,
        "seconds": seconds,
        "rows_per_s": {
            f"{step}_{t}": round(rows / seconds[f"{step}_{t}"])
            for step in ("transfer", "initial")
            for t in ("arrow", "parquet")
        },
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--chunk-rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    report = run(args.rows, args.chunk_rows)
    if args.json:
        print(json.dumps(report))
    else:
        s = report["seconds"]
        print(f"lake load: {report['rows']} rows x {report['columns']} columns")
        for t in ("arrow", "parquet"):
            rate = report["rows_per_s"]
            print(
                f"  {t:8} transfer {s[f'transfer_{t}']:6.2f} s = {rate[f'transfer_{t}']:>7} rows/s;"
                f" initial load {s[f'initial_{t}']:6.2f} s = {rate[f'initial_{t}']:>7} rows/s;"
                f" 10k incremental MERGE {s[f'merge10k_{t}']:5.2f} s"
            )
    return report


if __name__ == "__main__":
    main()
