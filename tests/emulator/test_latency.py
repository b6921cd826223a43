"""Simulated latency is a request's time in its slot, the emulator's own work counted in it.

Intacct answers a 2000-row page in about a second, building the page included; an emulator that
slept the latency and then built the page would make every page take the latency plus its own
work, and a benchmark against the floor (pages x latency / slots) could never get there.
"""

from __future__ import annotations

import time

import pytest

from .gw import data_call, query, session

WORK = 0.5  # seconds the emulator's answer is made to take (its own work, stretched)


@pytest.fixture
def slow_work(emulator):
    """The emulator's answers take at least WORK seconds to build."""
    gateway = emulator.gateway
    build = gateway._process

    def process(*args, **kwargs):
        time.sleep(WORK)
        return build(*args, **kwargs)

    gateway._process = process
    yield emulator
    gateway._process = build


def _timed(emulator, sid: str) -> float:
    began = time.monotonic()
    root = data_call(emulator, sid, query("VENDOR", ["RECORDNO"]))
    assert root.findtext("operation/result/status") == "success"
    return time.monotonic() - began


def test_the_latency_includes_the_work_of_building_the_answer(slow_work):
    emulator = slow_work
    sid = session(emulator)
    emulator.latency = 0.9
    took = _timed(emulator, sid)
    assert 0.9 <= took < 0.9 + WORK * 0.8  # not latency + work (1.4 s)


def test_work_longer_than_the_latency_is_what_the_request_takes(slow_work):
    emulator = slow_work
    sid = session(emulator)
    emulator.latency = 0.3
    took = _timed(emulator, sid)
    assert WORK <= took < WORK + 0.25  # the work, not the work and then the latency (0.8 s)


def test_a_cheap_request_still_takes_the_latency(emulator):
    sid = session(emulator)
    emulator.latency = 0.4
    assert _timed(emulator, sid) >= 0.4
