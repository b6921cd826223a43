"""One typed settings object, built once from flags, environment and an optional YAML file.

Precedence: command-line flags, then environment variables (``INTACCT_SYNC_<NAME>``), then the
YAML file (``--config``), then the defaults below. Everything is validated here, at the door, so a
bad setting fails in seconds with a message that says what to fix. No other module but this one
and ``secrets.py`` reads the environment.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal
from urllib.parse import urlparse

import yaml

from intacct_sync.errors import ConfigError
from intacct_sync.intacct.catalog import GROUPS, expand
from intacct_sync.intacct.objects import ObjectSpec
from intacct_sync.intacct.options import ClientOptions
from intacct_sync.lake.names import TableNames
from intacct_sync.lake.options import WriterOptions

log = logging.getLogger("intacct_sync.config")
DEFAULT_ENDPOINT = "https://api.intacct.com/ia/xml/xmlgw.phtml"
ENV_PREFIX = "INTACCT_SYNC_"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")
_OBJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
_VOLUME = re.compile(r"^/Volumes/[A-Za-z0-9_]+/[A-Za-z0-9_]+/[A-Za-z0-9_]+(/[A-Za-z0-9_\-./]*)?$")
MASTER_DATA_REFRESH = timedelta(days=7)
_CLUSTER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,99}$")
SparkMode = Literal["local", "databricks-runtime", "databricks-connect", "spark-connect"]


@dataclass(frozen=True)
class Environment:
    """What the process was started with, read once (``Environment.read``), here only.

    The rest of the package is handed what it needs: the lake half gets plain arguments, the
    secrets the variables it may read.
    """

    databricks_runtime: str | None = None  # DATABRICKS_RUNTIME_VERSION: inside a Databricks job
    java_home: str | None = None  # JAVA_HOME, for the local Spark session's check
    jars_dir: str | None = None  # INTACCT_SYNC_JARS: where the Delta jars are (else .jars)
    spark_remote: str | None = field(default=None, repr=False)  # SPARK_REMOTE (may hold a token)
    variables: Mapping[str, str] = field(default_factory=dict, repr=False)  # INTACCT_*
    # DATABRICKS_* (host, OAuth client, cluster): for runs outside a workspace (remote.py).
    databricks: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def on_databricks(self) -> bool:
        return bool(self.databricks_runtime)

    @classmethod
    def read(cls, env: Mapping[str, str] | None = None) -> Environment:
        env = os.environ if env is None else env
        return cls(
            databricks_runtime=env.get("DATABRICKS_RUNTIME_VERSION") or None,
            java_home=env.get("JAVA_HOME") or None,
            jars_dir=env.get("INTACCT_SYNC_JARS") or None,
            spark_remote=env.get("SPARK_REMOTE") or None,
            databricks={
                k: v
                for k, v in env.items()
                if k.startswith("DATABRICKS_") and k != "DATABRICKS_RUNTIME_VERSION" and v
            },
            variables={
                k: v
                for k, v in env.items()
                if k.startswith("INTACCT_") and not k.startswith(ENV_PREFIX)
            },
        )


@dataclass(frozen=True)
class Settings:
    # where Intacct is
    endpoint_url: str = DEFAULT_ENDPOINT
    secret_scope: str = "intacct"  # noqa: S105 - the scope's name, not a secret
    entities: tuple[str, ...] = ()  # empty: top level with showprivate (docs/protocol.md §10)
    timezone: str = (
        "America/Los_Angeles"  # zone of Intacct's naive timestamps (docs/protocol.md §7)
    )
    # where the tables go
    catalog: str = "main"
    schema: str = "intacct"
    warehouse: str = ".lakehouse"  # local runs only
    # Staging (never in the analysts' schema): a Unity Catalog volume path for Parquet staging
    # on Databricks, and the schema of Arrow staging tables (default: <schema>_staging).
    staging_volume: str | None = None
    staging_schema: str | None = None
    # where Spark runs when this process is not inside a Databricks job (remote.py):
    # Databricks Connect as an OAuth service principal (serverless, or cluster_id), or any
    # Spark Connect server (remote, sc://host:port; default $SPARK_REMOTE).
    databricks: bool = False
    cluster_id: str | None = None  # default $DATABRICKS_CLUSTER_ID; None: serverless
    remote: str | None = field(default=None, repr=False)  # a URL may carry ;token=...
    # what to sync
    objects: tuple[str, ...] = ()  # empty: every catalog object plus discovered UDDs
    exclude: tuple[str, ...] = ()
    discover_udds: bool = True
    history: tuple[str, ...] = ()  # objects kept as every version (history mode), not one row
    tables: Mapping[str, str] = field(default_factory=dict)  # object -> table name
    table_prefix: str = ""  # before every table name (not the run log)
    # Fields never selected, per object (query refuses some lookup lists: docs/protocol.md §17).
    # YAML {APBILL: [PAYTOCONTACTNAME]}; env JSON or APBILL:PAYTOCONTACTNAME|RETURNTOCONTACTNAME
    skip_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    # how
    full_refresh: bool = False
    backfill_from: date | None = None
    lookback: timedelta = timedelta(hours=3)
    lag: timedelta = timedelta(minutes=5)
    sweep_keys: bool = False  # force a key sweep this run
    key_sweep_every: timedelta = timedelta(days=7)
    hard_delete: bool = False
    page_size: int = 2000
    max_in_flight: int = 2
    object_time_budget: timedelta = timedelta(hours=2)
    reconcile: bool = True  # counts and money sums against Intacct
    reconcile_every: timedelta = timedelta(days=1)  # ... when an object did not change
    # Full re-reads: Intacct does not move WHENMODIFIED when a related record changes a copied-in
    # name (docs/protocol.md §17). Days per object; 0 = never. Master data defaults to 7 days.
    refresh_every: Mapping[str, timedelta] = field(default_factory=dict)
    api_budget: int | None = 100_000  # billable transactions a month (Intacct's default tier)
    history_start: date = date(2010, 1, 1)  # first slice of a sliced full read (GLDETAIL)
    # After each run, (re)create the analysis views in the schema (analytics/) where their SQL
    # changed, and check the hierarchies the run changed.
    analytics: bool = True
    progress: bool | None = None  # None: a bar on a terminal, log lines otherwise
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # The process environment, read once by load_settings (empty: a local run, no variables).
    environment: Environment = field(default_factory=Environment, compare=False, repr=False)

    def __post_init__(self) -> None:
        validate(self)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def client_options(self, **overrides: Any) -> ClientOptions:
        """How the Intacct client talks to the company, from these settings."""
        return ClientOptions(
            timezone=self.timezone,
            max_in_flight=self.max_in_flight,
            page_size=self.page_size,
            skip_fields=self.skip_fields,
            history_start=datetime.combine(self.history_start, time.min, tzinfo=timezone.utc),
            **overrides,
        )

    @property
    def staging(self) -> str:
        """The schema staging tables live in: never the analysts' own."""
        return self.staging_schema or f"{self.schema}_staging"

    @property
    def spark_mode(self) -> SparkMode:
        """Which Spark session a run opens (runner.open_spark)."""
        if self.environment.on_databricks:
            return "databricks-runtime"  # inside a job: the runtime's own session, always
        if self.databricks:
            return "databricks-connect"
        if self.spark_remote:
            return "spark-connect"
        return "local"

    @property
    def spark_remote(self) -> str | None:
        """The Spark Connect URL: --remote, else $SPARK_REMOTE (PySpark's own convention)."""
        return self.remote or self.environment.spark_remote

    @property
    def databricks_cluster(self) -> str | None:
        """The cluster Databricks Connect runs on: --cluster-id, else $DATABRICKS_CLUSTER_ID;
        None means serverless."""
        return self.cluster_id or self.environment.databricks.get("DATABRICKS_CLUSTER_ID") or None

    def table_names(self, staging: bool = False) -> TableNames:
        """Table names in the configured schema (or the staging schema): three-part on
        Databricks (inside a job or through Databricks Connect), two-part in a session with one
        catalog (local, or a plain Spark Connect server)."""
        schema = self.staging if staging else self.schema
        unity = self.spark_mode in ("databricks-runtime", "databricks-connect")
        return TableNames(self.catalog, schema, local=not unity)

    @property
    def staging_dir(self) -> str | None:
        """The volume Parquet staging files go to, when this process can write there: only
        inside a workspace, where /Volumes is a local path. From outside, files would have to
        go through the Files API, so a remote run stages with Arrow and leaves the volume be."""
        return self.staging_volume if self.spark_mode != "databricks-connect" else None

    def writer_options(self, object_name: str) -> WriterOptions:
        """How ``object_name``'s table is written, from these settings."""
        mode = "history" if object_name in self.history else "merge"
        # Parquet staging needs a directory both this process writes and Spark reads: local runs
        # have the warehouse, a Databricks job its staging volume. Any other session (no volume,
        # or Spark behind Connect, which cannot read this machine's files) is handed Arrow.
        if self.spark_mode == "local":
            transfer = "parquet"
        elif self.spark_mode == "databricks-runtime" and self.staging_volume:
            transfer = "parquet"
        else:
            transfer = "arrow"
        return WriterOptions(
            mode=mode,
            hard_delete=self.hard_delete,
            transfer=transfer,
            staging_dir=self.staging_dir,
            staging_schema=self.staging,
        )

    def refresh_interval(self, spec: ObjectSpec) -> timedelta | None:
        """How often ``spec`` is re-read in full (None: never)."""
        every = self.refresh_every.get(spec.name)
        if every is None:
            every = MASTER_DATA_REFRESH if spec.master_data else None
        return every if every else None

    @property
    def selected_objects(self) -> tuple[str, ...]:
        """The objects asked for, groups expanded (empty: the default set), less the excluded."""
        excluded = set(expand(self.exclude))
        chosen = expand(self.objects or ("@default",))
        return tuple(name for name in chosen if name not in excluded)

    def table_for(self, spec: ObjectSpec) -> str:
        """The table ``spec`` lands in: the ``tables`` mapping, else its default, prefixed."""
        return self.table_prefix + self.tables.get(spec.name, spec.table)


