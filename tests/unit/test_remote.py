"""Runs outside a workspace: which Spark session a run opens, and how it authenticates.

No network beyond 127.0.0.1: Databricks Connect's builder is a fake where databricks-connect is
not installed (it is not, in the project's own venv), while the OAuth M2M part is the real
databricks-sdk against a stand-in workspace (tests/support/fake_databricks.py) serving the host
metadata, OIDC discovery and token endpoints.
"""

from __future__ import annotations

import base64
import importlib.util
import logging
import os

import pytest

from intacct_sync.cli import EXIT_CONFIG, execute
from intacct_sync.config import ConfigError, load_settings
from intacct_sync.runner import open_spark
from tests.support.fake_databricks import FakeDatabricks, Workspace

HAS_CONNECT = importlib.util.find_spec("databricks.connect") is not None


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "SPARK_REMOTE", "INTACCT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no.databrickscfg"))


def oauth_env(fake: FakeDatabricks, **extra: str) -> dict[str, str]:
    ws = fake.workspace
    return {
        "DATABRICKS_HOST": fake.url,
        "DATABRICKS_CLIENT_ID": ws.client_id,
        "DATABRICKS_CLIENT_SECRET": ws.client_secret,
        **extra,
    }


class NoJvmSession:
    """A Connect session: there is no sparkContext, and touching it is a bug."""

    def __init__(self, kind: str):
        self.kind = kind

    @property
    def sparkContext(self):  # noqa: N802 - PySpark's name
        raise AssertionError("a Spark Connect session has no sparkContext / JVM")


class FakeBuilder:
    """Records what the session was built with (DatabricksSession.builder or SparkSession's)."""

    def __init__(self):
        self.config = self.url = self.app = None

    def sdkConfig(self, config):  # noqa: N802 - databricks-connect's name
        self.config = config
        return self

    def remote(self, url):
        self.url = url
        return self

    def appName(self, name):  # noqa: N802 - PySpark's name
        self.app = name
        return self

    def getOrCreate(self):  # noqa: N802 - PySpark's name
        return NoJvmSession("databricks" if self.config is not None else "connect")


# --- the choice ---------------------------------------------------------------------------------


def test_without_flags_a_run_is_local_with_two_part_names_and_parquet_staging():
    s = load_settings(env={})
    assert s.spark_mode == "local"
    assert s.table_names().qualified("vendor") == "`intacct`.`vendor`"
    assert s.writer_options("VENDOR").transfer == "parquet"


def test_databricks_flag_means_databricks_connect_three_part_names_and_arrow_staging(caplog):
    s = load_settings(
        {"databricks": True, "staging_volume": "/Volumes/main/intacct_staging/staging"}, env={}
    )
    assert s.spark_mode == "databricks-connect"
    assert s.table_names().qualified("vendor") == "`main`.`intacct`.`vendor`"
    assert s.table_names(staging=True).qualified("x") == "`main`.`intacct_staging`.`x`"
    options = s.writer_options("VENDOR")
    # /Volumes is a local path only inside a workspace: from here Spark gets Arrow batches.
    assert options.transfer == "arrow" and options.staging_dir is None
    assert options.staging_schema == "intacct_staging"
    assert s.databricks_cluster is None  # serverless


def test_inside_a_job_the_runtime_session_wins_over_every_flag():
    s = load_settings({"databricks": True}, env={"DATABRICKS_RUNTIME_VERSION": "client.4.9"})
    assert s.spark_mode == "databricks-runtime"
    volume = s.with_overrides(staging_volume="/Volumes/main/intacct_staging/staging")
    options = volume.writer_options("VENDOR")
    assert options.transfer == "parquet" and options.staging_dir == volume.staging_volume


def test_spark_remote_from_the_environment_or_the_flag_means_spark_connect():
    from_env = load_settings(env={"SPARK_REMOTE": "sc://localhost:15002"})
    assert from_env.spark_mode == "spark-connect"
    assert from_env.spark_remote == "sc://localhost:15002"
    flag = load_settings({"remote": "sc://spark.internal:443/;use_ssl=true"}, env={})
    assert flag.spark_mode == "spark-connect"
    assert flag.table_names().qualified("vendor") == "`intacct`.`vendor`"  # one catalog
    assert flag.writer_options("VENDOR").transfer == "arrow"  # the server cannot read our disk


def test_cluster_id_from_flag_or_environment():
    env = {"DATABRICKS_CLUSTER_ID": "0123-456789-abcdefgh"}
    assert (
        load_settings({"databricks": True}, env=env).databricks_cluster
        == env["DATABRICKS_CLUSTER_ID"]
    )
    flag = load_settings({"databricks": True, "cluster_id": "0999-000000-zzzzzzzz"}, env=env)
    assert flag.databricks_cluster == "0999-000000-zzzzzzzz"
    # a DATABRICKS_CLUSTER_ID left in the shell does not turn a local run remote
    assert load_settings(env=env).spark_mode == "local"


