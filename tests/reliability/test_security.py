"""Credentials never leak; TLS cannot be switched off; nothing but reads reaches the wire."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from intacct_sync.config import ConfigError, check_endpoint
from intacct_sync.emulator import Emulator
from intacct_sync.emulator.company import User
from intacct_sync.intacct.envelope import READ_FUNCTIONS
from intacct_sync.intacct.gateway import validate_endpoint
from intacct_sync.runner import run_sync
from intacct_sync.secrets import IntacctSecrets
from tests.reliability.support import fast_client
from tests.support.sync import settings_for

SENDER_CANARY = "canary-SND-7f3a9c1e5b"  # noqa: S105 - planted to be searched for
USER_CANARY = "canary-USR-2d8e4b6a0f"  # noqa: S105


def _leaks(text: str) -> list[str]:
    return [c for c in (SENDER_CANARY, USER_CANARY) if c in text]


@pytest.mark.spark
def test_canary_passwords_appear_nowhere_the_run_leaves_anything(spark, lake_names, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    with Emulator(seed=9, scale="small") as emu:
        emu.company.settings.sender_password = SENDER_CANARY
        emu.company.settings.users = {"xml_gateway": User(USER_CANARY)}
        settings = settings_for(emu, lake_names, objects=("VENDOR", "FUND"), page_size=10)
        # a refused login, a control-level failure, retries and a session expiry on the way
        emu.faults.add("http_502@object=VENDOR,page=2,times=2")
        emu.faults.add("session_expire@object=VENDOR,page=3")
        emu.faults.add("control_error@object=FUND,page=1")
        with fast_client(emu, settings) as client:
            summary = run_sync(settings, client=client, spark=spark)
            texts = [repr(client), repr(IntacctSecrets.from_mapping(emu.credentials))]
        assert [r.object for r in summary.failed] == ["FUND"]
    texts += [r.error_message or "" for r in summary.results] + [repr(summary)]
    texts += [
        caplog.text,
        *(r.getMessage() for r in caplog.records),
        *map(str, capsys.readouterr()),
    ]
    for table in ("_sync_runs", "vendor"):  # the run log holds the state too
        texts += [repr(row) for row in spark.table(lake_names.qualified(table)).collect()]
    assert not [t for t in texts if _leaks(t)], "a canary password leaked"
    warehouse = Path(spark.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
    leaked = [
        p
        for p in (warehouse / f"{lake_names.schema}.db").rglob("*")
        if p.is_file() and _leaks(p.read_bytes().decode("utf-8", "replace"))
    ]
    assert leaked == []


@pytest.mark.parametrize(
    "url",
    [
        "http://api.intacct.com/ia/xml/xmlgw.phtml",
        "http://192.168.1.10/x",
        "http://[2001:db8::1]/x",
    ],
)
def test_plain_http_is_refused_for_anything_but_loopback(url):
    with pytest.raises(ConfigError):
        check_endpoint(url)
    with pytest.raises(ValueError, match="https"):
        validate_endpoint(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]/x"])
def test_loopback_may_use_plain_http(url):
    check_endpoint(url)
    assert validate_endpoint(url) == url


def test_the_client_always_verifies_tls():
    """``verify`` is not a setting: the transport passes verify=True on every request."""
    source = Path(validate_endpoint.__code__.co_filename).read_text()
    assert "verify=True" in source and "verify=False" not in source
    from intacct_sync.config import Settings

    assert not [
        f for f in Settings.__dataclass_fields__ if "verify" in f or "tls" in f or "insecure" in f
    ]


def test_write_functions_are_refused_before_they_leave():
    from intacct_sync.intacct import envelope

    assert "create" not in READ_FUNCTIONS and "delete" not in READ_FUNCTIONS
    from intacct_sync.intacct.errors import WriteRefused

    with pytest.raises(WriteRefused, match="read-only"):
        envelope.Function("create")


def test_the_wire_registry_records_what_the_client_sends(emulator):
    """The session-wide check in tests/fixtures/emulator.py sees this suite's traffic too."""
    from intacct_sync.config import Settings
    from tests.fixtures.emulator import WIRE
    from tests.support.sync import emulator_secrets  # noqa: F401 - same credentials path

    settings = Settings(endpoint_url=emulator.url, progress=False)
    with fast_client(emulator, settings) as client:
        client.lookup("VENDOR")
    received = WIRE[
        next(k for k in WIRE if k.endswith("test_the_wire_registry_records_what_the_client_sends"))
    ]
    assert {"getAPISession", "lookup"} <= set(received) <= READ_FUNCTIONS
