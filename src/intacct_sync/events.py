"""What a run tells whoever watches it: objects starting, pages arriving, objects done.

The pipeline reports to a ``RunEvents`` and knows no UI; the face (the CLI, the demo, a
notebook) passes one in: a progress bar on a terminal, log lines in a job (``progress.py``),
or nothing at all.
"""

from __future__ import annotations

from typing import Protocol


class RunEvents(Protocol):
    def __enter__(self) -> RunEvents: ...

    def __exit__(self, *exc: object) -> None: ...

    def start(self, label: str) -> None:
        """An object (``OBJECT`` or ``OBJECT@ENTITY``) starts."""

    def page(self, label: str, rows: int, total: int | None) -> None:
        """A page of ``rows`` arrived; ``total`` is Intacct's totalcount when known."""

    def done(self, label: str, status: str) -> None:
        """The object ended with ``status`` (succeeded, failed)."""


class NoEvents:
    """Tells nobody (tests, library use)."""

    def __enter__(self) -> NoEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def start(self, label: str) -> None:
        return None

    def page(self, label: str, rows: int, total: int | None) -> None:
        return None

    def done(self, label: str, status: str) -> None:
        return None