@pytest.mark.parametrize(
    ("flags", "env", "match"),
    [
        ({"cluster_id": "0123-456789-abcdefgh"}, {}, "--cluster-id is for runs through"),
        ({"databricks": True, "remote": "sc://h:1"}, {}, "keep one"),
        ({"databricks": True, "cluster_id": "bad id!"}, {}, "not a Databricks cluster ID"),
        ({"remote": "http://h:1/;token=canary-tok"}, {}, r"must look like sc://host:port"),
        ({}, {"SPARK_REMOTE": "h:15002;token=canary-tok"}, r"must look like sc://host:port"),
    ],
)
def test_contradictory_or_malformed_targets_are_refused(flags, env, match):
    with pytest.raises(ConfigError, match=match) as info:
        load_settings(flags, env=env)
    assert "canary-tok" not in str(info.value)


def test_a_token_in_the_spark_connect_url_stays_out_of_reprs():
    s = load_settings({"remote": "sc://h:443/;token=canary-tok"}, env={})
    assert "canary-tok" not in repr(s) and "canary-tok" not in repr(s.environment)


def test_cli_flags_reach_the_settings():
    from intacct_sync.cli import _flags, build_parser

    for command in ("run", "status", "check"):
        args = build_parser().parse_args(
            [command, "--databricks", "--cluster-id", "0123-456789-abcdefgh",
             "--staging-schema", "intacct_stage", "--staging-volume", "/Volumes/main/s/v"]
        )  # fmt: skip
        s = load_settings(_flags(args), env={})
        assert (s.databricks, s.databricks_cluster) == (True, "0123-456789-abcdefgh")
        assert (s.staging, s.staging_volume) == ("intacct_stage", "/Volumes/main/s/v")
    remote = build_parser().parse_args(["run", "--remote", "sc://localhost:15002"])
    assert load_settings(_flags(remote), env={}).spark_remote == "sc://localhost:15002"


# --- the sessions -------------------------------------------------------------------------------


def test_spark_connect_session_is_built_from_the_url_and_never_touches_the_jvm(caplog):
    s = load_settings(env={"SPARK_REMOTE": "sc://localhost:15002/;token=canary-tok"})
    builder = FakeBuilder()
    with caplog.at_level(logging.DEBUG):
        session = open_spark(s, builder=builder)
    assert isinstance(session, NoJvmSession) and session.kind == "connect"
    assert builder.url == "sc://localhost:15002/;token=canary-tok"
    assert "canary-tok" not in caplog.text


def test_local_and_runtime_sessions_still_go_through_get_spark(monkeypatch):
    import intacct_sync.lake.spark as spark_module

    calls = []
    monkeypatch.setattr(spark_module, "get_spark", lambda *a, **k: calls.append(k) or "session")
    assert open_spark(load_settings(env={})) == "session"
    assert open_spark(load_settings(env={"DATABRICKS_RUNTIME_VERSION": "16.4"})) == "session"
    assert [c["databricks"] for c in calls] == [False, True]


def test_databricks_connect_session_authenticates_as_the_service_principal(caplog):
    with FakeDatabricks() as fake:
        ws = fake.workspace
        s = load_settings({"databricks": True}, env=oauth_env(fake))
        builder = FakeBuilder()
        with caplog.at_level(logging.DEBUG):
            session = open_spark(s, builder=builder)
        config = builder.config
        token_calls = [r for r in ws.requests if r.path == "/oidc/v1/token"]
        headers = config.authenticate()
    assert session.kind == "databricks"
    assert config.host == fake.url and config.client_id == ws.client_id
    assert config.auth_type == "oauth-m2m"
    assert config.serverless_compute_id == "auto" and not config.cluster_id  # serverless
    assert headers["Authorization"] == f"Bearer {ws.token}"
    (call,) = token_calls  # one token, fetched up front, reused
    basic = base64.b64encode(f"{ws.client_id}:{ws.client_secret}".encode()).decode()
    assert call.headers["Authorization"] == f"Basic {basic}"
    assert call.form["grant_type"] == "client_credentials" and call.form["scope"] == "all-apis"
    assert ws.client_secret not in caplog.text and ws.client_secret not in repr(s)


def test_databricks_connect_on_a_cluster(monkeypatch):
    with FakeDatabricks() as fake:
        env = oauth_env(fake, DATABRICKS_CLUSTER_ID="0123-456789-abcdefgh")
        builder = FakeBuilder()
        open_spark(load_settings({"databricks": True}, env=env), builder=builder)
    assert builder.config.cluster_id == "0123-456789-abcdefgh"
    assert not builder.config.serverless_compute_id


def test_a_wrong_client_secret_fails_clearly_without_echoing_it():
    with FakeDatabricks() as fake:
        env = oauth_env(fake, DATABRICKS_CLIENT_SECRET="canary-wrong-secret")  # noqa: S106
        with pytest.raises(ConfigError, match=r"did not accept the service principal") as info:
            open_spark(load_settings({"databricks": True}, env=env), builder=FakeBuilder())
    assert "canary-wrong-secret" not in str(info.value)
    assert "DATABRICKS_CLIENT_SECRET" in str(info.value)


