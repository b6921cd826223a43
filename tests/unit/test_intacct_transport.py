"""A scripted requests adapter: the real client code runs, answers come from a list."""

from __future__ import annotations

import io
from collections.abc import Callable

import requests
from requests.adapters import BaseAdapter

Answer = tuple[int, bytes] | tuple[int, bytes, dict] | Exception


class ScriptedAdapter(BaseAdapter):
    def __init__(self, answers: list[Answer | Callable[[requests.PreparedRequest], Answer]]):
        super().__init__()
        self.answers = list(answers)
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
        self.requests.append(request)
        self.kwargs = kwargs
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if callable(answer) and not isinstance(answer, Exception):
            answer = answer(request)
        if isinstance(answer, Exception):
            raise answer
        status, body, *rest = answer
        resp = requests.Response()
        resp.status_code = status
        resp.headers.update(rest[0] if rest else {})
        resp.raw = io.BytesIO(body)
        resp.url = request.url
        resp.request = request
        return resp

    def close(self) -> None:
        pass


def session_with(adapter: ScriptedAdapter) -> requests.Session:
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def ok(
    result: str,
    *,
    timeout: str = "2030-01-01T12:00:00+00:00",
    stamp: str = "2030-01-01T00:00:00+00:00",
) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?><response><control><status>success</status>"
        "</control><operation><authentication><status>success</status>"
        f"<sessiontimestamp>{stamp}</sessiontimestamp><sessiontimeout>{timeout}</sessiontimeout>"
        f"</authentication>{result}</operation></response>"
    ).encode()


def session_answer(
    sessionid: str = "SESSION-1..",
    endpoint: str = "https://api.example.test/ia/xml/xmlgw.phtml",
    **kw: str,
) -> bytes:
    return ok(
        "<result><status>success</status><function>getAPISession</function><controlid>x"
        f"</controlid><data><api><sessionid>{sessionid}</sessionid><endpoint>{endpoint}"
        "</endpoint><locationid></locationid></api></data></result>",
        **kw,
    )


def lookup_answer() -> bytes:
    return ok(
        "<result><status>success</status><function>lookup</function><controlid>x</controlid>"
        "<data><Type Name='X'><Fields><Field><ID>RECORDNO</ID><DATATYPE>INTEGER</DATATYPE>"
        "<ISCUSTOM>false</ISCUSTOM></Field><Field><ID>MY_FIELD</ID><DATATYPE>CURRENCY</DATATYPE>"
        "<ISCUSTOM>true</ISCUSTOM></Field></Fields></Type></data></result>"
    )
