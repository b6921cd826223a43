"""The retry policy: which failures are retried, how long to wait, when to give up.

Retried (docs/protocol.md §13): every ``RetryableError`` (transport errors, 429/GW-0010, 500/502/
503/504, Cloudflare pages, unparsable XML, "try again later", 200024 "too many operations
running for this company" and "... is in process", §17). An in-process refusal means our own
first attempt still runs: waiting and re-sending the same bytes is answered once it finished
(``uniqueid=false``, §2). An in-process refusal runs nothing, so it does not use up an attempt: the
policy keeps waiting for the first attempt, within the total time bound. Waits grow
exponentially with
jitter (1 s, 2 s, 4 s … capped at 60 s, plus up to 1 s of random jitter); a ``Retry-After``
given with a 429 is honoured instead. Bounded twice: at most ``max_attempts`` (6) attempts and
``max_total_seconds`` (10 min) of waiting and working.

**HTTP 524** (Cloudflare gave up after 100 s, the server may still be running the query): we
only read, so a second run is harmless to the data, but an immediate retry would pile a second
heavy query onto a server that is still busy with the first. The policy waits
``pause_after_524`` (2 min) and retries **once**; a second 524 fails with
``ServerMayStillBeWorking`` so the run stops and a human narrows the window or page size.
Keyset ``query`` pages opt out (``retry_524=False``): their reader halves the page instead,
from the same position (``adaptive.py``).

The sleep function is injectable: tests pass a recorder and never really sleep.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception

from intacct_sync.intacct.errors import (
    FunctionInProcess,
    RateLimited,
    RetryableError,
    ServerMayStillBeWorking,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    max_total_seconds: float = 600.0
    initial_wait: float = 1.0
    max_wait: float = 60.0
    jitter: float = 1.0
    pause_after_524: float = 120.0
    retries_after_524: int = 1
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.max_total_seconds <= 0:
            raise ValueError("RetryPolicy needs max_attempts >= 1 and max_total_seconds > 0")

    def wait_for(self, attempt: int, error: BaseException | None) -> float:
        """Seconds to wait before attempt ``attempt + 1`` after ``error``."""
        if isinstance(error, ServerMayStillBeWorking):
            return self.pause_after_524
        if isinstance(error, RateLimited) and error.retry_after:
            return min(error.retry_after, self.max_total_seconds)
        backoff = min(self.initial_wait * 2 ** (attempt - 1), self.max_wait)
        return backoff + random.uniform(0, self.jitter)

    def call(
        self,
        fn: Callable[[], T],
        *,
        what: str = "Intacct request",
        on_retry: Callable[[], None] | None = None,
        retry_524: bool = True,
    ) -> T:
        """Run ``fn`` under this policy; re-raise the last error when giving up.

        ``retry_524=False``: a 524 is raised at once (the caller changes the request instead).
        """
        seen_524 = [0]
        in_process = [0]  # refusals that ran nothing: waiting, not failed attempts

        def retryable(error: BaseException) -> bool:
            if isinstance(error, FunctionInProcess):
                in_process[0] += 1
                return True
            if isinstance(error, ServerMayStillBeWorking):
                if not retry_524:
                    return False
                seen_524[0] += 1
                return seen_524[0] <= self.retries_after_524
            return isinstance(error, RetryableError)

        def stop(state: RetryCallState) -> bool:
            spent = max(state.seconds_since_start or 0.0, state.idle_for)
            over_time = spent + (state.upcoming_sleep or 0.0) > self.max_total_seconds
            return state.attempt_number - in_process[0] >= self.max_attempts or over_time

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            return self.wait_for(state.attempt_number, error)

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning(
                "%s failed (attempt %d of %d): %s; retrying in %.1f s",
                what,
                state.attempt_number,
                self.max_attempts,
                error,
                state.upcoming_sleep or 0.0,
            )
            if on_retry:
                on_retry()

        retrying = Retrying(
            retry=retry_if_exception(retryable),
            stop=stop,
            wait=wait,
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        return retrying(fn)
