"""Progress a person can follow: a bar per object on a terminal, log lines in a job."""

from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass, field

log = logging.getLogger("intacct_sync.progress")


@dataclass
class _ObjectProgress:
    pages: int = 0
    rows: int = 0
    total: int | None = None
    started: float = field(default_factory=time.monotonic)
    task_id: object = None
    last_log: float = 0.0


class Progress:
    """Receives page updates from the pipeline threads; renders with rich on a TTY."""

    def __init__(self, enabled: bool | None = None, log_every: float = 10.0) -> None:
        self._tty = sys.stderr.isatty() if enabled is None else enabled
        self._log_every = log_every
        self._lock = threading.Lock()
        self._objects: dict[str, _ObjectProgress] = {}
        self._bar = None
        if self._tty:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            self._bar = RichProgress(
                TextColumn("{task.description:<22}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("rows  {task.fields[pages]} pages  {task.fields[rate]} rows/s"),
                TimeElapsedColumn(),
                transient=False,
            )

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def start(self, label: str) -> None:
        with self._lock:
            state = self._objects[label] = _ObjectProgress()
            if self._bar is not None:
                state.task_id = self._bar.add_task(label, total=None, pages=0, rate="-")

    def page(self, label: str, rows: int, total: int | None) -> None:
        with self._lock:
            state = self._objects.setdefault(label, _ObjectProgress())
            state.pages += 1
            state.rows += rows
            if total is not None and state.total is None:
                state.total = total
            rate = state.rows / max(time.monotonic() - state.started, 1e-6)
            if self._bar is not None and state.task_id is not None:
                self._bar.update(
                    state.task_id,
                    completed=state.rows,
                    total=state.total,
                    pages=state.pages,
                    rate=f"{rate:,.0f}",
                )
            elif time.monotonic() - state.last_log >= self._log_every:
                state.last_log = time.monotonic()
                log.info(
                    "%s: %d pages, %d of %s rows, %.0f rows/s",
                    label,
                    state.pages,
                    state.rows,
                    state.total if state.total is not None else "?",
                    rate,
                )

    def done(self, label: str, status: str) -> None:
        with self._lock:
            state = self._objects.get(label, _ObjectProgress())
            if self._bar is not None and state.task_id is not None:
                self._bar.update(
                    state.task_id,
                    total=state.rows or 1,
                    completed=state.rows or 1,
                    description=f"{label} [{status}]",
                )
            log.info("%s: %s, %d rows in %d pages", label, status, state.rows, state.pages)
