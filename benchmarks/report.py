"""The figures of one ``python -m benchmarks`` run as Markdown tables (stdout and BENCHMARKS.md)."""

from __future__ import annotations

from benchmarks.interpret import goals, interpretation, latency_runs

PARSERS = {
    "ours": "ours (checks + typed Arrow batch)",
    "lxml": "bare lxml (fromstring + touch every .text)",
    "xmltodict": "xmltodict.parse",
}


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def n(value: float) -> str:
    return f"{value:,.0f}"


def mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:,.0f} MiB"


def parse_section(p: dict) -> str:
    lxml = p["rows_per_s"]["lxml"]
    rate = p["rows_per_s"]
    rows = [
        [PARSERS[k], f"{p['seconds'][k] * 1000:.1f}", n(rate[k]), f"{rate[k] / lxml:.2f}x"]
        for k in PARSERS
    ]
    stages = p["ours_stage_seconds"]
    split = ", ".join(f"{name} {s * 1000:.1f} ms" for name, s in stages.items())
    return (
        f"### 1. Parse throughput\n\nOne real {p['rows']}-row APBILLITEM `query` page from the "
        f"emulator ({p['bytes'] / 1e6:.1f} MB, {p['fields']} fields), median of {p['rounds']} "
        "interleaved rounds.\n\n"
        + table(["parser", "ms/page", "rows/s", "vs bare lxml"], rows)
        + f"\n\nOurs by stage: {split} (tree = safety scan + lxml parse + status checks; walk = "
        "records to per-column string lists; arrow = typed column conversion).\n"
    )


def e2e_section(sizes: list[dict]) -> str:
    rows = []
    for s in sizes:
        sync, bare = s["sync"], s["bare_load"]
        rate, bare_rate = sync["rows_read"] / sync["seconds"], bare["rows"] / bare["seconds"]
        rows.append([
            s["label"], n(sync["rows_read"]), f"{sync['seconds']:.1f}", n(rate),
            f"{bare['seconds']:.1f}", n(bare_rate), f"{rate / bare_rate:.2f}x",
            f"{sync['produce_s']:.1f} ({sync['request_s']:.1f})",
            f"{sync['first_page_after_s']:.1f} / {sync['tail_s']:.1f}",
        ])  # fmt: skip
    cpu = [
        [s["label"], *(_cpu(s["sync"]["cpu_s"], s["sync"]["rows_read"])),
         *(_cpu(s["bare_load"]["cpu_s"], s["bare_load"]["rows"]))]
        for s in sizes
    ]  # fmt: skip
    header = [
        "size", "rows", "sync s", "sync rows/s", "bare load s", "bare rows/s", "sync / bare",
        "page production s (of which HTTP)", "before 1st page / after last page s",
    ]  # fmt: skip
    cpu_header = [
        "size", "sync driver CPU s", "sync JVM CPU s", "bare driver CPU s", "bare JVM CPU s",
    ]  # fmt: skip
    return (
        "### 2. End to end: emulator -> run_sync (APBILLITEM, full) -> Delta\n\n"
        "`sync / bare` is the sync's rows/s over the bare Spark load's rows/s: "
        '`spark.read.parquet(...).write.format("delta").saveAsTable(...)` of the same rows, '
        "written to Parquet by pyarrow during the sync.\n\n"
        + table(header, rows)
        + "\n\nCPU seconds (less sensitive than wall time to the neighbours' load):\n\n"
        + table(cpu_header, cpu)
        + "\n"
    )


def _cpu(cpu: dict, rows: int) -> list[str]:
    return [f"{cpu['driver']:.1f}", f"{cpu['jvm']:.1f}"]


def latency_section(sizes: list[dict]) -> str:
    rows = [
        [
            r.label, f"{r.latency}", str(r.sync["pages"]), f"{r.floor:.1f}",
            f"{r.sync['pages'] * r.latency:.1f}", f"{r.sync['seconds']:.1f}",
            f"{r.floor / r.sync['seconds']:.0%}",
            f"{r.floor_with_load:.1f} / {r.sync['seconds']:.1f}", f"{r.plain['seconds']:.1f}",
            f"{r.paging:.1f}", f"{r.sync['produce_s']:.1f}", str(r.slots),
            _count(r.sync, "delta_commits"), _count(r.sync, "spark_jobs"),
        ]
        for r in latency_runs(sizes)
    ]  # fmt: skip
    header = [
        "size", "latency s/request", "pages", "floor s (pages x latency / 2 slots)",
        "one-slot floor s", "measured s", "floor / measured",
        "floor + bare Delta load / measured s", "same sync, no latency s",
        "first to last page s", "page production s", "max requests in flight seen",
        "Delta commits", "Spark jobs",
    ]  # fmt: skip
    return (
        "### 3. With simulated Intacct latency (emulator holds a slot per request; 2 slots)\n\n"
        "Each request takes the latency, the emulator's work of building the page counted in "
        "it, as a real Intacct page takes about a second.\n"
        "`floor + bare Delta load` adds the bare Spark load of the same rows (section 2) to the "
        "paging floor: what a sync could take if Delta work did not overlap the fetching. "
        "Delta commits and Spark jobs are the sync's (its table and the run log).\n\n"
        + table(header, rows)
        + "\n"
    )


