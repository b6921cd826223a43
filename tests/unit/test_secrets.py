"""Credentials come from the secret scope on Databricks, the environment locally, never shown.

Inside a job the runtime's dbutils reads the scope; that object exists only on Databricks, so a
fake stands in for it, raising what the runtime raises. The REST route is the real
databricks-sdk talking to a stand-in workspace on 127.0.0.1 (tests/support/fake_databricks.py).
"""

import base64
import logging
import sys
import types

import pytest

from intacct_sync.config import ConfigError
from intacct_sync.secrets import (
    KEYS,
    Secret,
    dbutils_fetch,
    load_secrets,
    refusal,
    rest_fetch,
)
from tests.support.fake_databricks import FakeDatabricks, Workspace

ENV = {
    "INTACCT_SENDER_ID": "snd",
    "INTACCT_SENDER_PASSWORD": "canary-sender-pw",
    "INTACCT_COMPANY_ID": "co",
    "INTACCT_USER_ID": "usr",
    "INTACCT_USER_PASSWORD": "canary-user-pw",
}
CANARY = "canary-scope-9c2f41"  # noqa: S105 - planted to be searched for
SCOPE = {("intacct", key): f"{CANARY}-{key}" for key in KEYS}
PAT = "pat-canary-5e1d"  # noqa: S105 - the stand-in workspace's token


def _no_leak(*texts: str) -> None:
    encoded = base64.b64encode(f"{CANARY}-sender-password".encode()).decode()
    for text in texts:
        assert CANARY not in text and encoded not in text and PAT not in text, text


@pytest.fixture(autouse=True)
def _no_databricks_env(monkeypatch, tmp_path):
    """databricks-sdk reads DATABRICKS_* and ~/.databrickscfg: a developer's must not leak in."""
    import os

    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_", "AZURE_", "GOOGLE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no.databrickscfg"))


def test_environment_credentials_are_wrapped_and_never_shown(caplog):
    s = load_secrets("intacct", env=ENV)
    assert s.sender_password.reveal() == "canary-sender-pw"
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("t").info("loaded %s %r", s, s)
    for text in (repr(s), str(s), f"{s.user_password}", caplog.text):
        assert "canary" not in text


def test_missing_environment_credentials_name_the_variables_not_values():
    env = dict(ENV)
    del env["INTACCT_USER_PASSWORD"]
    with pytest.raises(ConfigError, match="INTACCT_USER_PASSWORD") as info:
        load_secrets("intacct", env=env)
    assert "canary" not in str(info.value)


def test_secret_scope_is_read_key_by_key():
    store = {("intacct", k): f"value-{k}" for k in KEYS}
    s = load_secrets("intacct", env={}, fetch=lambda scope, key: store.get((scope, key)))
    assert s.company_id.reveal() == "value-company-id"
    assert s.source == "secret scope 'intacct'"


def test_missing_scope_keys_say_how_to_add_them():
    with pytest.raises(ConfigError, match=r"lacks the keys .*user-password.*put-secret"):
        load_secrets(
            "intacct", env={}, fetch=lambda scope, key: None if key == "user-password" else "x"
        )


def test_secret_cannot_be_pickled():
    import pickle

    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))


# --- inside a job: the runtime's dbutils ---------------------------------------------------------


class IllegalArgumentException(Exception):
    """What the runtime's dbutils raises (its Py4J wrapper keeps the Java name)."""


class _Scope:
    def __init__(self, name: str):
        self.name = name


class FakeDbutils:
    """The runtime's dbutils, as far as secrets go: decoded strings, its own exceptions."""

    def __init__(self, store, denied: bool = False):
        self.store, self.denied, self.calls = store, denied, []
        self.secrets = self

    def get(self, scope: str, key: str) -> str:
        self.calls.append((scope, key))
        if self.denied:
            raise IllegalArgumentException(
                f"PERMISSION_DENIED: User does not have READ permission on scope {scope}"
            )
        if (scope, key) not in self.store:
            raise IllegalArgumentException(
                f"Secret does not exist with scope: {scope} and key: {key}"
            )
        return self.store[(scope, key)]

    def listScopes(self):  # noqa: N802 - dbutils' own name
        return [_Scope(name) for name in sorted({s for s, _ in self.store})]