def validate(s: Settings) -> None:
    for label, value in (
        ("catalog", s.catalog),
        ("schema", s.schema),
        ("staging schema", s.staging),
    ):
        if not _IDENTIFIER.match(value or ""):
            raise ConfigError(
                f"{label} {value!r} is not a valid name: use letters, digits and underscores, "
                "starting with a letter or underscore (at most 255 characters)."
            )
    if s.secret_scope and not re.match(r"^[A-Za-z0-9_.\-]{1,128}$", s.secret_scope):
        raise ConfigError(f"secret scope {s.secret_scope!r} is not a valid Databricks scope name.")
    for name in (*s.objects, *s.exclude, *s.history, *s.refresh_every, *s.tables):
        if name.startswith("@") and name[1:].lower() in GROUPS:
            continue
        if not _OBJECT_NAME.match(name):
            groups = ", ".join(f"@{g}" for g in sorted(GROUPS))
            raise ConfigError(
                f"object name {name!r} is not valid: use Intacct object names such as APBILL, "
                f"or a group: {groups}."
            )
    for name, table in s.tables.items():
        if not _IDENTIFIER.match(s.table_prefix + table) or table.startswith("_"):
            raise ConfigError(
                f"table name {table!r} for {name} is not valid: use letters, digits and "
                "underscores, starting with a letter."
            )
    if s.table_prefix and not re.match(r"^[A-Za-z][A-Za-z0-9_]{0,100}$", s.table_prefix):
        raise ConfigError(f"table_prefix {s.table_prefix!r} is not valid: letters, digits, _.")
    for entity in s.entities:
        if not re.match(r"^[A-Za-z0-9_\-]{1,40}$", entity):
            raise ConfigError(f"entity {entity!r} is not a valid Intacct location (entity) ID.")
    try:
        s.client_options()  # time zone, page size, requests in flight: checked there, once
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    for label, value in (("lookback", s.lookback), ("lag", s.lag)):
        if value < timedelta(0) or value > timedelta(days=31):
            raise ConfigError(f"{label} {human(value)} is out of range (0 to 31 days).")
    if s.object_time_budget <= timedelta(0):
        raise ConfigError("object time budget must be positive.")
    if s.staging == s.schema:
        raise ConfigError(
            "staging_schema must differ from schema: staging tables never land in the analysts' "
            "schema."
        )
    if s.staging_volume is not None and not _VOLUME.match(s.staging_volume):
        raise ConfigError(
            f"staging_volume {s.staging_volume!r} is not a Unity Catalog volume path: use "
            "/Volumes/<catalog>/<schema>/<volume> (the bundle creates one)."
        )
    _validate_spark_target(s)
    if s.api_budget is not None and s.api_budget < 0:
        raise ConfigError("api_budget must be 0 (off) or a positive number of transactions.")
    for name, every in s.refresh_every.items():
        if every < timedelta(0):
            raise ConfigError(f"refresh_every for {name} must be 0 (never) or positive days.")
    if not s.environment.on_databricks and os.path.exists(s.warehouse):
        if not os.path.isdir(s.warehouse):
            raise ConfigError(
                f"warehouse {s.warehouse!r} exists and is not a directory: point --warehouse at "
                "a directory (it is created if missing)."
            )
    if s.backfill_from is not None and s.backfill_from > date.today() + timedelta(days=1):
        raise ConfigError(f"backfill date {s.backfill_from} is in the future.")
    check_endpoint(s.endpoint_url)


