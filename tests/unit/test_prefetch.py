"""Fetching overlaps loading: pages are read ahead in a thread, errors and early stops handled."""

import threading
import time

import pytest

from intacct_sync.intacct.streams import merged, prefetch


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


def test_merged_sources_all_arrive_and_share_the_workers():
    """Five uneven sources over two workers: every item once, never more than two at work."""
    active, peak, lock = [0], [0], threading.Lock()

    def source(n: int):
        for i in range(n):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.01)
            with lock:
                active[0] -= 1
            yield (n, i)

    sizes = [1, 7, 2, 5, 3]
    got = list(merged([source(n) for n in sizes], workers=2))
    assert sorted(got) == sorted((n, i) for n in sizes for i in range(n))
    assert peak[0] == 2


def test_merged_error_in_one_source_stops_the_others_and_closes_them():
    closed = []

    def endless(tag: str):
        try:
            i = 0
            while True:
                i += 1
                time.sleep(0.01)
                yield (tag, i)
        finally:
            closed.append(tag)

    def failing():
        yield ("bad", 1)
        raise ValueError("range 2 failed")

    with pytest.raises(ValueError, match="range 2 failed"):
        with merged([endless("a"), failing()], workers=2) as items:
            for _ in items:
                pass
    time.sleep(0.5)
    assert closed == ["a"]


def test_merged_runs_producers_in_the_callers_context():
    import contextvars

    tag: contextvars.ContextVar[str] = contextvars.ContextVar("tag", default="none")
    tag.set("APBILL")

    def source():
        yield tag.get()

    assert list(merged([source(), source()], workers=2)) == ["APBILL", "APBILL"]
