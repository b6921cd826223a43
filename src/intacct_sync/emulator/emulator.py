"""The Emulator: a synthetic company behind a local XML gateway, with faults and a clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from .clock import Clock
from .company import Company
from .faults import Fault, FaultPlan
from .protocol import Gateway
from .server import DATA_PATH, LOGIN_PATH, serve
from .sessions import SessionStore
from .stats import Stats


class Emulator:
    """``with Emulator(seed=7) as emu: requests.post(emu.url, data=xml)``."""

    def __init__(
        self,
        seed: int = 7,
        scale: str = "small",
        port: int = 0,
        latency: float = 0.0,
        max_in_flight: int = 2,
        session_duration: timedelta = timedelta(hours=2),
        timezone: str = "America/Los_Angeles",
        faults: list[Fault | str] | None = None,
        bills: int | None = None,
        host: str = "127.0.0.1",
        start: datetime | None = None,
        company_load: int = 0,
    ) -> None:
        self.clock = Clock(start)
        self.company = Company(seed, scale, timezone, self.clock, bills)
        self.faults = FaultPlan([Fault.parse(f) if isinstance(f, str) else f for f in faults or []])
        self.stats = Stats()
        self.sessions = SessionStore(self.clock, session_duration)
        self.gateway = Gateway(
            self.company,
            self.sessions,
            self.faults,
            self.stats,
            latency,
            max_in_flight,
            company_load,  # slots other integrations hold all along (allowance.py)
        )
        self.host, self.port = host, port
        self._server = None
        self._thread = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The login endpoint."""
        return self.base_url + LOGIN_PATH

    @property
    def data_url(self) -> str:
        """The endpoint getAPISession returns (§1); sessions also work at ``url`` (§17)."""
        return self.base_url + DATA_PATH

    @property
    def credentials(self) -> dict[str, str]:
        s = self.company.settings
        user_id, user = next(iter(s.users.items()))
        return {
            "sender_id": s.sender_id,
            "sender_password": s.sender_password,
            "company_id": s.company_id,
            "user_id": user_id,
            "user_password": user.password,
        }

    @property
    def latency(self) -> float:
        return self.gateway.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.gateway.latency = seconds

    @property
    def company_load(self) -> int:
        """Requests in flight that the company's other integrations hold (docs/protocol.md §17)."""
        return self.gateway.allowance.load

    @company_load.setter
    def company_load(self, slots: int) -> None:
        self.gateway.allowance.set_load(slots)

    @property
    def quirks(self):
        """The company's production-behaviour switches (quirks.py)."""
        return self.company.settings.quirks

    def start(self) -> Emulator:
        if self._server is None:
            self._server, self._thread = serve(self, self.host, self.port)
            self.port = self._server.server_address[1]
            self.gateway.data_url = self.data_url
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Emulator(url={self.url!r})"