def _validate_spark_target(s: Settings) -> None:
    """--databricks, --cluster-id and --remote: one way to reach Spark, stated clearly."""
    if s.cluster_id and not s.databricks:
        raise ConfigError(
            "--cluster-id is for runs through Databricks Connect: add --databricks (or leave "
            "the cluster out to stay local)."
        )
    if s.databricks and s.remote:
        raise ConfigError(
            "--databricks and --remote both choose where Spark runs: keep one (--databricks "
            "for Databricks Connect, --remote sc://host:port for another Spark Connect server)."
        )
    cluster = s.databricks_cluster if s.databricks else None
    if cluster and not _CLUSTER_ID.match(cluster):
        raise ConfigError(
            f"cluster id {cluster!r} is not a Databricks cluster ID (like 0123-456789-abcdefgh)."
        )
    url = s.spark_remote if s.spark_mode == "spark-connect" else None
    if url is not None and not url.startswith("sc://"):
        raise ConfigError(
            f"Spark Connect URL {safe_remote(url)!r} must look like sc://host:port "
            "(from --remote or SPARK_REMOTE)."
        )


def safe_remote(url: str) -> str:
    """A Spark Connect URL without its parameters (``;token=...`` must never be echoed)."""
    return (url or "").split(";", 1)[0].split("?", 1)[0]