@pytest.fixture
def runtime(monkeypatch):
    """A Databricks runtime as databricks-sdk detects one: ``dbruntime`` imports, and its user
    namespace holds dbutils. WorkspaceClient().dbutils must then hand back that very object."""
    holder = {}

    class UserNamespaceInitializer:
        @staticmethod
        def getOrCreate():  # noqa: N802 - the runtime's name
            return UserNamespaceInitializer()

        def get_namespace_globals(self):
            return {"dbutils": holder["dbutils"]}

    module = types.ModuleType("dbruntime")
    module.UserNamespaceInitializer = UserNamespaceInitializer
    monkeypatch.setitem(sys.modules, "dbruntime", module)
    monkeypatch.delitem(sys.modules, "databricks.sdk.runtime", raising=False)
    with FakeDatabricks(bearer=PAT) as fake:  # WorkspaceClient() resolves its host on creation
        monkeypatch.setenv("DATABRICKS_HOST", fake.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", PAT)

        def install(dbutils):
            holder["dbutils"] = dbutils
            sys.modules.pop("databricks.sdk.runtime", None)  # it binds dbutils on import
            return dbutils

        yield install
        assert "/api/2.0/secrets/get" not in fake.paths()  # never the REST route in a job


def test_on_databricks_the_scope_is_read_through_the_runtimes_dbutils(runtime, caplog):
    dbutils = runtime(FakeDbutils(SCOPE))
    with caplog.at_level(logging.DEBUG):
        s = load_secrets("intacct", env=ENV, on_databricks=True)
    assert s.sender_password.reveal() == f"{CANARY}-sender-password"
    assert s.source == "secret scope 'intacct'"
    assert s.endpoint_url is None  # the optional key is absent: not an error
    assert ("intacct", "user-password") in dbutils.calls
    _no_leak(repr(s), caplog.text)


def test_runtime_permission_denied_names_scope_key_and_the_grant(runtime):
    runtime(FakeDbutils(SCOPE, denied=True))
    with pytest.raises(ConfigError) as info:
        load_secrets("intacct", env={}, on_databricks=True)
    message = str(info.value)
    assert "intacct/sender-id" in message and "put-acl intacct <principal> READ" in message
    _no_leak(message)


def test_runtime_missing_scope_is_told_apart_from_a_missing_key(runtime):
    runtime(FakeDbutils({("other", k): "v" for k in KEYS}))
    with pytest.raises(ConfigError, match=r"secret scope 'intacct' does not exist") as info:
        load_secrets("intacct", env={}, on_databricks=True)
    assert "create-scope intacct" in str(info.value) and "put-acl intacct" in str(info.value)

    without_key = {k: v for k, v in SCOPE.items() if k[1] != "user-id"}
    runtime(FakeDbutils(without_key))
    with pytest.raises(ConfigError, match=r"lacks the keys user-id: .*put-secret intacct"):
        load_secrets("intacct", env={}, on_databricks=True)


def test_an_unrelated_dbutils_failure_is_not_dressed_up_as_configuration():
    def broken(scope, key):
        raise TimeoutError("secret manager timed out")

    reader = dbutils_fetch(types.SimpleNamespace(secrets=types.SimpleNamespace(get=broken)))
    with pytest.raises(TimeoutError):
        reader("intacct", "sender-id")
    assert refusal(TimeoutError("x")) is None


# --- outside a workspace: the REST API through the real databricks-sdk ---------------------------


def _client(fake: FakeDatabricks, token: str = PAT):
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient(host=fake.url, token=token)


def test_rest_reads_every_key_with_a_bearer_token_and_logs_no_value(caplog):
    with FakeDatabricks(Workspace(secrets=dict(SCOPE)), bearer=PAT) as fake:
        with caplog.at_level(logging.DEBUG):  # the SDK logs round trips at DEBUG
            s = load_secrets("intacct", env={}, fetch=rest_fetch(_client(fake)))
        gets = [r for r in fake.workspace.requests if r.path == "/api/2.0/secrets/get"]
    assert s.user_password.reveal() == f"{CANARY}-user-password"
    assert {r.query["key"] for r in gets} == {*KEYS, "endpoint-url"}
    assert all(r.headers["Authorization"] == f"Bearer {PAT}" for r in gets)
    _no_leak(caplog.text, repr(s))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("BAD_REQUEST", r"intacct/sender-id \(REST API\).*BAD_REQUEST.*put-acl intacct"),
        ("PERMISSION_DENIED", r"permission denied reading secret intacct/sender-id.*put-acl"),
    ],
)
def test_rest_refusals_become_configuration_errors(code, expected, caplog):
    from intacct_sync.cli import EXIT_CONFIG
    from intacct_sync.errors import Action, what_to_do

    workspace = Workspace(secrets=dict(SCOPE), refuse_get=code)
    with FakeDatabricks(workspace, bearer=PAT) as fake, caplog.at_level(logging.DEBUG):
        with pytest.raises(ConfigError, match=expected) as info:
            load_secrets("intacct", env={}, fetch=rest_fetch(_client(fake)))
    assert what_to_do(info.value) is Action.CONFIGURE and EXIT_CONFIG == 2
    assert info.value.__cause__ is None and info.value.__suppress_context__
    _no_leak(str(info.value), caplog.text)


