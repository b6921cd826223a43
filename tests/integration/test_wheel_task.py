"""The job's exit status: a wheel-task-style call (the entry point, its return value ignored)
ends with 1 when an object failed, so a failed run fails the task (and its retries and email
follow). The clean run's exit 0 through the same entry point is test_demo.py's."""

from __future__ import annotations

import pytest

from intacct_sync.emulator import Emulator
from tests.support.wheel_task import run_wheel_task, task_env

pytestmark = pytest.mark.spark


def _call(emu: Emulator, warehouse, objects: str):
    env = task_env()
    env.update({f"INTACCT_{k.upper()}": v for k, v in emu.credentials.items()})
    return run_wheel_task(
        ["run", "--warehouse", str(warehouse), "--schema", "wheel", "--objects", objects,
         "--endpoint-url", emu.url, "--lag-minutes", "0", "--no-progress"],
        env,
    )  # fmt: skip


def test_a_wheel_task_call_exits_1_when_an_object_failed(tmp_path):
    with Emulator(seed=7, scale="small") as emu:
        # A fatal result error on every CLASS page: the run's one object fails. That the other
        # objects go on is test_pipeline's (test_failed_object_keeps_its_watermark_...).
        emu.faults.add("result_error@object=CLASS,variant=fatal,times=99")
        failed = _call(emu, tmp_path / "failed", "CLASS")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "CLASS" in failed.stdout and "failed objects: 1" in failed.stdout
