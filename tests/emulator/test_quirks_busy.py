"""The company's allowance is shared with other integrations: hold, then 200024 (§17)."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from lxml import etree

from intacct_sync.emulator import Emulator, Fault

from .gw import envelope, fn, post, query, result, session

BUSY_TEXT = "There are too many operations running for this company."


def _xml(emu, sid, cid: str) -> str:
    return envelope(emu, query("VENDOR", ["RECORDNO"]).replace('"f1"', f'"{cid}"'), session=sid)


def _together(emu, sid, count: int, gap: float = 0.0) -> list[requests.Response]:
    """``count`` requests at once (distinct function controlids), in start order."""
    answers: list = [None] * count

    def send(i: int) -> None:
        answers[i] = post(emu.data_url, _xml(emu, sid, f"c{i}"))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
        time.sleep(gap)
    for t in threads:
        t.join()
    return answers


def _busy(resp: requests.Response) -> bool:
    root = etree.fromstring(resp.content)
    if root.findtext("control/status") != "failure":
        return False
    assert root.find("operation") is None  # control level: nothing ran
    assert root.findtext("errormessage/error/errorno") == "200024"
    assert root.findtext("errormessage/error/description2") == BUSY_TEXT
    return True


def test_beyond_the_allowance_a_request_is_held_then_refused(emulator):
    sid = session(emulator)
    emulator.company_load = 1  # another integration holds one of the two slots
    emulator.quirks.hold_seconds = 0.3
    emulator.latency = 0.8  # longer than the hold: no slot frees in time
    started = time.monotonic()
    answers = _together(emulator, sid, 2, gap=0.1)
    assert [a.status_code for a in answers] == [200, 200]
    assert sorted(_busy(a) for a in answers) == [False, True]  # one ran, one was refused
    assert time.monotonic() - started < 2.0
    assert emulator.stats.held == 1 and emulator.stats.rejected_busy == 1
    assert emulator.stats.rejected_429 == 0


def test_a_slot_freeing_within_the_hold_lets_the_request_run(emulator):
    sid = session(emulator)
    emulator.company_load = 1
    emulator.quirks.hold_seconds = 2.0
    emulator.latency = 0.3
    started = time.monotonic()
    answers = _together(emulator, sid, 2, gap=0.1)
    assert [_busy(a) for a in answers] == [False, False]
    assert all(result(etree.fromstring(a.content)).findtext("status") == "success" for a in answers)
    assert time.monotonic() - started >= 0.6  # the second waited for the first
    assert emulator.stats.held == 1 and emulator.stats.rejected_busy == 0
    assert emulator.stats.max_in_flight == 2  # the client's own requests open at once


def test_busy_company_fault_refuses_and_is_decisive(emulator):
    sid = session(emulator)
    emulator.quirks.hold_seconds = 0.2
    emulator.faults.add("busy_company@call=1,seconds=0.6")
    assert _busy(post(emulator.data_url, _xml(emulator, sid, "a")))
    assert emulator.faults.injected[-1]["kind"] == "busy_company"
    assert emulator.faults.injected[-1]["decisive"] is True
    time.sleep(0.6)  # the other integrations' burst is over
    assert not _busy(post(emulator.data_url, _xml(emulator, sid, "b")))


def test_a_short_burst_is_waited_out_and_decides_nothing(emulator):
    sid = session(emulator)
    emulator.quirks.hold_seconds = 2.0
    emulator.faults.add("busy_company@call=1,seconds=0.3,slots=2")
    started = time.monotonic()
    assert not _busy(post(emulator.data_url, _xml(emulator, sid, "a")))
    assert time.monotonic() - started >= 0.3
    assert emulator.faults.injected[-1]["decisive"] is False
    assert emulator.stats.held == 1


def test_load_through_the_admin_api_and_the_switch_back_to_429(emulator):
    sid = session(emulator)
    emulator.quirks.hold_seconds = 0.1
    answer = requests.post(f"{emulator.base_url}/admin/load", json={"company_load": 2}, timeout=5)
    assert answer.json() == {"company_load": 2, "others": 2, "limit": 2}
    assert _busy(post(emulator.data_url, _xml(emulator, sid, "a")))
    emulator.quirks.company_busy = False  # the old answer: HTTP 429 GW-0010 at once
    resp = post(emulator.data_url, _xml(emulator, sid, "b"))
    assert resp.status_code == 429
    assert etree.fromstring(resp.content).findtext("errormessage/error/errorno") == "GW-0010"
    requests.post(f"{emulator.base_url}/admin/load", json={"company_load": 0}, timeout=5)
    assert post(emulator.data_url, _xml(emulator, sid, "c")).status_code == 200
    burst = {"busy_slots": 2, "busy_seconds": 0.3}
    assert (
        requests.post(f"{emulator.base_url}/admin/load", json=burst, timeout=5).json()["others"]
        == 2
    )
    assert post(emulator.data_url, _xml(emulator, sid, "d")).status_code == 429
    time.sleep(0.4)
    assert post(emulator.data_url, _xml(emulator, sid, "e")).status_code == 200


def test_login_requests_share_the_allowance_too():
    with Emulator(seed=7, company_load=2) as emu:
        emu.quirks.hold_seconds = 0.1
        resp = post(emu.url, envelope(emu, fn("<getAPISession/>")))
        assert _busy(resp)
        emu.company_load = 0
        assert session(emu)


def test_grammar():
    f = Fault.parse("busy_company@call=3,seconds=2.5,slots=1")
    assert (f.kind, f.call, f.seconds, f.slots) == ("busy_company", 3, 2.5, 1)
    with pytest.raises(ValueError, match="bad fault option"):
        Fault.parse("busy_company@slot=1")
