"""The company's allowance of requests in flight, shared with its other integrations (§12, §17).

Intacct counts concurrent requests per company, whoever sends them: the ERP's own jobs and
other integrations take slots too. A request beyond the allowance is held for a while and, if
no slot frees, refused with errorno 200024 "There are too many operations running for this
company." (a vendor's support page: the third concurrent request is held about 30 s; §17).

``load`` models the other integrations' steady use (slots they always hold); ``occupy`` adds a
burst of theirs for some seconds (fault ``busy_company``, ``POST /admin/load``). Held and
running client requests are not told apart by the real gateway, so neither are they here.
"""

from __future__ import annotations

import threading
import time

from . import envelope as env
from .errors import Err

# CHOICE: level and exact text. The public report shows the sentence with the number 200024;
# the emulator answers a control-level failure in an HTTP 200 (errorno 200024, that sentence
# as description2, no correction), so nothing runs, as for other control failures (§4.1).
BUSY = ("200024", "There are too many operations running for this company.")


class Allowance:
    def __init__(self, limit: int, load: int = 0) -> None:
        self.limit = limit  # the company's allowance (``max_in_flight``)
        self.load = load  # slots other integrations hold all along
        self.running = 0  # this emulator's clients' requests holding a slot
        self._burst = 0  # slots other integrations hold for a while
        self._cond = threading.Condition()

    @property
    def others(self) -> int:
        return self.load + self._burst

    def set_limit(self, limit: int) -> None:
        with self._cond:
            self.limit = int(limit)
            self._cond.notify_all()

    def set_load(self, load: int) -> None:
        with self._cond:
            self.load = max(int(load), 0)
            self._cond.notify_all()

    def occupy(self, slots: int, seconds: float) -> None:
        """Other integrations take ``slots`` more slots for ``seconds`` (released by a timer)."""
        with self._cond:
            self._burst += slots
        timer = threading.Timer(seconds, self._free, (slots,))
        timer.daemon = True
        timer.start()

    def _free(self, slots: int) -> None:
        with self._cond:
            self._burst -= slots
            self._cond.notify_all()

    def acquire(self, hold: float) -> tuple[bool, bool]:
        """Take a slot, waiting up to ``hold`` seconds for one: (got it, had to wait)."""
        deadline = time.monotonic() + max(hold, 0.0)
        waited = False
        with self._cond:
            while self.running + self.others >= self.limit:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False, waited
                waited = True
                self._cond.wait(remaining)
            self.running += 1
            return True, waited

    def release(self) -> None:
        with self._cond:
            self.running -= 1
            self._cond.notify_all()


def busy_refusal(root) -> env.Reply:
    """200024 as a control failure, echoing the request's control block when there is one."""
    control = root.find("control") if root is not None else None
    ctl = env.Control.parse(control)
    return env.control_failure(ctl, [Err(BUSY[0], BUSY[1])])
