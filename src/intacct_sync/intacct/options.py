"""How the client talks to one company: the frozen options, checked once, here.

>>> ClientOptions(timezone="America/New_York", page_size=1000)  # doctest: +SKIP

The sync builds them from its settings (``Settings.client_options``); library users and tests
build them directly. Everything that depends on the company rather than the run lives here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from intacct_sync.intacct.envelope import QUERY_MAX_PAGE
from intacct_sync.intacct.gateway import DEFAULT_MAX_RESPONSE_BYTES
from intacct_sync.intacct.retry import RetryPolicy

MAX_IN_FLIGHT = 16
HISTORY_START = datetime(2010, 1, 1, tzinfo=timezone.utc)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,199}$")


def _skip_map(value: Mapping[str, object] | None) -> Mapping[str, tuple[str, ...]]:
    """{OBJECT: (FIELD, ...)}, upper case, validated; read-only so the options stay frozen."""
    out: dict[str, tuple[str, ...]] = {}
    for obj, names in (value or {}).items():
        items = [names] if isinstance(names, str) else list(names or ())  # type: ignore[call-overload]
        fields = tuple(dict.fromkeys(str(n).strip().upper() for n in items if str(n).strip()))
        bad = [n for n in (str(obj), *fields) if not _NAME.match(n)]
        if bad:
            raise ValueError(
                f"skip_fields has a bad object or field name {bad[0]!r}: use Intacct names, "
                "e.g. skip_fields: {APBILL: [PAYTOCONTACTNAME]}."
            )
        out[str(obj).strip().upper()] = fields
    return MappingProxyType(out)


@dataclass(frozen=True)
class ClientOptions:
    # Zone of Intacct's naive timestamps: the web-services user's preference (docs/protocol.md §7).
    timezone: str = "America/Los_Angeles"
    # Requests in flight per company, shared by every thread and entity (docs/protocol.md §12); also
    # the key ranges a large full read runs at once.
    max_in_flight: int = 2
    page_size: int = QUERY_MAX_PAGE  # rows per query page (docs/protocol.md §5.2: 1..2000)
    timeout: tuple[float, float] = (10.0, 300.0)  # connect, read seconds
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    session_lifetime: timedelta = timedelta(minutes=50)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    # Fields never selected, per object: those query refuses although lookup lists them (§17).
    skip_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    # After HTTP 524 on a keyset page the page is halved down to this many rows (§17), after a
    # pause of this many seconds (the retry policy's sleep, so tests never really wait).
    # Where a full read sliced by its cursor (a view such as GLDETAIL, §8) starts its first slice:
    # everything older, and every row without a cursor, is in that first slice.
    history_start: datetime = HISTORY_START
    min_page_size: int = 250
    pause_after_heavy_page: float = 5.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "skip_fields", _skip_map(self.skip_fields))
        if not 1 <= self.min_page_size <= QUERY_MAX_PAGE:
            raise ValueError(f"min page size {self.min_page_size} is out of range (1 to 2000).")
        if self.pause_after_heavy_page < 0:
            raise ValueError("the pause after a heavy page must be 0 seconds or more.")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"time zone {self.timezone!r} is unknown: use an IANA name such as "
                "America/Los_Angeles (the time zone of the Intacct web-services user)."
            ) from None
        if not 1 <= self.page_size <= QUERY_MAX_PAGE:
            raise ValueError(
                f"page size {self.page_size} is out of range: Intacct's query allows 1 to "
                f"{QUERY_MAX_PAGE}."
            )
        if not 1 <= self.max_in_flight <= MAX_IN_FLIGHT:
            raise ValueError(
                f"max in flight {self.max_in_flight} is out of range "
                f"(1 to {MAX_IN_FLIGHT}; Intacct's default tier allows 2)."
            )
        if not (len(self.timeout) == 2 and all(t > 0 for t in self.timeout)):
            raise ValueError("timeout must be (connect seconds, read seconds), both > 0")