def human(span: timedelta) -> str:
    """A duration as a person writes it: '-3 hours', '90 minutes', '7 days', '1.5 hours'."""
    seconds = span.total_seconds()
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if abs(seconds) >= size:
            value = seconds / size
            text = f"{value:g}" if value != int(value) else str(int(value))
            return f"{text} {unit if abs(value) != 1 else unit[:-1]}"
    return f"{seconds:g} seconds"


def check_endpoint(url: str) -> None:
    """Intacct is https only; plain http is allowed for loopback (the embedded emulator)."""
    from intacct_sync.intacct.gateway import validate_endpoint  # the one place that decides

    try:
        validate_endpoint(url or "")
    except ValueError:
        raise ConfigError(
            f"endpoint {_safe_url(url)!r} is not allowed: Intacct must be reached over https:// "
            "(plain http:// is accepted only for a loopback address such as the embedded emulator)."
        ) from None


def _safe_url(url: str) -> str:
    parsed = urlparse(url or "")
    if parsed.password or parsed.username:  # never echo credentials embedded in a URL
        return parsed._replace(netloc=parsed.hostname or "").geturl()
    return url


# --- building Settings from the three sources ---------------------------------------------------

_TUPLES = {"entities", "objects", "exclude", "history"}
_BOOLS = {
    "discover_udds",
    "full_refresh",
    "sweep_keys",
    "hard_delete",
    "reconcile",
    "progress",
    "databricks",
    "analytics",
}
_INTS = {"page_size", "max_in_flight", "api_budget"}
_DURATIONS = {  # setting -> unit of its plain-number form
    "lookback": "hours",
    "lag": "minutes",
    "key_sweep_every": "days",
    "reconcile_every": "hours",
    "object_time_budget": "minutes",
}


# Settings renamed since an earlier release: the old name still works, with a warning.
RENAMED = {
    "reconcile_keys": "sweep_keys",
    "key_reconcile_every": "key_sweep_every",
    "append_objects": "history",
}


def _renamed(values: Mapping[str, Any], where: str) -> dict[str, Any]:
    out = dict(values)
    for old, new in RENAMED.items():
        if old in out:
            log.warning("setting %r (%s) is now called %r; please rename it", old, where, new)
            out.setdefault(new, out.pop(old))
    return out


