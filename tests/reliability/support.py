"""Shared pieces of the reliability suites: a fast client, lake snapshots, the run counters.

Retries keep their real policy (attempt counts, 524 handling, Retry-After) but wait a few
milliseconds instead of seconds, so a suite that provokes hundreds of retries stays quick.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.retry import RetryPolicy
from intacct_sync.intacct.session import Credentials

# Read timeout of the test client: a ``read_timeout`` fault sleeps longer than this.
READ_TIMEOUT = 2.0
FAULT_TIMEOUT = READ_TIMEOUT + 0.5


@dataclass
class SleepRecorder:
    """The retry policy's sleep: records every wait, sleeps at most ``cap`` seconds."""

    cap: float = 0.01
    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        import time

        self.waits.append(seconds)
        time.sleep(min(seconds, self.cap))


def fast_policy(sleep: SleepRecorder | None = None, **overrides) -> RetryPolicy:
    base = dict(initial_wait=0.01, max_wait=0.05, jitter=0.0, pause_after_524=0.01)
    base.update(overrides)
    return RetryPolicy(sleep=sleep or SleepRecorder(), **base)


def fast_client(
    emulator, settings, *, retry: RetryPolicy | None = None, credentials=None, **kw
) -> IntacctClient:
    """The real client against ``emulator`` with short waits and a short read timeout."""
    creds = credentials or emulator.credentials
    return IntacctClient(
        settings.endpoint_url,
        Credentials(**creds),
        settings.client_options(timeout=(2.0, READ_TIMEOUT), retry=retry or fast_policy()),
        **kw,
    )


@dataclass(frozen=True)
class TableMark:
    """What a failed object must leave untouched: its Delta version and its watermark row."""

    version: int | None
    state: object  # SyncState or None


def table_mark(spark, names, state_store, spec) -> TableMark:
    """The table's latest Delta version and the object's watermark row.

    A table that did not exist and was only created, empty, counts as absent: the writer
    creates the table before it reads the first page, and an empty table holds no wrong row.
    """
    version = None
    if names.exists(spark, spec.table):
        table = names.qualified(spec.table)
        version = spark.sql(f"DESCRIBE HISTORY {table} LIMIT 1").first()["version"]
        if version == 0 and spark.table(table).isEmpty():
            version = None
    return TableMark(version, state_store.get(spec.name, ""))


class Tally(Counter):
    """Counts a test reports; they travel as ``user_properties`` so xdist workers report too."""

    def publish(self, request) -> None:
        for key, value in self.items():
            request.node.user_properties.append(("reliability:" + key, value))
        print("\n" + "  ".join(f"{k}={v}" for k, v in sorted(self.items())))
