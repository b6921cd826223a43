"""Operational limits at the pipeline level: in-flight cap, Retry-After, per-object time budget."""

from __future__ import annotations

from datetime import timedelta

import pytest

from intacct_sync.emulator import Emulator
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.lake.state import StateStore
from intacct_sync.runner import run_sync
from tests.reliability.support import SleepRecorder, fast_client, fast_policy, table_mark
from tests.support.lake_check import check_all
from tests.support.sync import settings_for

pytestmark = [pytest.mark.spark]


def test_never_more_requests_in_flight_than_configured(spark, lake_names):
    objects = ("VENDOR", "GLACCOUNT", "DEPARTMENT", "LOCATION")
    with Emulator(seed=3, scale="small", latency=0.02, max_in_flight=2) as emu:
        settings = settings_for(emu, lake_names, objects=objects, max_in_flight=2, page_size=10)
        with fast_client(emu, settings) as client:
            summary = run_sync(settings, client=client, spark=spark)
        assert summary.exit_code == 0, [r.error_message for r in summary.failed]
        assert emu.stats.max_in_flight <= 2
        assert emu.stats.rejected_429 == 0, "the client went over Intacct's concurrency limit"
        check_all(spark, lake_names, emu.company, list(objects))


def test_a_429_with_retry_after_is_waited_out_as_told(spark, lake_names):
    sleeps = SleepRecorder()
    with Emulator(seed=4, scale="small") as emu:
        settings = settings_for(emu, lake_names, objects=("VENDOR",), page_size=10)
        emu.faults.add("http_429@object=VENDOR,page=2,times=2,retry_after=7")
        with fast_client(emu, settings, retry=fast_policy(sleeps)) as client:
            summary = run_sync(settings, client=client, spark=spark)
        assert summary.exit_code == 0
        assert sleeps.waits.count(7) == 2, sleeps.waits  # Retry-After, not the backoff curve
        check_all(spark, lake_names, emu.company, ["VENDOR"])


def test_object_over_its_time_budget_stops_and_says_so(spark, lake_names):
    with Emulator(seed=5, scale="small") as emu:
        settings = settings_for(
            emu,
            lake_names,
            objects=("VENDOR",),
            page_size=5,
            object_time_budget=timedelta(seconds=1),
        )
        for page in range(1, 9):
            emu.faults.add(f"slow@object=VENDOR,page={page},seconds=0.4")
        state = StateStore(spark, lake_names)
        before = table_mark(spark, lake_names, state, CATALOG["VENDOR"])
        with fast_client(emu, settings) as client:
            summary = run_sync(settings, client=client, spark=spark)
        (result,) = summary.results
        assert result.status == "failed"
        assert "time budget" in result.error_message
        assert "object_time_budget" in result.error_message
        assert (
            table_mark(spark, lake_names, StateStore(spark, lake_names), CATALOG["VENDOR"])
            == before
        )
