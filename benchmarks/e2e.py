"""End to end: emulator -> run_sync -> Delta, per size, each measured run in a child process.

The emulator lives in this (parent) process and serves the children over HTTP on 127.0.0.1, so
a child's peak RSS is the sync driver's alone, as it would be against the real Intacct. Per size:

- one child does the full sync while copying the pages to Parquet, then the bare Spark load of
  that copy (the baseline, in the same warm JVM);
- optionally one more child does the same full sync with a simulated Intacct latency per
  request (the emulator holds an in-flight slot for that long, docs/protocol.md §12).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from intacct_sync.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
# The children import this checkout's package, whatever the interpreter has installed.
CHILD_PATH = os.pathsep.join((str(ROOT / "src"), str(ROOT)))
CHILD_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Size:
    label: str
    scale: str  # emulator scale; "large" makes 4 lines per bill
    bills: int | None  # None: the scale's own bill count
    latency: float | None = None  # also run once with this many seconds per request


class ChildFailed(RuntimeError):
    pass


def run_child(module: str, job: dict | None = None, args: list[str] | None = None) -> dict:
    """Run ``python -m module`` with ``job`` on stdin; returns the JSON it printed last.

    The child's stderr (Spark's log) goes to a file shown only when the child fails.
    """
    with tempfile.TemporaryDirectory(prefix="bench-child-") as tmp:
        log_path = Path(tmp) / "stderr.log"
        env = {**os.environ, "TMPDIR": tmp, "PYTHONPATH": CHILD_PATH}
        with log_path.open("wb") as log:
            proc = subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", module, *(args or [])],
                input=json.dumps(job or {}).encode(),
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=ROOT,
                env=env,
                timeout=CHILD_TIMEOUT_S,
                check=False,
            )
        lines = proc.stdout.decode(errors="replace").splitlines()
        payload = [ln for ln in lines if ln.startswith(("RESULT ", "{"))]
        if proc.returncode != 0 or not payload:
            tail = log_path.read_text(errors="replace")[-4000:]
            raise ChildFailed(f"{module} exited {proc.returncode}; its log ends with:\n{tail}")
        return json.loads(payload[-1].removeprefix("RESULT "))


def _sync_job(emu: Emulator, warehouse: str, baseline: bool) -> dict:
    return {
        "url": emu.url,
        "credentials": emu.credentials,  # the emulator's synthetic company, on stdin only
        "warehouse": warehouse,
        "baseline": baseline,
        "max_in_flight": 2,
    }


def _latency_run(emu: Emulator, latency: float) -> dict:
    emu.latency = latency
    emu.stats.max_in_flight = 0  # a high-water mark: start it afresh for this run
    rejected = emu.stats.rejected_429
    try:
        with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
            out = run_child("benchmarks.sync_child", _sync_job(emu, lake, baseline=False))
    finally:
        emu.latency = 0.0
    out["latency_s"] = latency
    out["emulator_max_in_flight"] = emu.stats.max_in_flight
    out["emulator_429"] = emu.stats.rejected_429 - rejected
    return out


def measure(size: Size, log=print) -> dict:
    """Generate the company, run the measured children, return their figures."""
    began = time.perf_counter()
    with Emulator(seed=7, scale=size.scale, bills=size.bills) as emu:
        generated = time.perf_counter() - began
        log(f"[{size.label}] emulator company generated in {generated:.0f} s; full sync ...")
        with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
            out = run_child("benchmarks.sync_child", _sync_job(emu, lake, baseline=True))
        out.update(label=size.label, scale=size.scale, bills=size.bills, generate_s=generated)
        sync = out["sync"]
        log(
            f"[{size.label}] {sync['rows_read']} rows in {sync['seconds']:.1f} s; "
            f"bare Spark load {out['bare_load']['seconds']:.1f} s"
        )
        if size.latency:
            log(f"[{size.label}] full sync again with {size.latency} s latency per request ...")
            out["latency"] = _latency_run(emu, size.latency)
            log(f"[{size.label}] with latency: {out['latency']['sync']['seconds']:.1f} s")
    return out


def lake_transfer(rows: int) -> dict:
    """benchmarks.lake_load (createDataFrame(Arrow) vs Parquet staging) in a child process."""
    return run_child("benchmarks.lake_load", args=["--json", "--rows", str(rows)])
