"""What one object does this run, decided from its state and the settings before it reads.

* **Window**: ``[watermark - lookback, run end]``; the whole object (no start) on the first
  run, a full refresh, a backfill's date, a periodic refresh (``refresh_every``) and for objects
  read in full every run (small ones without an audit trail, and objects without a cursor).
* **Key sweep due**: forced, never done, or older than ``key_sweep_every``. A full read sweeps
  for free (it saw every key).
* The run end is the same for every object of a run (``start of the run - lag``), so one
  AUDITHISTORY read serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from intacct_sync.config import Settings
from intacct_sync.intacct.objects import ObjectSpec
from intacct_sync.intacct.records import Window
from intacct_sync.lake.state import SyncState


@dataclass(frozen=True)
class ObjectPlan:
    spec: ObjectSpec
    entity: str
    state: SyncState | None
    mode: str  # full | incremental | backfill
    window: Window
    sweep_due: bool  # read every key and mark the missing ones deleted (incremental reads)
    refresh: bool = False  # read in full because refresh_every has passed

    @property
    def full(self) -> bool:
        return self.window.start is None

    @property
    def label(self) -> str:
        return f"{self.spec.name}@{self.entity}" if self.entity else self.spec.name


def plan_object(
    spec: ObjectSpec,
    entity: str,
    state: SyncState | None,
    settings: Settings,
    started_at: datetime,
    end: datetime,
) -> ObjectPlan:
    watermark = state.watermark if state else None
    refresh = _refresh_due(spec, state, settings, started_at)
    if settings.backfill_from is not None:
        start = datetime.combine(settings.backfill_from, datetime.min.time(), tzinfo=timezone.utc)
        window, mode = Window(min(start, end), end), "backfill"
    elif settings.full_refresh or watermark is None or refresh or spec.read_in_full:
        window, mode = Window(None, end), "full"
    else:
        window, mode = Window(min(watermark - settings.lookback, end), end), "incremental"
    sweep = window.start is not None and sweep_due(settings, state, started_at)
    return ObjectPlan(spec, entity, state, mode, window, sweep, refresh and mode == "full")


def sweep_due(settings: Settings, state: SyncState | None, now: datetime) -> bool:
    """Is a key sweep due this run (forced, never done, or older than the cadence)?"""
    last = state.last_key_sweep if state else None
    if settings.sweep_keys or last is None:
        return True
    return now - last >= settings.key_sweep_every


def _refresh_due(
    spec: ObjectSpec, state: SyncState | None, settings: Settings, now: datetime
) -> bool:
    """A periodic full re-read: Intacct does not move WHENMODIFIED when a related record
    changes (a renamed vendor leaves VENDORNAME stale on its bills), docs/protocol.md §17."""
    every: timedelta | None = settings.refresh_interval(spec)
    if not every or state is None or state.watermark is None:
        return False
    return state.last_full_sync is None or now - state.last_full_sync >= every
