"""Wiring: settings + secrets -> Intacct client, Spark session, pipeline."""

from __future__ import annotations

from intacct_sync.config import Settings, check_endpoint
from intacct_sync.secrets import IntacctSecrets, load_secrets


def make_client(settings: Settings, secrets: IntacctSecrets | None = None):
    """The Intacct client for these settings; credentials from the secret scope or environment."""
    from intacct_sync.intacct.client import IntacctClient
    from intacct_sync.intacct.session import Credentials

    env = settings.environment
    secrets = secrets or load_secrets(
        settings.secret_scope,
        env=env.variables,
        on_databricks=env.on_databricks,
        workspace=_workspace(settings),
    )
    endpoint = secrets.endpoint_url or settings.endpoint_url
    check_endpoint(endpoint)
    credentials = Credentials(
        sender_id=secrets.sender_id.reveal(),
        sender_password=secrets.sender_password.reveal(),
        company_id=secrets.company_id.reveal(),
        user_id=secrets.user_id.reveal(),
        user_password=secrets.user_password.reveal(),
    )
    return IntacctClient(endpoint, credentials, settings.client_options())


def _workspace(settings: Settings):
    """Outside a workspace with --databricks: the REST client the secret scope is read with."""
    if settings.spark_mode != "databricks-connect":
        return None
    from intacct_sync import remote

    return lambda: remote.workspace_client(settings)


def open_spark(settings: Settings, *, builder=None):
    """The Spark session for these settings (``Settings.spark_mode``): the Databricks runtime's
    own, Databricks Connect, a Spark Connect server, or a local Delta session.

    ``builder`` stands in for the Connect session builder (tests)."""
    mode = settings.spark_mode
    if mode == "databricks-connect":
        from intacct_sync.remote import databricks_session

        return databricks_session(settings, builder=builder)
    if mode == "spark-connect":
        from intacct_sync.remote import spark_connect_session

        return spark_connect_session(settings.spark_remote, builder=builder)
    from intacct_sync.lake.spark import get_spark

    env = settings.environment
    return get_spark(
        settings.warehouse,
        databricks=mode == "databricks-runtime",
        java_home=env.java_home,
        jars_dir=env.jars_dir,
    )


def check_spark_target(settings: Settings) -> None:
    """Fail on a missing variable or package before Intacct is called (no network)."""
    if settings.spark_mode == "databricks-connect":
        from intacct_sync.remote import check_ready

        check_ready(settings)


def open_lake(settings: Settings):
    from intacct_sync.lake.state import StateStore

    spark = open_spark(settings)
    names = settings.table_names()
    names.ensure_schema(spark)
    return spark, names, StateStore(spark, names)


def run_sync(settings: Settings, *, client=None, spark=None, now=None, run_id=None, events=None):
    """One run over all configured objects; returns the RunSummary.

    ``events`` receives progress (the face passes a progress bar or log lines; none by default).
    """
    from intacct_sync.pipeline import Pipeline
    from intacct_sync.sync_object import utcnow

    if spark is None:
        check_spark_target(settings)
    own_client = client is None
    client = client or make_client(settings)
    try:
        # Log in and check the object names before a local JVM takes its half minute to start,
        # so bad credentials or a misspelled object fail in seconds.
        specs = Pipeline.resolve_objects_for(settings, client)
        spark = spark or open_spark(settings)
        pipeline = Pipeline(
            settings, client, spark, now=now or utcnow, run_id=run_id, events=events
        )
        return pipeline.run(specs)
    finally:
        if own_client:
            client.close()