def test_rest_with_a_token_the_workspace_refuses_is_unauthenticated():
    with FakeDatabricks(Workspace(secrets=dict(SCOPE)), bearer=PAT) as fake:
        with pytest.raises(ConfigError, match=r"did not accept .*DATABRICKS_CLIENT_SECRET") as info:
            load_secrets("intacct", env={}, fetch=rest_fetch(_client(fake, "wrong")))
    assert "put-acl intacct" in str(info.value)


def test_rest_missing_scope_vs_missing_key():
    with FakeDatabricks(Workspace(secrets={("other", "x"): "y"}), bearer=PAT) as fake:
        with pytest.raises(ConfigError, match="secret scope 'intacct' does not exist"):
            load_secrets("intacct", env={}, fetch=rest_fetch(_client(fake)))
        listed = fake.paths().count("/api/2.0/secrets/scopes/list")
    assert listed == 1  # asked once, only after "does not exist"

    partial = {k: v for k, v in SCOPE.items() if k[1] not in ("user-id", "endpoint-url")}
    with FakeDatabricks(Workspace(secrets=partial), bearer=PAT) as fake:
        with pytest.raises(ConfigError, match=r"lacks the keys user-id:"):
            load_secrets("intacct", env={}, fetch=rest_fetch(_client(fake)))


def test_rest_scope_unknown_when_listing_is_refused_still_names_the_key():
    workspace = Workspace(secrets={("intacct", "sender-id"): "x"}, refuse_list="PERMISSION_DENIED")
    with FakeDatabricks(workspace, bearer=PAT) as fake:
        with pytest.raises(ConfigError, match=r"lacks the keys sender-password"):
            load_secrets("intacct", env={}, fetch=rest_fetch(_client(fake)))


def test_a_secret_that_is_not_text_is_refused_without_showing_it():
    class Response:
        value = base64.b64encode(b"\xff\xfe" + CANARY.encode()).decode()

    workspace = types.SimpleNamespace(
        secrets=types.SimpleNamespace(get_secret=lambda scope, key: Response(), list_scopes=list)
    )
    with pytest.raises(ConfigError, match="not UTF-8 text") as info:
        rest_fetch(workspace)("intacct", "sender-password")
    _no_leak(str(info.value))


def test_outside_a_workspace_the_environment_wins_and_rest_is_the_fallback():
    with FakeDatabricks(Workspace(secrets=dict(SCOPE)), bearer=PAT) as fake:
        made = []

        def workspace():
            made.append(1)
            return _client(fake)

        from_env = load_secrets("intacct", env=ENV, workspace=workspace)
        assert from_env.source == "environment" and not made
        from_scope = load_secrets("intacct", env={"INTACCT_SENDER_ID": "x"}, workspace=workspace)
    assert from_scope.source == "secret scope 'intacct'" and made == [1]
    assert from_scope.sender_id.reveal() == f"{CANARY}-sender-id"
