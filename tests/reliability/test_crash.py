"""Crash convergence: ``intacct-sync run`` killed with SIGKILL at random moments, then rerun.

The sync runs in a subprocess (its own JVM and its own Derby metastore in its warehouse) against
an emulator in this process. It is killed mid-page (slow pages widen the window), or at a random
moment after the last page was served (mid-MERGE, between MERGE and watermark, mid run record).
A rerun to completion in the same warehouse must then leave every table equal to the source;
VENDOR is kept in history mode, whose versions must each appear once, chained, after replays.
The tables are read back here by path, after every subprocess has ended, so only one JVM ever
opens the metastore.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from intacct_sync.emulator import Emulator
from tests.reliability.support import Tally
from tests.support.lake_check import check_all

pytestmark = [pytest.mark.spark]

OBJECTS = ("VENDOR", "GLBATCH", "FUND")  # VENDOR in history mode: every version, once
SCHEMA = "crash"


@dataclass(frozen=True)
class PathNames:
    """Stands in for TableNames in the checker: tables read by path, not through a metastore."""

    root: Path

    def qualified(self, table: str) -> str:
        return f"delta.`{self.root / f'{SCHEMA}.db' / table}`"


def start_sync(emu: Emulator, warehouse: Path) -> subprocess.Popen:
    env = {**os.environ, **{f"INTACCT_{k.upper()}": v for k, v in emu.credentials.items()}}
    argv = [sys.executable, "-m", "intacct_sync.cli", "run", "--warehouse", str(warehouse),
            "--schema", SCHEMA, "--objects", ",".join(OBJECTS), "--endpoint-url", emu.url,
            "--page-size", "8", "--lag-minutes", "0", "--no-progress",
            "--history", "VENDOR"]  # fmt: skip
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603


def kill_at_random(rng: random.Random, emu: Emulator, proc: subprocess.Popen) -> str:
    """SIGKILL mid-page or at a random moment of the Spark work after the last page."""
    moment = rng.choice(("mid-page", "after-pages"))
    if moment == "mid-page":
        for page in range(1, 11):
            emu.faults.add(f"slow@object=GLBATCH,page={page},seconds=0.4")
        target = rng.randint(1, 8)
        _wait(lambda: emu.stats.pages.get("GLBATCH", 0) >= target, proc)
    else:
        _wait(
            lambda: emu.stats.pages.get("FUND", 0) >= 1 and emu.stats.pages.get("GLBATCH", 0) >= 10,
            proc,
        )
        time.sleep(rng.uniform(0.0, 20.0))
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    emu.faults.clear()
    return moment if proc.returncode == -signal.SIGKILL else "finished first"


def _wait(condition, proc: subprocess.Popen, limit: float = 300.0) -> None:
    deadline = time.monotonic() + limit
    while not condition() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


def crash_then_converge(spark, tmp_path: Path, seed: int, crashes: int, tally: Tally) -> None:
    rng = random.Random(seed)
    warehouse = tmp_path / f"wh{seed}"
    with Emulator(seed=seed, scale="small") as emu:
        for _ in range(crashes):
            emu.company.update(
                "VENDOR", int(rng.choice(emu.company.rows("VENDOR"))["RECORDNO"]), {"NAME": "x"}
            )
            tally[f"killed {kill_at_random(rng, emu, start_sync(emu, warehouse))}"] += 1
            tally["crashes"] += 1
        final = start_sync(emu, warehouse)
        output = final.communicate(timeout=900)[0].decode("utf-8", "replace")
        assert final.returncode == 0, output[-3000:]
        tally["rows compared"] += check_all(spark, PathNames(warehouse), emu.company, list(OBJECTS))
        vendors = spark.table(PathNames(warehouse).qualified("vendor"))
        tally["vendor versions kept"] = vendors.count()  # history mode, checked by check_all
        assert vendors.count() >= emu.company.count("VENDOR")
    tally["duplicates found"] = 0
    tally["rows lost"] = 0


@pytest.mark.slow  # make stress: make stress kills 24 times; make test keeps two runs at once
def test_killed_runs_converge_on_rerun(spark, tmp_path, request):
    """make test: one kill (at a random moment) then one rerun to completion; make stress kills
    24 times."""
    tally = Tally()
    crash_then_converge(spark, tmp_path, seed=21, crashes=1, tally=tally)
    tally.publish(request)


@pytest.mark.slow
@pytest.mark.timeout(2400)  # 3 kills and reruns; more on a loaded machine
@pytest.mark.parametrize("seed", range(8))
def test_killed_runs_converge_on_rerun_stress(spark, tmp_path, request, seed):
    """make stress: 8 chains of 3 kills (24 crashes), each then rerun to completion."""
    tally = Tally()
    crash_then_converge(spark, tmp_path, seed=100 + seed, crashes=3, tally=tally)
    tally.publish(request)


def test_two_runs_at_once_on_one_schema_do_not_corrupt(spark, lake_names, request):
    """Two runs started together (threads sharing one Spark session, as two Derby-backed local
    processes cannot share a warehouse): Delta conflicts are retried or reported, and a run
    after them leaves every table equal to the source."""
    from concurrent.futures import ThreadPoolExecutor

    from intacct_sync.runner import run_sync
    from tests.reliability.support import fast_client
    from tests.support.sync import settings_for

    with Emulator(seed=22, scale="small") as emu:
        settings = settings_for(
            emu, lake_names, objects=("VENDOR", "FUND"), page_size=10, analytics=True
        )

        def one_run():
            with fast_client(emu, settings) as client:
                return run_sync(settings, client=client, spark=spark)

        with ThreadPoolExecutor(2) as pool:
            summaries = list(pool.map(lambda _: one_run(), range(2)))
        for summary in summaries:
            for result in summary.failed:  # a lost race must say so, not corrupt anything
                assert (
                    result.error_message
                    and "Concurrent" in result.error_message
                    or "conflict" in result.error_message.lower()
                )
        with fast_client(emu, settings) as client:
            after = run_sync(settings, client=client, spark=spark)
        assert after.exit_code == 0, [r.error_message for r in after.failed]
        tally = Tally({"concurrent runs": 2})
        tally["rows compared"] += check_all(spark, lake_names, emu.company, ["VENDOR", "FUND"])
    tally.publish(request)
