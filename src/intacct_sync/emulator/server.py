"""HTTP server (standard library, one daemon thread per connection) and the CLI entry point.

Gateway paths: the login endpoint (the main URL) /ia/xml/xmlgw.phtml and the data endpoint
/na1/ia/xml/xmlgw.phtml that getAPISession hands out (docs/protocol.md §1); a session works at both
(§17). /admin/... is JSON.
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from .admin import handle_admin
from .envelope import gateway_error
from .sessions import MAIN_PATH

if TYPE_CHECKING:
    from .emulator import Emulator

LOGIN_PATH = MAIN_PATH
DATA_PATH = "/na1/ia/xml/xmlgw.phtml"
GATEWAY_PATHS = (LOGIN_PATH, DATA_PATH)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "IntacctEmulator/1.0"
    emulator: Emulator  # set on the subclass made per server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet by default
        return

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        """Close with a TCP reset and no answer (connection_reset fault)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        path = self.path.split("?", 1)[0]
        body = self._body()
        if path.startswith("/admin/"):
            self._admin("POST", path, body)
            return
        if path not in GATEWAY_PATHS:
            reply = gateway_error(400)
            self._send(reply.status, reply.body or b"", reply.headers)
            return
        reply = self.emulator.gateway.handle(path, body)
        if reply.body is None:
            self._reset()
            return
        self._send(reply.status, reply.body, reply.headers)

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path.startswith("/admin/"):
            self._admin("GET", path, b"")
            return
        reply = gateway_error(400)
        self._send(reply.status, reply.body or b"", reply.headers)

    def _admin(self, method: str, path: str, body: bytes) -> None:
        status, answer = handle_admin(self.emulator, method, path, body)
        self._send(
            status, json.dumps(answer, default=str).encode(), {"Content-Type": "application/json"}
        )


POLL_INTERVAL = 0.02  # seconds


def serve(emulator: Emulator, host: str, port: int) -> tuple[ThreadingHTTPServer, threading.Thread]:
    handler = type("BoundHandler", (Handler,), {"emulator": emulator})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    # serve_forever looks at its shutdown flag between waits of poll_interval (0.5 s by
    # default): every stop waited that long, about a minute of make test's 120 emulators.
    thread = threading.Thread(
        target=server.serve_forever, args=(POLL_INTERVAL,), name="intacct-emulator", daemon=True
    )
    thread.start()
    return server, thread


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="intacct-sync emulator", description="Run the local Sage Intacct XML gateway emulator."
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--scale", choices=("small", "medium", "large"), default="small")
    p.add_argument("--bills", type=int, default=None, help="override the number of AP bills")
    p.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds each request takes, building its answer included",
    )
    p.add_argument("--max-in-flight", type=int, default=2)
    p.add_argument(
        "--company-load",
        type=int,
        default=0,
        help="requests in flight other integrations hold (they share --max-in-flight)",
    )
    p.add_argument(
        "--quirk",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a production-behaviour switch, e.g. value_shapes=false or hold_seconds=30",
    )
    p.add_argument("--timezone", default="America/Los_Angeles")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="e.g. http_502@call=5 or result_error@function=query,page=3 (repeatable)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from .emulator import Emulator
    from .faults import Fault

    args = _args(argv)
    try:
        faults = [Fault.parse(spec) for spec in args.fault]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    emu = Emulator(
        seed=args.seed,
        scale=args.scale,
        port=args.port,
        latency=args.latency,
        max_in_flight=args.max_in_flight,
        timezone=args.timezone,
        faults=faults,
        bills=args.bills,
        host=args.host,
        company_load=args.company_load,
    )
    try:
        for item in args.quirk:
            key, _, value = item.partition("=")
            emu.quirks.set(key.strip(), value)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with emu:
        env = {"ENDPOINT_URL": emu.url, **{k.upper(): v for k, v in emu.credentials.items()}}
        for key, value in env.items():
            print(f"export INTACCT_{key}={value}")
        print(f"# emulator ready ({args.scale}, seed {args.seed}); Ctrl-C to stop", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0
