"""`make demo` as a newcomer sees it: `intacct-sync demo` in a subprocess, through the console
script's entry point as a Databricks wheel task calls it (its return value ignored).

It must end with exit 0 (so a clean run passes a job's task), show what it promises (both
syncs, the changes, the tables, the aging, the forecast and the trial balance check) and print
nothing that looks like trouble: no traceback, no Spark or Delta warning, no commit conflict, no
deprecation (issue 12's list).
"""

from __future__ import annotations

import re

import pytest

from tests.support.wheel_task import run_wheel_task, task_env

pytestmark = pytest.mark.spark

# Anything here in the demo's output is a defect to fix at its source, not to filter.
ALARMING = re.compile(
    r"Traceback|Exception|\bERROR\b|\bWARN\b|WARNING|Merge source has|HiveConf|Hive\b|"
    r"[Cc]onflict|deprecated|DeprecationWarning|FutureWarning|failed objects: [1-9]",
)
# The one line the JVM itself prints when Spark enables the vector module; not ours to change.
JVM_NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector"


# make stress: a full and an incremental sync of every default object in a subprocess
@pytest.mark.slow
def test_make_demo_syncs_twice_shows_the_analysis_and_prints_nothing_alarming(tmp_path):
    env = task_env()
    env["COLUMNS"] = "160"
    done = run_wheel_task(["demo", "--warehouse", str(tmp_path / "lake")], env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    for promised in (
        "1. full sync",
        "changed in Intacct: APBILL",
        "2. incremental sync",
        "tables in the local Delta warehouse",
        "analysis views:",
        "forecast total",
        "debits equal credits in all",
    ):
        assert promised in done.stdout, (promised, done.stdout)
    alarming = [
        line for line in output.splitlines() if ALARMING.search(line) and line != JVM_NOTICE
    ]
    assert alarming == [], "\n".join(alarming)
