"""A tiny stand-in for a Databricks workspace's REST endpoints, on 127.0.0.1.

Enough of the workspace for the real databricks-sdk to talk to it unchanged: the host
metadata (``/.well-known/databricks-config``), the OIDC discovery document and token endpoint
(OAuth M2M: client credentials in a Basic header, a Bearer token back),
``GET /api/2.0/secrets/get`` and ``GET /api/2.0/secrets/scopes/list``. Errors come back
the way Databricks sends them: an HTTP status and ``{"error_code": ..., "message": ...}``.

Every request is recorded (method, path, query, headers, form), so tests can prove what the SDK
sent, for instance the ``Authorization: Bearer`` header.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

# Databricks' answers, status and body, as the secrets API sends them.
ERRORS: dict[str, tuple[int, str]] = {
    "BAD_REQUEST": (400, "Cannot get secret value: this API is only callable through DBUtils."),
    "UNAUTHENTICATED": (401, "Credential was not sent or was of an unsupported type."),
    "PERMISSION_DENIED": (403, "User does not have READ permission on scope {scope}."),
    "RESOURCE_DOES_NOT_EXIST": (404, "Secret does not exist with scope: {scope} and key: {key}"),
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)


@dataclass
class Workspace:
    """What the fake workspace holds and how it answers."""

    secrets: dict[tuple[str, str], str] = field(default_factory=dict)
    client_id: str = "sp-app-id"
    client_secret: str = "sp-oauth-secret"  # noqa: S105 - a test's own fake credential
    token: str = "tok-m2m-1"  # noqa: S105 - what the token endpoint hands out
    refuse_get: str | None = None  # an ERRORS code every secrets/get answers with
    refuse_list: str | None = None  # the same for scopes/list
    requests: list[Request] = field(default_factory=list)
    tokens_issued: int = 0

    @property
    def scopes(self) -> list[str]:
        return sorted({scope for scope, _ in self.secrets})


class FakeDatabricks:
    """``with FakeDatabricks(Workspace(...)) as fake: fake.url`` -> ``http://127.0.0.1:<port>``."""

    def __init__(self, workspace: Workspace | None = None, *, bearer: str | None = None):
        self.workspace = workspace or Workspace()
        self.bearer = bearer  # a PAT the API also accepts (tests that skip OAuth)
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeDatabricks:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def paths(self) -> list[str]:
        return [r.path for r in self.workspace.requests]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeDatabricks

    def log_message(self, *args: Any) -> None:  # keep test output clean
        return

    def _record(self, form: dict[str, str] | None = None) -> Request:
        parsed = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        request = Request(self.command, parsed.path, query, dict(self.headers.items()), form or {})
        self.fake.workspace.requests.append(request)
        return request

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, code: str, **names: str) -> None:
        status, message = ERRORS[code]
        self._send(status, {"error_code": code, "message": message.format(**names)})

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        request = self._record()
        ws = self.fake.workspace
        if request.path == "/.well-known/databricks-config":  # host metadata (newer SDKs)
            self._send(200, {"oidc_endpoint": f"{self.fake.url}/oidc", "workspace_id": "1234"})
            return
        if request.path == "/oidc/.well-known/oauth-authorization-server":
            self._send(
                200,
                {
                    "issuer": f"{self.fake.url}/oidc",
                    "authorization_endpoint": f"{self.fake.url}/oidc/v1/authorize",
                    "token_endpoint": f"{self.fake.url}/oidc/v1/token",
                },
            )
            return
        if not request.path.startswith("/api/"):
            self._send(404, {"error_code": "NOT_FOUND", "message": "no such endpoint"})
            return
        accepted = {f"Bearer {ws.token}"} | (
            {f"Bearer {self.fake.bearer}"} if self.fake.bearer else set()
        )
        if request.headers.get("Authorization") not in accepted:
            self._error("UNAUTHENTICATED")
            return
        if request.path == "/api/2.0/secrets/scopes/list":
            if ws.refuse_list:
                self._error(ws.refuse_list, scope="", key="")
                return
            self._send(
                200, {"scopes": [{"name": s, "backend_type": "DATABRICKS"} for s in ws.scopes]}
            )
            return
        if request.path == "/api/2.0/secrets/get":
            scope, key = request.query.get("scope", ""), request.query.get("key", "")
            if ws.refuse_get:
                self._error(ws.refuse_get, scope=scope, key=key)
                return
            if (scope, key) not in ws.secrets:
                self._error("RESOURCE_DOES_NOT_EXIST", scope=scope, key=key)
                return
            value = base64.b64encode(ws.secrets[(scope, key)].encode()).decode()
            self._send(200, {"key": key, "value": value})
            return
        self._send(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "no such endpoint"})

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        request = self._record(form)
        ws = self.fake.workspace
        if request.path != "/oidc/v1/token":
            self._send(404, {"error_code": "ENDPOINT_NOT_FOUND", "message": "no such endpoint"})
            return
        expected = base64.b64encode(f"{ws.client_id}:{ws.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            self._send(401, {"error": "invalid_client", "error_description": "bad client secret"})
            return
        if form.get("grant_type") != "client_credentials":
            self._send(400, {"error": "unsupported_grant_type"})
            return
        ws.tokens_issued += 1
        self._send(
            200,
            {
                "access_token": ws.token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": "all-apis",
            },
        )
