"""Settings and clients for tests that sync from an emulator into a test schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from intacct_sync.config import Settings
from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.session import Credentials
from intacct_sync.secrets import IntacctSecrets


def emulator_secrets(emulator) -> IntacctSecrets:
    return IntacctSecrets.from_mapping(emulator.credentials, source="emulator")


def settings_for(emulator, names, **overrides) -> Settings:
    """A run of ``names``' schema from the emulator. The analysis views are left out unless a
    test asks for them (``analytics=True``): they are a run's last step, seconds of statements
    after every sync, and the tests about them (test_analytics, test_spark_connect, the crash
    and soak suites) ask; the CLI tests run with the product's default (on)."""
    base = dict(
        endpoint_url=emulator.url,
        catalog=names.catalog,
        schema=names.schema,
        lag=timedelta(0),
        progress=False,
        analytics=False,
    )
    base.update(overrides)
    return Settings(**base)


def client_for(emulator, settings: Settings, **options: Any):
    """The client the runner makes (make_client) for the emulator, but for one option: after a
    page Intacct timed out on (HTTP 524) the page is halved without the 5-second pause that
    spares a real company; the emulator needs none (test_client_quirks checks the pause).
    ``options`` override more of the client's options (a test's retry policy)."""
    return IntacctClient(
        settings.endpoint_url,
        Credentials.from_mapping(emulator.credentials),
        settings.client_options(**{"pause_after_heavy_page": 0.0, **options}),
    )


@dataclass
class SyncedCompany:
    """An emulator company synced once into a schema of its own, shared by a module's tests.

    Each test changes its own records in ``emu.company`` and syncs only the objects it is about
    (``run``), in file order."""

    emu: Any  # intacct_sync.emulator.Emulator
    names: Any  # intacct_sync.lake.names.TableNames
    settings: Settings
    first: Any = None  # the first run's RunSummary
    counts: dict[str, int] = field(default_factory=dict)  # the emulator's rows at the first run

    def run(
        self, spark, objects: tuple[str, ...] | None = None, *, retry: Any = None, **overrides
    ) -> Any:
        """A run of the shared schema (only ``objects``, when given), on the emulator's clock;
        ``retry``: the client's retry policy, when a test's own."""
        from intacct_sync.runner import run_sync

        if objects is not None:
            overrides["objects"] = objects
        settings = self.settings.with_overrides(**overrides) if overrides else self.settings
        options = {"retry": retry} if retry is not None else {}
        with client_for(self.emu, settings, **options) as client:
            return run_sync(settings, client=client, spark=spark, now=self.emu.clock.now)


@contextmanager
def synced_company(
    spark, prefix: str, objects: tuple[str, ...], **settings_overrides
) -> Iterator[SyncedCompany]:
    """The small seed-7 company with ``objects`` synced in full into ``main.<prefix>_<id>``."""
    from intacct_sync.emulator import Emulator
    from intacct_sync.lake.names import TableNames

    with Emulator(seed=7, scale="small") as emu:
        names = TableNames("main", f"{prefix}_{uuid.uuid4().hex[:10]}")
        names.ensure_schema(spark)
        settings = settings_for(emu, names, objects=objects, **settings_overrides)
        company = SyncedCompany(emu, names, settings)
        company.counts = {name: emu.company.count(name) for name in objects}
        company.first = company.run(spark)
        yield company