def load_settings(
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: str | None = None,
) -> Settings:
    """Merge file < environment < flags over the defaults, coerce types, validate."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    path = (flags or {}).get("config") or env.get(ENV_PREFIX + "CONFIG") or config_file
    if path:
        merged.update(_renamed(_read_yaml(path), path))
    known = {f.name for f in fields(Settings)} - {"extra", "environment"}
    from_env = {}
    for name in (*known, *RENAMED):
        raw = env.get(ENV_PREFIX + name.upper())
        if raw not in (None, ""):
            from_env[name] = raw
    merged.update(_renamed(from_env, "environment"))
    if "endpoint_url" not in merged and env.get("INTACCT_ENDPOINT_URL"):
        merged["endpoint_url"] = env["INTACCT_ENDPOINT_URL"]
    for name, value in (flags or {}).items():
        if name in known and value is not None:
            merged[name] = value
    values = {name: _coerce(name, value) for name, value in merged.items()}
    return Settings(**values, environment=Environment.read(env))


def _read_yaml(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path!r}: {exc.strerror}.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path!r} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path!r} must hold a mapping of setting: value.")
    allowed = ({f.name for f in fields(Settings)} - {"environment"}) | set(RENAMED)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"config file {path!r} has unknown settings: {', '.join(unknown)}.")
    return data


def _coerce(name: str, value: Any) -> Any:
    try:
        if name in _TUPLES:
            items = value.split(",") if isinstance(value, str) else list(value)
            cleaned = tuple(str(v).strip() for v in items if str(v).strip())
            return tuple(v.upper() for v in cleaned) if name != "entities" else cleaned
        if name in _BOOLS:
            return _bool(value)
        if name in _INTS:
            return int(value)
        if name in _DURATIONS:
            return (
                value
                if isinstance(value, timedelta)
                else timedelta(**{_DURATIONS[name]: float(value)})
            )
        if name == "refresh_every":
            return _days_by_object(value)
        if name == "tables":
            return _tables(value)
        if name == "skip_fields":
            return skip_fields(value)
        if name in ("backfill_from", "history_start"):
            return (
                value
                if isinstance(value, date) or value is None
                else date.fromisoformat(str(value))
            )
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name} has a bad value {value!r}.") from None
    return value


def _tables(value: Any) -> dict[str, str]:
    """``{ARINVOICE: invoices}`` (YAML) or ``ARINVOICE:invoices,APBILL:bills`` (environment)."""
    if isinstance(value, str):
        value = dict(part.split(":", 1) for part in value.split(",") if part.strip())
    if not isinstance(value, Mapping):
        raise ValueError(value)
    return {str(k).strip().upper(): str(v).strip() for k, v in value.items()}


def _days_by_object(value: Any) -> dict[str, timedelta]:
    """``{VENDOR: 7, APBILL: 30}`` (YAML) or ``VENDOR:7,APBILL:30`` (flag, environment)."""
    if isinstance(value, str):
        pairs = [part.split(":", 1) for part in value.split(",") if part.strip()]
        value = {name: days for name, days in pairs}
    if not isinstance(value, Mapping):
        raise ValueError(value)
    return {
        str(name).strip().upper(): days
        if isinstance(days, timedelta)
        else timedelta(days=float(days))
        for name, days in value.items()
    }


def skip_fields(value: Any) -> dict[str, tuple[str, ...]]:
    """``{OBJ: [F1, F2]}`` from YAML, or env text: JSON, or ``OBJ:F1|F2,OBJ2:F3``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = json.loads(text)
        else:
            value = {}
            for part in filter(None, (p.strip() for p in text.split(","))):
                obj, colon, names = part.partition(":")
                if not colon or not obj.strip():
                    raise ValueError(part)
                value.setdefault(obj.strip(), []).extend(names.split("|"))
    if not isinstance(value, Mapping):
        raise ValueError(value)
    out: dict[str, tuple[str, ...]] = {}
    for obj, names in value.items():
        items = [names] if isinstance(names, str) else list(names or ())
        out[str(obj).strip().upper()] = tuple(
            str(n).strip().upper() for n in items if str(n).strip()
        )
    return out


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)
