"""Read-ahead in background threads: one source (prefetch) or several merged (fan-in).

Used twice: the pipeline reads an object's pages ahead of the Delta load (``prefetch``), and
the reader fetches the key ranges of a large full read at once (``merged``). Either way an error
in a producer is raised in the consumer after the items before it, and a consumer that stops
early (``close()`` or leaving ``with``) stops every producer within its read-ahead and closes
its source, so a generator's own ``finally`` blocks run.

Each producer thread runs in a copy of the creating thread's context, so API calls stay counted
for the object being synced (``intacct.stats.scope``).
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_ITEM, _ERROR, _DONE = "item", "error", "done"


def prefetch(items: Iterable[T], depth: int = 2) -> Prefetched[T]:
    """Iterate ``items`` in a background thread, up to ``depth`` ahead of the consumer.

    The thread starts at once, so fetching the first Intacct pages overlaps preparing the Delta
    table, and fetching the next page overlaps parsing and loading the current one.
    """
    return merged([items], workers=1, depth=depth, name="prefetch")


def merged(
    sources: list[Iterable[T]], workers: int, depth: int = 2, name: str = "stream"
) -> Prefetched[T]:
    """Iterate every source, at most ``workers`` at once, items in the order they arrive.

    A worker takes the next source when its current one is exhausted, so uneven sources keep
    every worker busy until the last one.
    """
    q: queue.Queue = queue.Queue(maxsize=max(depth, 1))
    stop = threading.Event()
    pending: queue.SimpleQueue = queue.SimpleQueue()
    for source in sources:
        pending.put(source)

    def put(kind: str, value: object) -> bool:
        while not stop.is_set():
            try:
                q.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        while not stop.is_set():
            try:
                source = pending.get_nowait()
            except queue.Empty:
                break
            iterator = iter(source)
            try:
                for item in iterator:
                    if not put(_ITEM, item):
                        break
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer
                put(_ERROR, exc)
                return
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()
        put(_DONE, None)

    count = max(1, min(workers, len(sources)))
    for i in range(count):
        context = contextvars.copy_context()  # one copy per thread: a context runs in one thread
        thread = threading.Thread(target=context.run, args=(work,), name=f"{name}-{i}", daemon=True)
        thread.start()
    return Prefetched(q, stop, producers=count)


class Prefetched(Generic[T]):
    """The consumer side of :func:`prefetch` and :func:`merged`; ``close()`` stops producers."""

    def __init__(self, q: queue.Queue, stop: threading.Event, producers: int = 1) -> None:
        self._q, self._stop, self._producers = q, stop, producers

    def __iter__(self) -> Iterator[T]:
        done = 0
        try:
            while done < self._producers:
                kind, value = self._q.get()
                if kind == _ITEM:
                    yield value
                elif kind == _ERROR:
                    raise value
                else:
                    done += 1
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()

    def __enter__(self) -> Prefetched[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
