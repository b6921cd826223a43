"""A retry meeting its first attempt still at work is refused: in process (docs/protocol.md §17)."""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests
from lxml import etree

from .gw import envelope, post, query, result, session

TEXT = re.compile(r"^A request's function with the control ID (\S+) is in process\. \[Support ID:")


def _body(emu, sid: str) -> str:
    vendors = query("VENDOR", ["RECORDNO"]).replace('"f1"', '"read-vendors-7"')
    classes = query("CLASS", ["RECORDNO"]).replace('"f1"', '"read-classes-7"')
    return envelope(emu, vendors + classes, session=sid)


def _in_process(res) -> str | None:
    if res.findtext("status") != "failure":
        return None
    assert res.findtext("errormessage/error/errorno") == "XL03000011"
    match = TEXT.match(res.findtext("errormessage/error/description2"))
    assert match, res.findtext("errormessage/error/description2")
    return match.group(1)


def test_a_retry_after_a_read_timeout_is_refused_while_the_first_attempt_runs(emulator):
    sid = session(emulator)
    emulator.faults.add("read_timeout@call=1,seconds=1.0")
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.post(emulator.data_url, data=_body(emulator, sid), timeout=0.3)
    emulator.faults.clear()
    root = etree.fromstring(post(emulator.data_url, _body(emulator, sid)).content)
    assert root.findtext("control/status") == "success"  # HTTP 200, result level
    assert [_in_process(result(root, i)) for i in (0, 1)] == ["read-vendors-7", "read-classes-7"]
    time.sleep(max(0.0, 1.6 - (time.monotonic() - started)))  # the first attempt is done
    root = etree.fromstring(post(emulator.data_url, _body(emulator, sid)).content)
    assert [result(root, i).findtext("status") for i in (0, 1)] == ["success", "success"]


def test_only_the_functions_in_process_are_refused(emulator):
    sid = session(emulator)
    emulator.faults.add("slow@call=1,seconds=0.8")
    first = envelope(
        emulator, query("VENDOR", ["RECORDNO"]).replace('"f1"', '"read-vendors-7"'), session=sid
    )
    worker = threading.Thread(target=lambda: post(emulator.data_url, first))
    worker.start()
    time.sleep(0.3)
    root = etree.fromstring(post(emulator.data_url, _body(emulator, sid)).content)
    worker.join()
    assert _in_process(result(root, 0)) == "read-vendors-7"
    assert result(root, 1).findtext("status") == "success"
    assert emulator.stats.transactions["CLASS"] == 1 and emulator.stats.transactions["VENDOR"] == 1


def test_the_in_process_fault_and_the_switch(emulator):
    sid = session(emulator)
    emulator.faults.add("in_process@function=query,call=2")
    root = etree.fromstring(post(emulator.data_url, _body(emulator, sid)).content)
    assert [_in_process(result(root, i)) for i in (0, 1)] == [None, "read-classes-7"]
    assert emulator.faults.injected[-1]["decisive"] is True
    emulator.quirks.in_process = False  # a retry during the first attempt runs again
    emulator.faults.add("read_timeout@call=1,seconds=0.6")
    with pytest.raises(requests.ReadTimeout):
        requests.post(emulator.data_url, data=_body(emulator, sid), timeout=0.2)
    root = etree.fromstring(post(emulator.data_url, _body(emulator, sid)).content)
    assert [result(root, i).findtext("status") for i in (0, 1)] == ["success", "success"]
