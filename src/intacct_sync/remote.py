"""Spark for runs outside a Databricks workspace.

* **Databricks Connect** (``--databricks``): a Spark Connect session on serverless compute (the
  default) or on a cluster (``--cluster-id``, else ``$DATABRICKS_CLUSTER_ID``), as an OAuth
  service principal (M2M): ``DATABRICKS_HOST``, ``DATABRICKS_CLIENT_ID`` and
  ``DATABRICKS_CLIENT_SECRET``. databricks-sdk fetches the token and refreshes it before it
  expires; the first one is fetched here, so a bad secret fails in seconds, with exit 2.
  databricks-connect is the optional extra ``remote`` (it ships its own pyspark, so it lives in
  a venv of its own, never beside the ``local`` extra).
* **Spark Connect** (``--remote sc://host:port``, else ``$SPARK_REMOTE``, PySpark's own
  convention): ``SparkSession.builder.remote(url)``. Nothing here touches ``sparkContext`` or a
  JVM: a Connect session has neither.

Both are plain functions of the settings; the builders can be passed in, so the choice and the
construction are tested without a network or databricks-connect.
"""

from __future__ import annotations

import importlib.metadata
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from intacct_sync.config import ConfigError, Settings, safe_remote
from intacct_sync.intacct.gateway import is_loopback
from intacct_sync.intacct.session import Secret

log = logging.getLogger(__name__)

REQUIRED = {  # variable -> what it holds
    "DATABRICKS_HOST": "the workspace URL",
    "DATABRICKS_CLIENT_ID": "the service principal's application ID",
    "DATABRICKS_CLIENT_SECRET": "an OAuth secret generated for it",
}

NOT_INSTALLED = (
    "--databricks needs databricks-connect, which is not installed here. Install intacct-sync "
    "with its `remote` extra in a venv of its own: python3 -m venv .venv-remote && "
    ".venv-remote/bin/pip install -c constraints.txt '.[remote]' (databricks-connect ships its "
    "own pyspark, so never beside the `local` extra)."
)


@dataclass(frozen=True)
class DatabricksTarget:
    """Where and as whom a Databricks Connect session runs, read from the settings."""

    host: str
    client_id: str
    client_secret: Secret = field(repr=False)
    cluster_id: str | None = None  # None: serverless

    @classmethod
    def from_settings(cls, settings: Settings) -> DatabricksTarget:
        variables = settings.environment.databricks
        missing = [name for name in REQUIRED if not variables.get(name)]
        if missing:
            wanted = ", ".join(f"{name} ({REQUIRED[name]})" for name in missing)
            raise ConfigError(
                f"--databricks runs as an OAuth service principal: set {wanted}; see 'Running "
                "from outside a workspace' in the README."
            )
        host = variables["DATABRICKS_HOST"].rstrip("/")
        if not host.startswith(("https://", "http://")):
            host = f"https://{host}"  # the CLI and the SDK accept a bare host name too
        if host.startswith("http://") and not is_loopback(urlparse(host).hostname or ""):
            raise ConfigError(
                f"DATABRICKS_HOST {host!r} must be https:// (plain http only for a loopback "
                "address, such as a test's stand-in)."
            )
        return cls(
            host=host,
            client_id=variables["DATABRICKS_CLIENT_ID"],
            client_secret=Secret(variables["DATABRICKS_CLIENT_SECRET"]),
            cluster_id=settings.databricks_cluster,
        )

    @property
    def compute(self) -> str:
        return f"cluster {self.cluster_id}" if self.cluster_id else "serverless compute"

    def sdk_config(self, **overrides: Any) -> Any:
        """A databricks-sdk ``Config`` for OAuth M2M, authenticated once (a token fetched)."""
        from databricks.sdk.core import Config  # lazy: only for --databricks runs

        where: dict[str, str] = (
            {"cluster_id": self.cluster_id}
            if self.cluster_id
            else {"serverless_compute_id": "auto"}  # Databricks Connect's word for serverless
        )
        try:
            config = Config(
                host=self.host,
                client_id=self.client_id,
                client_secret=self.client_secret.reveal(),
                auth_type="oauth-m2m",  # only this: no profile or PAT from the shell sneaks in
                **where,
                **overrides,
            )
            config.authenticate()  # the first token now: bad credentials fail here, clearly
        except ValueError as exc:  # how databricks-sdk reports every authentication failure
            raise ConfigError(
                f"Databricks at {self.host} did not accept the service principal "
                f"{self.client_id!r} ({self._scrub(exc)}): check DATABRICKS_CLIENT_ID (its "
                "application ID) and DATABRICKS_CLIENT_SECRET (an OAuth secret generated for it, "
                "not a personal access token), and that it has the Workspace access entitlement."
            ) from None
        return config

    def _scrub(self, exc: BaseException) -> str:
        text = (str(exc).splitlines() or [type(exc).__name__])[0][:300]
        return text.replace(self.client_secret.reveal(), "***")


