"""Call the wheel's entry point the way a Databricks ``python_wheel_task`` does, in a subprocess.

The runner looks the entry point up in the installed distribution's metadata, sets
``sys.argv`` to the entry point's name and the task's parameters, and calls the function it
loads, ignoring what it returns: only an exception or ``SystemExit`` fails the task.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RUNNER = """
import importlib.metadata as metadata, sys
name, parameters = sys.argv[1], sys.argv[2:]
(entry,) = [e for e in metadata.distribution("intacct_sync").entry_points if e.name == name]
sys.argv = [name, *parameters]
entry.load()()  # the return value is ignored, as the runner does
"""


def task_env() -> dict[str, str]:
    """This process's environment without the user's Intacct credentials and settings
    (``INTACCT_*``) or a Spark Connect address (``SPARK_REMOTE``): a task sees only what the
    test gives it."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("INTACCT_", "SPARK_REMOTE"))}


def run_wheel_task(
    parameters: list[str], env: Mapping[str, str], timeout: float = 600, cwd: Path = ROOT
) -> subprocess.CompletedProcess:
    """Exit status and output of one wheel-task-style call of ``intacct-sync``."""
    argv = [sys.executable, "-c", RUNNER, "intacct-sync", *parameters]
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        argv,
        env=dict(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
