"""Settings and clients for tests that sync from an emulator into a test schema."""

from __future__ import annotations

from datetime import timedelta

from intacct_sync.config import Settings
from intacct_sync.runner import make_client
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
    return make_client(settings, emulator_secrets(emulator))
