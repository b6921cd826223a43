"""Fetching overlaps loading: pages are read ahead in a thread, errors and early stops handled."""

import threading
import time

import pytest

from intacct_sync.pipeline import prefetch


def test_fetching_starts_before_the_consumer_asks():
    started = threading.Event()

    def pages():
        started.set()
        yield from range(3)

    reader = prefetch(pages())
    assert started.wait(2), "the first page was not requested until the loader asked"
    assert list(reader) == [0, 1, 2]


def test_a_fetch_error_reaches_the_consumer_after_the_pages_before_it():
    def pages():
        yield 1
        raise RuntimeError("page 2 failed")

    seen = []
    with pytest.raises(RuntimeError, match="page 2 failed"):
        for page in prefetch(pages()):
            seen.append(page)
    assert seen == [1]


def test_closing_stops_the_producer_within_its_read_ahead():
    produced = []

    def pages():
        for i in range(1000):
            produced.append(i)
            yield i

    with prefetch(pages(), depth=2):
        time.sleep(0.3)  # the loader failed before reading anything
    time.sleep(0.3)
    assert len(produced) <= 4  # depth 2 queued + 1 waiting to be put + 1 slack
