"""Function controlids still being executed, and the refusal of a second request carrying one.

A client that gives up on a slow answer (read timeout) and retries re-sends the same function
controlids while the gateway still works on the first attempt. The real gateway then refuses
the function: "A request's function with the control ID X is in process." (a vendor's support
page, §17). Every request's function controlids are registered from its arrival until its
answer is sent (the slow/read_timeout sleeps count as work); a function whose controlid is
already registered is refused at result level and not run, the request's others run.

CHOICE: errorno XL03000011 (unconfirmed; XL03000010 is the emulator's duplicate-controlid
choice), result level, applied whatever ``uniqueid`` says, Support ID appended. A client must
treat it as transient: wait for the first attempt to finish, then retry (with uniqueid=false
the same controlid is then accepted; with true it is a duplicate, §2).
"""

from __future__ import annotations

import threading
from collections import Counter

from .errors import Err, support_id

IN_PROCESS = ("XL03000011", "A request's function with the control ID {cid} is in process.")


def in_process_error(cid: str) -> Err:
    return Err(IN_PROCESS[0], IN_PROCESS[1].format(cid=cid) + support_id())


def function_controlids(root) -> list[str]:
    """The controlid of each function, in request order (as run_functions indexes them)."""
    if root is None:
        return []
    return [fn.get("controlid", "") for fn in root.iterfind("operation/content/function")]


class InProcess:
    def __init__(self) -> None:
        self._running: Counter = Counter()
        self._lock = threading.Lock()

    def enter(self, cids: list[str]) -> tuple[list[str], dict[int, Err]]:
        """Register this request's controlids: (registered, refusals by function index)."""
        registered, refused = [], {}
        with self._lock:
            for i, cid in enumerate(cids):
                if not cid or cid in registered:  # twice in one request: not another request
                    continue
                if self._running[cid]:
                    refused[i] = in_process_error(cid)
                else:
                    self._running[cid] += 1
                    registered.append(cid)
        return registered, refused

    def leave(self, registered: list[str]) -> None:
        with self._lock:
            for cid in registered:
                self._running[cid] -= 1
                if self._running[cid] <= 0:
                    del self._running[cid]
