"""Bad input is refused cleanly: a message that says what to fix, a non-zero exit, nothing written.

Settings and credentials go through ``intacct-sync run`` (``cli.execute``), the path a user takes;
the warehouse directory must not even be created. Hostile responses go through the real HTTP
transport against a tiny local server; bad values through the real page builder.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lxml import etree

from intacct_sync.cli import execute
from intacct_sync.config import ConfigError
from intacct_sync.intacct import errors as E
from intacct_sync.intacct.fields import Field, FieldType
from intacct_sync.intacct.gateway import Gateway
from intacct_sync.intacct.records import build_batch
from intacct_sync.secrets import load_secrets
from tests.reliability.support import fast_policy


@pytest.fixture(autouse=True)
def _count_bad_input(request):
    """Each test here tries one bad input; the count travels to the run's summary."""
    request.node.user_properties.append(("reliability:bad inputs tried", 1))


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys, emulator_module):
    """Runs ``intacct-sync run`` with emulator credentials in the environment."""
    for key, value in emulator_module.credentials.items():
        monkeypatch.setenv(f"INTACCT_{key.upper()}", value)
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    warehouse = tmp_path / "wh"

    def run(*args: str, endpoint: str | None = None) -> tuple[int, str]:
        argv = ["run", "--warehouse", str(warehouse), "--no-progress", "--objects", "VENDOR"]
        argv += ["--endpoint-url", endpoint or emulator_module.url, *args]
        code = execute(argv)
        out = capsys.readouterr()
        assert not warehouse.exists(), "a refused run must not create the warehouse"
        return code, out.err + out.out

    return run


SETTINGS_CASES = [
    (["--catalog", "main; DROP TABLE x"], "catalog"),
    (["--schema", "intacct`.`evil"], "schema"),
    (["--schema", "a b"], "schema"),
    (["--schema", "x" * 300], "schema"),
    (["--catalog", "1starts_with_digit"], "catalog"),
    (["--objects", "APBILL;DROP TABLE vendor"], "object name"),
    (["--exclude", "VENDOR' OR '1'='1"], "object name"),
    (["--entity", "E1' OR 1=1 --"], "entity"),
    (["--secret-scope", "scope with spaces/.."], "secret scope"),
    (["--timezone", "Mars/Olympus_Mons"], "time zone"),
    (["--backfill-from", "2024-13-45"], "backfill_from"),
    (["--backfill-from", "yesterday"], "backfill_from"),
    (["--backfill-from", "2999-01-01"], "future"),
    (["--page-size", "0"], "page size"),
    (["--page-size", "-5"], "page size"),
    (["--page-size", "1000000"], "page size"),
    (["--max-in-flight", "0"], "max in flight"),
    (["--max-in-flight", "500"], "max in flight"),
    (["--lookback-hours", "-1"], "lookback"),
    (["--lookback-hours", "-3"], "lookback -3 hours is out of range"),
    (["--warehouse", "/dev/null"], "is not a directory"),
    (["--lag-minutes", "1e9"], "lag"),
]


@pytest.mark.parametrize(
    ("args", "says"), SETTINGS_CASES, ids=[" ".join(a)[:40] for a, _ in SETTINGS_CASES]
)
def test_bad_setting_is_refused_with_exit_2(cli, args, says):
    code, text = cli(*args)
    assert code == 2
    assert "configuration error" in text and says in text


def test_status_with_a_warehouse_that_is_a_file_exits_2(capsys):
    assert execute(["status", "--warehouse", "/dev/null"]) == 2
    err = capsys.readouterr().err
    assert "configuration error" in err and "/dev/null" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://api.intacct.com/ia/xml/xmlgw.phtml",
        "ftp://127.0.0.1/x",
        "http://10.0.0.8/ia/xml/xmlgw.phtml",
        "http://user:hunter2@example.com/x",
        "not a url",
    ],
)
def test_endpoint_that_is_not_https_or_loopback_is_refused(cli, endpoint):
    code, text = cli(endpoint=endpoint)
    assert code == 2 and "https://" in text
    assert "hunter2" not in text  # credentials in a URL are never echoed


def _config(tmp_path, text: str) -> str:
    path = tmp_path / "settings.yml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("schema: x\nshcema: typo\n", "unknown settings: shcema"),
        ("schema: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "mapping"),
        ("page_size: lots\n", "page_size"),
    ],
)
def test_bad_config_file_is_refused(cli, tmp_path, text, says):
    code, out = cli("--config", _config(tmp_path, text))
    assert code == 2 and says in out


def test_missing_config_file_is_refused(cli, tmp_path):
    code, out = cli("--config", str(tmp_path / "nope.yml"))
    assert code == 2 and "cannot read the config file" in out


def test_bad_boolean_in_environment_is_refused(cli, monkeypatch):
    monkeypatch.setenv("INTACCT_SYNC_FULL_REFRESH", "maybe")
    code, out = cli()
    assert code == 2 and "full_refresh" in out


def test_missing_credentials_name_the_variables(cli, monkeypatch):
    monkeypatch.delenv("INTACCT_USER_PASSWORD")
    code, out = cli()
    assert code == 2 and "INTACCT_USER_PASSWORD" in out


