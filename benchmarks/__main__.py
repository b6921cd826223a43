"""``python -m benchmarks [--quick] [--out BENCHMARKS.md]``: every figure of BENCHMARKS.md.

1. parse throughput of one real 2000-row page: ours vs bare lxml vs xmltodict;
2. end-to-end full sync of APBILLITEM from the emulator into Delta at two sizes, against the bare
   Spark load of the same rows from Parquet; the smaller size again with simulated latency;
3. peak RSS of the driver (and the JVM) per size, each size in its own process;
4. API calls per 1,000 rows;
5. the lake transfers (createDataFrame(Arrow) vs Parquet staging), from benchmarks.lake_load;
6. cost follows change: full, no-change and 1% runs of every default object (benchmarks.change).

Figures are ratios against baselines measured in the same run, because the machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import change, e2e, parse
from benchmarks.report import render

FULL = [
    e2e.Size("100k", scale="large", bills=25_000, latency=0.25),  # 4 lines per bill
    # 250,000 bills x 4 = 1,000,000 lines; again with 1 s of latency per request (issue 11)
    e2e.Size("1M", scale="large", bills=None, latency=1.0),
]
QUICK = [  # the latency run at 100k, comparable with the full run's, and large enough to split
    e2e.Size("20k", scale="large", bills=5_000),
    e2e.Size("100k", scale="large", bills=25_000, latency=0.25),
]


def machine() -> dict:
    import pyspark

    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gib": int(meminfo[1]) / 1024**2,
        "platform": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "pyspark": pyspark.__version__,
        "load_before": _load(),
    }


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run(quick: bool, latency: float | None, save, log=print) -> dict:
    """Every measurement; ``save(results)`` after each part, so a late failure loses nothing."""
    from intacct_sync.lake.staging import default_transfer

    sizes = QUICK if quick else FULL
    if latency is not None:
        sizes = [e2e.Size(s.label, s.scale, s.bills, s.latency and latency) for s in sizes]
    results: dict = {"machine": machine(), "sizes": []}
    log("parse throughput ...")
    results["parse"] = parse.run(rounds=7 if quick else 21)
    save(results)
    for size in sizes:
        results["sizes"].append(e2e.measure(size, log))
        save(results)
    results["change"] = []
    for scale, bills in change.QUICK_SCALES if quick else change.SCALES:
        results["change"].append(change.measure(scale, bills, log))
        save(results)
    log("lake transfers ...")
    results["lake"] = e2e.lake_transfer(50_000 if quick else 200_000)
    results["default_transfer"] = {"local": default_transfer(None), "databricks": "arrow"}
    results["machine"]["load_after"] = _load()
    save(results)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes (20k and 100k rows)")
    parser.add_argument("--out", help="write the Markdown report to this file (BENCHMARKS.md)")
    parser.add_argument(
        "--json", default=".bench/results.json", help="raw figures, saved after every part"
    )
    parser.add_argument("--render", metavar="JSON", help="only re-render a saved --json file")
    parser.add_argument(
        "--latency", type=float, help="seconds per request for the latency runs (0.25 and 1)"
    )
    args = parser.parse_args(argv)
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    if args.render:
        results = json.loads(Path(args.render).read_text())
    else:
        command = "python -m benchmarks " + shlex.join(sys.argv[1:] if argv is None else argv)
        results = run(args.quick, args.latency, lambda r: _save(args.json, r, command), say)
    text = render(results)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
        say(f"wrote {args.out}")


def _save(path: str, results: dict, command: str) -> None:
    results["command"] = command
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
