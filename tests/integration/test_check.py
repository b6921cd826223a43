"""``intacct-sync check`` against the emulator: fields left out, time zone, usage lines."""

from __future__ import annotations

from intacct_sync.check import _check_intacct, time_zone_line
from intacct_sync.config import Settings
from intacct_sync.emulator import Emulator
from intacct_sync.intacct.client import IntacctClient
from intacct_sync.intacct.session import Credentials


def test_check_reports_refused_fields_and_the_configured_time_zone() -> None:
    with Emulator(seed=7, scale="small") as emu:
        settings = Settings(
            endpoint_url=emu.url,
            objects=("APBILL", "VENDOR"),
            discover_udds=False,
            timezone="America/New_York",
        )
        client = IntacctClient(
            emu.url, Credentials.from_mapping(emu.credentials), settings.client_options()
        )
        with client:
            results = {r.name: r for r in _check_intacct(settings, client)}
            assert client.usage().transactions == emu.stats.transactions_total
    assert results["login"].ok and results["APBILL"].ok and results["VENDOR"].ok
    assert "left out" in results["APBILL"].detail and "PAYTOCONTACTNAME" in results["APBILL"].detail
    assert "left out" not in results["VENDOR"].detail
    line = time_zone_line(settings)
    assert "not exposed by the XML gateway" in line.detail and "America/New_York" in line.detail


def _zone_line(emulator_zone: str, configured: str):
    with Emulator(seed=7, scale="small", timezone=emulator_zone) as emu:
        settings = Settings(endpoint_url=emu.url, timezone=configured)
        client = IntacctClient(
            emu.url, Credentials.from_mapping(emu.credentials), settings.client_options()
        )
        with client:
            return time_zone_line(settings, client), client.zone_evidence()


def test_the_data_confirms_the_configured_zone() -> None:
    line, evidence = _zone_line("America/Los_Angeles", "America/Los_Angeles")
    assert line.ok and "consistent" in line.detail and evidence.agree >= 3


def test_the_data_refuses_a_wrong_zone_naming_both() -> None:
    line, evidence = _zone_line("America/New_York", "America/Los_Angeles")
    assert not line.ok and evidence.mismatch
    assert "+3 h away from America/Los_Angeles" in line.detail
    assert "not exposed by the XML gateway" in line.detail