# --- credentials the emulator refuses (the login happens before Spark starts) ----------------


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("INTACCT_SENDER_PASSWORD", "wrong-sender", "sender"),
        ("INTACCT_USER_PASSWORD", "wrong-user", "user"),
        ("INTACCT_COMPANY_ID", "NOSUCHCO", "company"),
        ("INTACCT_USER_ID", "nobody", "user"),
        ("INTACCT_SENDER_ID", "stranger", "sender"),
    ],
)
def test_wrong_credentials_fail_the_login_with_exit_2(cli, monkeypatch, variable, value, says):
    monkeypatch.setenv(variable, value)
    code, out = cli()
    assert code == 2 and "refused the login" in out and says in out.lower()
    assert value not in out or variable.endswith("_ID")  # a password is never echoed


def test_sender_not_authorized_for_the_company(cli, emulator_module):
    emulator_module.company.settings.unauthorized_senders.add(
        emulator_module.credentials["sender_id"]
    )
    try:
        code, out = cli()
    finally:
        emulator_module.company.settings.unauthorized_senders.clear()
    assert code == 2 and "authoriz" in out.lower()


def test_expired_demo_company(cli, emulator_module):
    emulator_module.company.settings.demo_expired = True
    try:
        code, out = cli()
    finally:
        emulator_module.company.settings.demo_expired = False
    assert code == 2 and "expired" in out.lower()


def test_unknown_object_name(cli):
    code, out = cli("--objects", "VENDOR,NOTANOBJECT")
    assert code == 2 and "NOTANOBJECT" in out and "choose from" in out


# --- secret scope (Databricks' API cannot run here: a fake fetch stands in) ------------------


def test_missing_secret_scope_says_how_to_add_the_keys():
    with pytest.raises(ConfigError, match=r"secret scope 'nightly'.*put-secret nightly"):
        load_secrets("nightly", env={}, fetch=lambda scope, key: None)


def test_secret_scope_missing_one_key_names_it():
    values = {"sender-id": "s", "sender-password": "p", "company-id": "c", "user-id": "u"}
    with pytest.raises(ConfigError, match="user-password"):
        load_secrets("intacct", env={}, fetch=lambda scope, key: values.get(key))


# --- hostile responses through the real transport -------------------------------------------


class _Canned(BaseHTTPRequestHandler):
    body = b""
    declared: int | None = None

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        if self.declared is not None:
            self.send_header("Content-Length", str(self.declared))
            self.end_headers()
            self.wfile.write(self.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = self.body
        for _ in range(max(1, self.repeat)):
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    repeat = 1

    def log_message(self, *args):
        return


@pytest.fixture
def canned():
    servers = []

    def serve(body: bytes, *, declared: int | None = None, repeat: int = 1) -> str:
        handler = type("H", (_Canned,), {"body": body, "declared": declared, "repeat": repeat})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/ia/xml/xmlgw.phtml"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _post(url: str, max_bytes: int = 256 * 1024 * 1024):
    gateway = Gateway(
        retry=fast_policy(max_attempts=2), max_response_bytes=max_bytes, timeout=(2.0, 10.0)
    )
    try:
        return gateway.post(url, b"<request/>", functions=["query"], sent_session=True)
    finally:
        gateway.close()


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<response><control><status>&lol3;</status></control></response>"
)
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<response><control><status>&x;</status></control></response>"""


@pytest.mark.parametrize(("body", "name"), [(BOMB, "xml bomb"), (XXE, "external entity")])
def test_entity_tricks_are_refused_not_expanded(canned, body, name):
    with pytest.raises(E.UnsafeResponse) as caught:
        _post(canned(body))
    assert "root:" not in str(caught.value)


def test_response_declared_at_several_hundred_mb_is_refused_before_reading(canned):
    url = canned(b"<response/>", declared=400 * 1024 * 1024)
    with pytest.raises(E.UnsafeResponse, match="exceeds"):
        _post(url)


def test_streamed_response_past_the_limit_is_cut_off(canned):
    url = canned(b"<x>" + b"a" * 65536 + b"</x>", repeat=64)  # 4 MB, no Content-Length
    with pytest.raises(E.UnsafeResponse, match="lower the page size"):
        _post(url, max_bytes=1024 * 1024)


def test_invalid_utf8_is_a_clear_error(canned):
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b"<response><control><status>\xff\xfe bad</status></control></response>"
    )
    with pytest.raises(E.IntacctError) as caught:
        _post(canned(body))
    assert str(caught.value)


# --- values that do not fit their declared type (the real page builder) --------------------


def _records(xml: str):
    return list(etree.fromstring(f"<data>{xml}</data>"))


@pytest.mark.parametrize(
    ("field", "text"),
    [
        (Field("RECORDNO", FieldType.INTEGER), "12abc"),
        (Field("TOTALDUE", FieldType.CURRENCY), "12,34.5.6"),
        (Field("TOTALDUE", FieldType.CURRENCY), "1" * 40 + ".5"),  # more digits than decimal(38,10)
        (Field("WHENDUE", FieldType.DATE), "31/31/2024"),
        (Field("ONHOLD", FieldType.BOOLEAN), "perhaps"),
    ],
    ids=["integer", "money text", "money too many digits", "date", "boolean"],
)
def test_value_that_does_not_fit_its_type_fails_the_page(field, text):
    records = _records(f"<vendor><{field.name}>{text}</{field.name}></vendor>")
    with pytest.raises(E.InvalidValue) as caught:
        build_batch(records, [field], tz="UTC", object_name="VENDOR")
    assert "VENDOR" in str(caught.value) and field.name in str(caught.value)
