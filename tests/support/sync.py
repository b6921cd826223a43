"""Settings and clients for tests that sync from an emulator into a test schema."""

from __future__ import annotations

from datetime import timedelta

from intacct_sync.config import Settings
from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.session import Credentials
from intacct_sync.secrets import IntacctSecrets


def emulator_secrets(emulator) -> IntacctSecrets:
    return IntacctSecrets.from_mapping(emulator.credentials, source="emulator")


def settings_for(emulator, names, **overrides) -> Settings:
    base = dict(
        endpoint_url=emulator.url,
        catalog=names.catalog,
        schema=names.schema,
        lag=timedelta(0),
        progress=False,
    )
    base.update(overrides)
    return Settings(**base)


def client_for(emulator, settings: Settings):
    """The client the runner makes (make_client) for the emulator, but for one option: after a
    page Intacct timed out on (HTTP 524) the page is halved without the 5-second pause that
    spares a real company; the emulator needs none (test_client_quirks checks the pause)."""
    return IntacctClient(
        settings.endpoint_url,
        Credentials.from_mapping(emulator.credentials),
        settings.client_options(pause_after_heavy_page=0.0),
    )