def test_the_scope_is_read_over_rest_with_the_m2m_token():
    from intacct_sync.remote import workspace_client
    from intacct_sync.secrets import KEYS, load_secrets, rest_fetch

    secrets = {("intacct", k): f"v-{k}" for k in KEYS}
    with FakeDatabricks(Workspace(secrets=secrets)) as fake:
        s = load_settings({"databricks": True}, env=oauth_env(fake))
        creds = load_secrets("intacct", env={}, fetch=rest_fetch(workspace_client(s)))
        gets = [r for r in fake.workspace.requests if r.path == "/api/2.0/secrets/get"]
    assert creds.user_id.reveal() == "v-user-id"
    assert gets and all(r.headers["Authorization"] == "Bearer tok-m2m-1" for r in gets)


def test_make_client_outside_a_workspace_reads_the_scope_when_the_environment_lacks_it():
    from intacct_sync.runner import make_client
    from intacct_sync.secrets import KEYS

    secrets = {("intacct", k): f"v-{k}" for k in KEYS}
    with FakeDatabricks(Workspace(secrets=secrets)) as fake:
        s = load_settings({"databricks": True}, env=oauth_env(fake))
        client = make_client(s)
        client.close()
        assert "/api/2.0/secrets/get" in fake.paths()


# --- exit 2 when something is missing ------------------------------------------------------------


def test_missing_variables_exit_2_naming_them(monkeypatch, capsys):
    monkeypatch.setenv("DATABRICKS_HOST", "https://example.cloud.databricks.com")
    assert execute(["run", "--databricks", "--no-progress"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "DATABRICKS_CLIENT_ID" in err and "DATABRICKS_CLIENT_SECRET" in err
    assert "DATABRICKS_HOST" not in err  # the one that is set is not asked for


@pytest.mark.skipif(HAS_CONNECT, reason="databricks-connect is installed here")
def test_without_databricks_connect_exit_2_before_intacct_is_called(monkeypatch, capsys):
    with FakeDatabricks() as fake:
        for name, value in oauth_env(fake).items():
            monkeypatch.setenv(name, value)
        # No Intacct credentials either: the Spark target is checked first, in no time.
        assert execute(["run", "--databricks", "--no-progress"]) == EXIT_CONFIG
        assert not fake.paths()  # nothing was asked of the workspace yet
    err = capsys.readouterr().err
    assert "databricks-connect" in err and "'.[remote]'" in err and "own pyspark" in err


@pytest.mark.skipif(HAS_CONNECT, reason="databricks-connect is installed here")
def test_databricks_session_without_the_package_and_a_real_builder_is_a_config_error():
    with FakeDatabricks() as fake:
        s = load_settings({"databricks": True}, env=oauth_env(fake))
        with pytest.raises(ConfigError, match="remote"):
            open_spark(s)


def test_side_by_side_with_pyspark_is_refused(monkeypatch):
    import importlib.metadata

    from intacct_sync import remote

    versions = {"databricks-connect": "16.1.7", "pyspark": "4.2.0"}

    def version(name):
        if name not in versions:
            raise importlib.metadata.PackageNotFoundError(name)
        return versions[name]

    monkeypatch.setattr(remote.importlib.metadata, "version", version)
    with pytest.raises(ConfigError, match=r"side by side.*own pyspark"):
        remote.databricks_builder()


# --- the real databricks-connect (only in the `remote` venv: make remote-check) ------------------


@pytest.mark.skipif(not HAS_CONNECT, reason="databricks-connect is not installed here")
@pytest.mark.parametrize("cluster", [None, "0123-456789-abcdefgh"])
def test_the_real_databricks_session_builder_takes_our_config(cluster):
    from intacct_sync.remote import databricks_builder

    with FakeDatabricks() as fake:
        extra = {"DATABRICKS_CLUSTER_ID": cluster} if cluster else {}
        s = load_settings({"databricks": True}, env=oauth_env(fake, **extra))
        # validateSession(False): no query at creation (serverless would run one); the
        # session itself only connects when first used, so this needs no Spark server.
        session = open_spark(s, builder=databricks_builder().validateSession(False))
        channel = session.client._builder  # databricks.connect's channel builder
        headers = channel._config.authenticate()
    assert channel._config.auth_type == "oauth-m2m" and channel._config.host == fake.url
    assert headers["Authorization"] == f"Bearer {fake.workspace.token}"
    if cluster:
        assert channel._config.cluster_id == cluster
        assert "x-databricks-session-id" not in channel._params
    else:
        assert channel._config.serverless_compute_id == "auto"
        assert "x-databricks-session-id" in channel._params  # serverless: a session of its own


class _ServerlessConf:
    """A serverless session's settings: most cannot be read (CONFIG_NOT_AVAILABLE)."""

    def get(self, key, default=None):
        raise RuntimeError(f"[CONFIG_NOT_AVAILABLE] Configuration {key} is not available.")


class _ServerlessSession:
    conf = _ServerlessConf()


def test_a_session_whose_settings_cannot_be_read_is_taken_as_generating_code():
    # create_table asks before choosing file statistics; serverless must not fail the create.
    from intacct_sync.lake.spark import interpreted

    assert interpreted(_ServerlessSession()) is False
