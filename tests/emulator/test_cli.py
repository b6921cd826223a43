"""The CLI prints the endpoint and credentials as export lines and serves until stopped."""

from __future__ import annotations

import subprocess
import sys

from lxml import etree

from intacct_sync.emulator.server import main

from .gw import post


def test_cli_prints_exports_and_serves():
    code = (
        "from intacct_sync.emulator.server import main; main(['--port', '0', '--seed', '3', "
        "'--fault', 'http_503@call=1'])"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        env = {}
        for line in proc.stdout:
            if line.startswith("# emulator ready"):
                break
            key, _, value = line.strip().removeprefix("export ").partition("=")
            env[key] = value
        assert set(env) == {
            "INTACCT_ENDPOINT_URL",
            "INTACCT_SENDER_ID",
            "INTACCT_SENDER_PASSWORD",
            "INTACCT_COMPANY_ID",
            "INTACCT_USER_ID",
            "INTACCT_USER_PASSWORD",
        }
        xml = (
            f"<request><control><senderid>{env['INTACCT_SENDER_ID']}</senderid><password>"
            f"{env['INTACCT_SENDER_PASSWORD']}</password><controlid>c</controlid><uniqueid>false"
            f"</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication><login>"
            f"<userid>{env['INTACCT_USER_ID']}</userid><companyid>{env['INTACCT_COMPANY_ID']}"
            f"</companyid><password>{env['INTACCT_USER_PASSWORD']}</password></login>"
            f"</authentication><content><function controlid='f'><getAPISession/></function>"
            f"</content></operation></request>"
        )
        assert post(env["INTACCT_ENDPOINT_URL"], xml).status_code == 503  # the --fault fired
        root = etree.fromstring(post(env["INTACCT_ENDPOINT_URL"], xml).content)
        assert root.findtext("operation/result/status") == "success"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_rejects_a_bad_fault_spec(capsys):
    assert main(["--fault", "nonsense@x=1"]) == 2
    assert "unknown fault kind" in capsys.readouterr().err


def test_cli_quirk_switches(capsys):
    assert main(["--quirk", "nonsense=1"]) == 2
    assert "unknown quirk 'nonsense'" in capsys.readouterr().err


def test_quirk_values_from_text():
    from intacct_sync.emulator.quirks import Quirks

    q = Quirks()
    for key, text in [
        ("value_shapes", "false"),
        ("hold_seconds", "0.5"),
        ("heavy_budget", "1000"),
        ("heavy_objects", "glentry, gldetail"),
    ]:
        q.set(key, text)
    assert (q.value_shapes, q.hold_seconds, q.heavy_budget, q.heavy_objects) == (
        False,
        0.5,
        1000,
        ("GLENTRY", "GLDETAIL"),
    )
    assert q.unqueryable and q.company_busy and q.heavy_timeout and q.in_process  # defaults on