def _count(sync: dict, name: str) -> str:
    """A count the run recorded; runs measured before it was recorded show a dash."""
    return str(sync[name]) if name in sync else "-"


def memory_calls_section(sizes: list[dict]) -> str:
    mem = [
        [s["label"], n(s["sync"]["rows_read"]), mib(s["rss_kib"]["before_sync"]),
         mib(s["rss_kib"]["peak"]), mib(s["jvm_peak_kib"])]
        for s in sizes
    ]  # fmt: skip
    calls = []
    for s in sizes:
        sync = s["sync"]
        per_k = 1000 * sync["api_calls"] / sync["rows_read"]
        floor = 1000 * (-(-sync["rows_read"] // 2000)) / sync["rows_read"]
        calls.append([
            s["label"], n(sync["rows_read"]), str(sync["api_calls"]), str(sync["pages"]),
            f"{per_k:.3f}", f"{floor:.3f}",
        ])  # fmt: skip
    return (
        "### 4. Peak memory (each size in its own process)\n\n"
        + table(["size", "rows", "driver RSS before sync", "driver peak RSS", "JVM peak RSS"], mem)
        + "\n\n### 5. API calls\n\n"
        + table(
            ["size", "rows", "API calls", "pages", "calls / 1,000 rows", "floor (2000-row pages)"],
            calls,
        )
        + "\n"
    )


def lake_section(lake: dict, default: dict) -> str:
    secs, rows_n = lake["seconds"], lake["rows"]
    rates = {t: rows_n / secs[f"initial_{t}"] for t in ("arrow", "parquet")}
    rows = [
        [t, n(rows_n), _opt(secs.get(f"transfer_{t}")), f"{secs[f'initial_{t}']:.1f}",
         n(rates[t]), f"{rates[t] / rates['parquet']:.2f}x", f"{secs[f'merge10k_{t}']:.1f}"]
        for t in ("arrow", "parquet")
    ]  # fmt: skip
    header = [
        "transfer", "rows", "transfer only s", "load s", "load rows/s", "vs parquet",
        "10k-row MERGE s",
    ]  # fmt: skip
    return (
        "### 6. Lake transfer: Arrow pages -> Delta (benchmarks/lake_load.py)\n\n"
        f"{rows_n:,} synthetic rows x {lake['columns']} columns into an empty table, "
        f"chunks of {lake['chunk_rows']:,} rows (`transfer only` = into Spark, no table).\n\n"
        + table(header, rows)
        + f"\n\nThe writer keeps `{default['local']}` for local runs and `{default['databricks']}` "
        "on Databricks unless a staging directory (a UC volume) is given "
        "(`lake/staging.py: default_transfer`).\n"
    )


def change_section(scales: list[dict]) -> str:
    header = [
        "scale", "run", "wall s", "vs full", "rows read", "rows written", "API calls",
        "transactions", "Delta commits", "Spark jobs", "SQL executions", "JVM CPU s",
    ]  # fmt: skip
    rows = []
    for sc in scales:
        full = sc["runs"]["full"]["seconds"]
        for kind, r in sc["runs"].items():
            rows.append([
                f"{sc['label']} ({sc['rows']:,} rows)", kind, f"{r['seconds']:.1f}",
                f"{r['seconds'] / full:.1%}", n(r["rows_read"]), n(r["rows_written"]),
                str(r["api_calls"]), str(r["transactions"]), str(r["delta_commits"]),
                str(r["spark_jobs"]), str(r["sql_executions"]), f"{r['cpu_s']['jvm']:.0f}",
            ])  # fmt: skip
    checks = [[g.scale, g.text, g.measured, "PASS" if g.met else "FAIL"] for g in goals(scales)]
    steps = "".join(_steps(sc) for sc in scales if "steps" in sc["runs"]["full"])
    floors = _floors(scales)
    return (
        "### 7. Cost follows change: full, no-change and 1% runs (every default object)\n\n"
        "Per scale, one warehouse and one Spark session, three runs one after the other "
        "(`benchmarks/change.py`): **full** into an empty schema; **no-change**, the clock five "
        "minutes on and nothing changed in Intacct; **1%**, after about 1% of the rows of every "
        "object read on each run were updated (60%), deleted (20%; a deleted header takes its "
        "lines) or copied as new records (20%) through the emulator's mutation API. Reference "
        "data read daily (account groups, periods, terms) is not changed. Delta commits: new "
        "`_delta_log` commit files across the warehouse; Spark jobs: jobs the local "
        "SparkContext started; SQL executions: statements Spark planned and ran (reads, "
        "MERGEs, metadata queries). Transactions: what Intacct bills, from the `_run` row.\n\n"
        + table(header, rows)
        + "\n\nGoals (issue 11; the transactions goal is issue 13's):\n\n"
        + table(["scale", "goal", "measured", ""], checks)
        + "\n"
        + floors
        + steps
    )


def _floors(scales: list[dict]) -> str:
    """The bare MERGE of each table the 1% run changed, against the full and the 1% runs."""
    rows = []
    for sc in scales:
        floor = sc.get("floor")
        if not floor:
            continue
        full, one = sc["runs"]["full"], sc["runs"]["1%"]
        rows.append([
            sc["label"], str(len(floor["tables"])),
            n(sum(t["rows"] for t in floor["tables"].values())),
            f"{floor['seconds']:.1f}", f"{floor['jvm_cpu_s']:.0f}",
            f"{floor['seconds'] / full['seconds']:.1%}",
            f"{floor['jvm_cpu_s'] / full['cpu_s']['jvm']:.1%}",
            f"{one['seconds']:.1f} / {one['cpu_s']['jvm']:.0f}",
        ])  # fmt: skip
    if not rows:
        return ""
    return (
        "\nThe bare MERGE floor (`change_child.merge_floor`): after the 1% run, each table it "
        "changed takes one bare `MERGE ... WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN "
        "INSERT *` of as many of its rows as the 1% run wrote there, taken at random (a fifth "
        "under new keys), staged as Parquet before the clock starts; one table after the "
        "other, in the session the product uses for that table. It is what keeping each changed "
        "table in step with one MERGE costs before anything the product adds; as a share of "
        "the full sync it is the least a 1% run can reach this way on this machine (the "
        "product runs two tables at once, so its wall time can fall below the sum, its CPU "
        "cannot):\n\n"
        + table(
            [
                "scale",
                "tables",
                "rows",
                "floor s (sum)",
                "floor JVM CPU s",
                "floor / full (wall)",
                "floor / full (JVM CPU)",
                "1% run s / JVM CPU s",
            ],
            rows,
        )
        + "\n"
    )


def _steps(sc: dict) -> str:
    """Busy seconds per step of each run (summed over the run's parallel threads)."""
    from benchmarks.change_child import STEPS

    kinds = list(sc["runs"])
    rows = [
        [step, *(f"{sc['runs'][k]['steps'].get(step, 0.0):.1f}" for k in kinds)]
        for _module, _path, step in STEPS
    ]
    rows.append(["wall time of the run", *(f"{sc['runs'][k]['seconds']:.1f}" for k in kinds)])
    return (
        f"\nWhere the time goes at {sc['label']}: busy seconds per step, summed over the run's "
        "parallel threads (so a step can exceed the wall time; reading pages overlaps the "
        "writes, and is inside `pages read and written`):\n\n"
        + table(["step", *kinds], rows)
        + "\n"
    )


def _opt(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.1f}"


def _missing(results: dict) -> str:
    """What the full ``make bench`` measures that this run did not (a --quick run)."""
    missing = []
    if not any(s["label"] == "1M" for s in results["sizes"]):
        missing.append("the 1,000,000-line sync and its run with 1 s of latency per request")
    if not any(c["scale"] == "large" for c in results.get("change", [])):
        missing.append("the cost-follows-change runs at large scale (25,000 bills)")
    if not missing:
        return ""
    return " Not in this run (the full `make bench` has them): " + "; ".join(missing) + "."


def render(results: dict) -> str:
    m = results["machine"]
    parts = [
        "# Benchmarks\n",
        f"Measured {m['date']} on {m['nproc']} cores, {m['memory_gib']:.0f} GiB "
        f"({m['platform']}; Python {m['python']}, pyspark {m['pyspark']}). Load average "
        f"{m['load_before']} at the start, {m['load_after']} at the end: the machine is shared "
        "with other work, so wall-clock figures are pessimistic; ratios and CPU seconds are "
        "the steadier figures.\n",
        "Commands: `make bench` (= `python -m benchmarks --out BENCHMARKS.md`), "
        "`python -m benchmarks --quick` for a smaller run. This run: `"
        + results["command"]
        + "`."
        + (" " + results["note"] if results.get("note") else "")
        + _missing(results)
        + "\n",
        "## Figures\n",
        parse_section(results["parse"]),
        e2e_section(results["sizes"]),
        latency_section(results["sizes"]),
        memory_calls_section(results["sizes"]),
        lake_section(results["lake"], results["default_transfer"]),
        *([change_section(results["change"])] if results.get("change") else []),
        "## What they say\n",
        interpretation(results) + "\n",
    ]
    return "\n".join(parts)