def workspace_client(settings: Settings) -> Any:
    """A databricks-sdk ``WorkspaceClient`` as the service principal (secrets over REST)."""
    from databricks.sdk import WorkspaceClient

    return WorkspaceClient(config=DatabricksTarget.from_settings(settings).sdk_config())


def databricks_builder() -> Any:
    """``DatabricksSession.builder``, or a ConfigError saying how to install it."""
    try:
        connect = importlib.metadata.version("databricks-connect")
    except importlib.metadata.PackageNotFoundError:
        raise ConfigError(NOT_INSTALLED) from None
    try:  # databricks-connect's pyspark and PyPI's pyspark overwrite each other's files
        pyspark = importlib.metadata.version("pyspark")
    except importlib.metadata.PackageNotFoundError:
        pyspark = None
    if pyspark is not None:
        raise ConfigError(
            f"databricks-connect {connect} and pyspark {pyspark} are installed side by side, "
            "which breaks both: databricks-connect ships its own pyspark. Use a venv with only "
            "the `remote` extra (pip uninstall pyspark delta-spark, or a new venv)."
        )
    try:
        from databricks.connect import DatabricksSession
    except ImportError as exc:
        raise ConfigError(f"{NOT_INSTALLED} (import failed: {exc})") from None
    return DatabricksSession.builder


def check_ready(settings: Settings) -> None:
    """What a --databricks run needs, checked before Intacct is called: no network."""
    DatabricksTarget.from_settings(settings)
    databricks_builder()


def databricks_session(settings: Settings, *, builder: Any = None) -> Any:
    """A Databricks Connect session for these settings (serverless unless a cluster is set)."""
    target = DatabricksTarget.from_settings(settings)
    builder = builder if builder is not None else databricks_builder()
    config = target.sdk_config()
    if settings.staging_volume:
        # Parquet staging writes files with pyarrow to a local path; /Volumes is one only inside
        # a workspace. From here the run stages through Arrow into the staging schema instead.
        log.warning(
            "staging volume %s is not used from outside a workspace: staging goes through "
            "Arrow into tables in %s.%s",
            settings.staging_volume,
            settings.catalog,
            settings.staging,
        )
    log.info("Databricks Connect: %s at %s as %s", target.compute, target.host, target.client_id)
    return builder.sdkConfig(config).getOrCreate()


def spark_connect_session(url: str, *, builder: Any = None) -> Any:
    """``SparkSession.builder.remote(url)``: any Spark Connect server, no JVM here."""
    if builder is None:
        from pyspark.sql import SparkSession

        builder = SparkSession.builder
    log.info("Spark Connect: %s", safe_remote(url))
    try:
        # No appName: on Connect it is a config the server is asked to set (a round trip at
        # creation, refused as a static config); the session stays lazy until first used.
        return builder.remote(url).getOrCreate()
    except ImportError as exc:  # PySpark's Connect client needs grpcio, pandas, pyarrow...
        raise ConfigError(
            f"the Spark Connect client is incomplete ({exc}): install PySpark's connect extra, "
            "pip install -c constraints.txt 'pyspark[connect]' (make setup does)."
        ) from None
