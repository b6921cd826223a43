"""What each object does this run: its window, full or incremental, sweeps and refreshes;
and the monthly transaction budget. No Spark, no HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from intacct_sync.config import Settings
from intacct_sync.intacct.catalog import CATALOG
from intacct_sync.intacct.objects import udd_spec
from intacct_sync.lake.state import SyncState
from intacct_sync.pipeline import budget_warning
from intacct_sync.plan import plan_object, sweep_due

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
END = NOW - timedelta(minutes=5)


def state(obj: str = "APBILL", **kw) -> SyncState:
    base = dict(
        watermark=NOW - timedelta(hours=1),
        last_full_sync=NOW - timedelta(days=1),
        last_key_sweep=NOW - timedelta(days=1),
    )
    return SyncState(obj, "", **{**base, **kw})


def test_first_run_reads_in_full_then_incremental_from_watermark_minus_lookback():
    settings = Settings(progress=False)
    first = plan_object(CATALOG["APBILL"], "", None, settings, NOW, END)
    assert (first.mode, first.full, first.window.end) == ("full", True, END)
    later = plan_object(CATALOG["APBILL"], "", state(), settings, NOW, END)
    assert later.mode == "incremental" and not later.sweep_due
    assert later.window.start == NOW - timedelta(hours=1) - settings.lookback


def test_key_sweep_is_due_when_never_done_after_its_cadence_or_when_forced():
    settings = Settings(progress=False)
    assert settings.key_sweep_every == timedelta(days=7)
    assert sweep_due(settings, None, NOW)
    assert sweep_due(settings, state(last_key_sweep=None), NOW)
    assert not sweep_due(settings, state(last_key_sweep=NOW - timedelta(days=6, hours=23)), NOW)
    assert sweep_due(settings, state(last_key_sweep=NOW - timedelta(days=7)), NOW)
    assert sweep_due(settings.with_overrides(sweep_keys=True), state(), NOW)


def test_master_data_is_refreshed_in_full_weekly_transactions_only_when_asked():
    settings = Settings(progress=False)
    old = state("VENDOR", last_full_sync=NOW - timedelta(days=8))
    vendor = plan_object(CATALOG["VENDOR"], "", old, settings, NOW, END)
    assert vendor.full and vendor.refresh
    recent = state("VENDOR", last_full_sync=NOW - timedelta(days=2))
    assert not plan_object(CATALOG["VENDOR"], "", recent, settings, NOW, END).full
    bill = plan_object(CATALOG["APBILL"], "", state(last_full_sync=None), settings, NOW, END)
    assert not bill.full  # transactions: no periodic refresh by default
    monthly = settings.with_overrides(refresh_every={"APBILL": timedelta(days=30)})
    stale = state(last_full_sync=NOW - timedelta(days=31))
    assert plan_object(CATALOG["APBILL"], "", stale, monthly, NOW, END).refresh
    never = settings.with_overrides(refresh_every={"VENDOR": timedelta(0)})
    assert not plan_object(CATALOG["VENDOR"], "", old, never, NOW, END).full


def test_small_objects_without_an_audit_trail_are_read_in_full_every_run():
    fund = plan_object(udd_spec("FUND"), "", state("FUND"), Settings(progress=False), NOW, END)
    assert fund.full and fund.mode == "full" and not fund.sweep_due


def test_a_backfill_reads_from_its_date():
    settings = Settings(progress=False, backfill_from=datetime(2026, 10, 1).date())
    plan = plan_object(CATALOG["APBILL"], "", state(), settings, NOW, END)
    assert plan.mode == "backfill" and plan.window.start == datetime(
        2026, 10, 1, tzinfo=timezone.utc
    )


def test_the_budget_warns_only_when_the_month_heads_past_the_allowance():
    mid_month = datetime(2026, 11, 15, tzinfo=timezone.utc)
    assert budget_warning(100_000, 40_000, mid_month) is None  # heading for ~86k
    warning = budget_warning(100_000, 60_000, mid_month)
    assert warning and "60,000 so far" in warning and "api_budget" in warning
    assert (
        budget_warning(None, 10**9, mid_month) is None
        and budget_warning(0, 10**9, mid_month) is None
    )
