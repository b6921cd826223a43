"""The Databricks Asset Bundle, checked offline: databricks.yml, resources/*.yml and notebooks/.

Every bundle file is validated as written against the CLI's own JSON schema (a trimmed copy in
tests/fixtures, tests/support/bundle_schema.py), and the job, schema, volume and dashboard
resources with the typed classes of the `databricks-bundles` package (unknown fields and bad enum
values raise), after ${...} references are resolved the way `databricks bundle deploy` would for
each target. The wheel task is checked against pyproject.toml and the real CLI parser and
settings; the notebooks against the widgets they define.
"""

from __future__ import annotations

import ast
import glob
import importlib.metadata
import re
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
import yaml
from databricks.bundles.dashboards import Dashboard
from databricks.bundles.jobs import Job
from databricks.bundles.schemas import Schema
from databricks.bundles.volumes import Volume

from tests.support.bundle_schema import errors as schema_errors
from tests.support.bundle_schema import schema as cli_schema

ROOT = Path(__file__).resolve().parents[2]
REF = re.compile(r"\$\{([^}]+)\}")
# Values a real deploy gets from the workspace or from --var; prod requires the last two.
CONTEXT = {"workspace.current_user.userName": "someone@example.com", "bundle.name": "intacct_sync"}
PROD_VARS = {"notification_email": "alerts@example.com", "service_principal": "6f0c1f1e-0a1b-4c2d"}
# Every target needs these from --var or BUNDLE_VAR_<name>: no default fits every workspace.
DEPLOY_VARS = {"warehouse_id": "0123456789abcdef"}
TOP_LEVEL_LEVELS = {"CAN_VIEW", "CAN_RUN", "CAN_MANAGE"}


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


@pytest.fixture(scope="module")
def bundle() -> dict[str, Any]:
    return load(ROOT / "databricks.yml")


@pytest.fixture(scope="module")
def resources(bundle) -> dict[str, dict[str, Any]]:
    """resources/*.yml merged, found through databricks.yml's own include globs."""
    merged: dict[str, dict[str, Any]] = {}
    for pattern in bundle["include"]:
        for path in sorted(glob.glob(str(ROOT / pattern))):
            for kind, items in load(Path(path))["resources"].items():
                merged.setdefault(kind, {}).update(items)
    return merged


def target_variables(bundle: dict, target: str) -> dict[str, Any]:
    declared = bundle["variables"]
    values = {name: spec["default"] for name, spec in declared.items() if "default" in spec}
    values.update(bundle["targets"][target].get("variables") or {})
    return values


def resolve(value: Any, context: dict[str, Any]) -> Any:
    """Replace every ${...} reference, failing on one the context cannot answer."""
    if isinstance(value, dict):
        return {key: resolve(item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, context) for item in value]
    if isinstance(value, str):
        for _ in range(5):  # a variable's value may itself hold a reference
            value = REF.sub(lambda m: str(context[m.group(1)]), value)
        return value
    return value


def deploy_context(bundle: dict, resources: dict, target: str) -> dict[str, Any]:
    variables = {**target_variables(bundle, target), **DEPLOY_VARS}
    if target == "prod":
        variables.update(PROD_VARS)
    context = {**CONTEXT, "bundle.target": target, **{f"var.{k}": v for k, v in variables.items()}}
    for key, schema in resources["schemas"].items():
        context[f"resources.schemas.{key}.name"] = resolve(schema["name"], context)
    for key, volume in resources.get("volumes", {}).items():
        context[f"resources.volumes.{key}.name"] = resolve(volume["name"], context)
    return context


def resolved_job(bundle: dict, resources: dict, target: str, key: str) -> dict[str, Any]:
    return resolve(resources["jobs"][key], deploy_context(bundle, resources, target))


def task(job: dict, task_key: str) -> dict[str, Any]:
    return next(t for t in job["tasks"] if t["task_key"] == task_key)


# --- databricks.yml -------------------------------------------------------------------------


def test_bundle_builds_the_project_wheel_into_dist(bundle):
    assert bundle["bundle"]["name"] == "intacct_sync"
    (artifact,) = bundle["artifacts"].values()
    assert artifact["type"] == "whl"
    assert "pip wheel --no-deps" in artifact["build"] and "-w dist ." in artifact["build"]
    assert "dist/*.whl" in bundle["sync"]["include"]  # notebooks/rerun.py installs it from there


def test_every_reference_in_the_bundle_is_declared(bundle, resources):
    declared = set(bundle["variables"])
    text = "\n".join(
        p.read_text() for p in [ROOT / "databricks.yml", *ROOT.glob("resources/*.yml")]
    )
    used = {m.group(1) for m in REF.finditer(text)}
    assert {u.removeprefix("var.") for u in used if u.startswith("var.")} <= declared
    for kind in ("schemas", "volumes"):
        refs = {u.split(".")[2] for u in used if u.startswith(f"resources.{kind}.")}
        assert refs <= set(resources[kind]), kind
    others = {u for u in used if not u.startswith(("var.", "resources.schemas.", "resources.vol"))}
    assert others <= {*CONTEXT, "bundle.target"}


def test_dev_is_the_default_development_target_with_a_paused_schedule(bundle):
    dev = bundle["targets"]["dev"]
    assert dev["mode"] == "development" and dev["default"] is True
    assert target_variables(bundle, "dev")["schedule_pause_status"] == "PAUSED"


def test_prod_runs_as_the_service_principal_and_demands_its_values(bundle):
    prod = bundle["targets"]["prod"]
    assert prod["mode"] == "production"
    assert prod["run_as"] == {"service_principal_name": "${var.service_principal}"}
    assert "current_user" not in prod["workspace"]["root_path"]  # one copy, whoever deploys
    missing = set(bundle["variables"]) - set(target_variables(bundle, "prod"))
    assert missing == set(PROD_VARS) | set(DEPLOY_VARS)
    for permission in prod["permissions"]:
        assert permission["level"] in TOP_LEVEL_LEVELS
        assert len(set(permission) & {"user_name", "group_name", "service_principal_name"}) == 1


def test_only_the_dashboard_warehouse_must_be_given_in_dev(bundle):
    assert set(bundle["variables"]) - set(target_variables(bundle, "dev")) == set(DEPLOY_VARS)


# --- the CLI's JSON schema ------------------------------------------------------------------

BUNDLE_FILES = ["databricks.yml", *sorted(p.name for p in ROOT.glob("resources/*.yml"))]


@pytest.mark.parametrize("name", BUNDLE_FILES)
def test_bundle_files_validate_against_the_cli_json_schema(name):
    path = ROOT / name if name == "databricks.yml" else ROOT / "resources" / name
    assert schema_errors(load(path)) == []


def test_schema_validation_names_a_misspelled_field_and_a_wrong_type():
    document = load(ROOT / "resources" / "intacct_finance.dashboard.yml")
    dashboard = document["resources"]["dashboards"]["intacct_finance"]
    dashboard["warehouse"] = dashboard.pop("warehouse_id")
    dashboard["embed_credentials"] = "no"
    wrong_type, unknown = sorted(schema_errors(document))
    assert unknown == "/resources/dashboards/intacct_finance/warehouse: not a known field"
    # a boolean, or a ${var...} reference: "no" is neither
    assert wrong_type.startswith("/resources/dashboards/intacct_finance/embed_credentials: 'no'")


# --- resources ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_resources_are_valid_typed_bundle_resources(bundle, resources, target):
    context = deploy_context(bundle, resources, target)
    for key in resources["jobs"]:
        job = Job.from_dict(resolve(resources["jobs"][key], context))
        assert job.name == key
    schema = Schema.from_dict(resolve(resources["schemas"]["intacct"], context))
    assert (schema.catalog_name, schema.name) == ("main", "intacct")
    staging = Schema.from_dict(resolve(resources["schemas"]["intacct_staging"], context))
    assert (staging.catalog_name, staging.name) == ("main", "intacct_staging")
    volume = Volume.from_dict(resolve(resources["volumes"]["staging"], context))
    assert (volume.catalog_name, volume.schema_name, volume.name) == (
        "main",
        "intacct_staging",
        "staging",
    )
    assert volume.volume_type.value == "MANAGED"
    (key,) = resources["dashboards"]
    dashboard = Dashboard.from_dict(resolve(resources["dashboards"][key], context))
    assert dashboard.display_name and dashboard.warehouse_id == DEPLOY_VARS["warehouse_id"]


def test_dashboard_reads_the_views_in_the_schema_the_bundle_creates(resources):
    dashboard = resources["dashboards"]["intacct_finance"]
    # The datasets name views unqualified; these two fields point them at the bundle's schema,
    # whose resource name carries development mode's dev_<user>_ prefix.
    assert dashboard["dataset_catalog"] == "${var.catalog}"
    assert dashboard["dataset_schema"] == "${resources.schemas.intacct.name}"
    assert dashboard["warehouse_id"] == "${var.warehouse_id}"
    # Paths in resources/ are relative to that folder.
    assert (ROOT / "resources" / dashboard["file_path"]).resolve() == (
        ROOT / "resources" / "intacct_finance.lvdash.json"
    )


def test_typed_validation_rejects_a_misspelled_volume_field(bundle, resources):
    volume = resolve(resources["volumes"]["staging"], deploy_context(bundle, resources, "dev"))
    volume["schema"] = volume.pop("schema_name")
    with pytest.raises(ValueError, match="schema"):
        Volume.from_dict(volume)


def test_typed_validation_rejects_a_misspelled_field(bundle, resources):
    job = resolved_job(bundle, resources, "dev", "intacct_sync")
    task(job, "sync")["max_retry"] = task(job, "sync").pop("max_retries")
    with pytest.raises(ValueError, match="max_retry"):
        Job.from_dict(job)


@pytest.mark.parametrize(("target", "pause"), [("dev", "PAUSED"), ("prod", "UNPAUSED")])
def test_nightly_schedule_is_quartz_in_a_real_time_zone(bundle, resources, target, pause):
    schedule = Job.from_dict(resolved_job(bundle, resources, target, "intacct_sync")).schedule
    assert len(schedule.quartz_cron_expression.split()) in (6, 7)  # Quartz has a seconds field
    zoneinfo.ZoneInfo(schedule.timezone_id)
    assert schedule.pause_status.value == pause


def test_sync_job_runs_one_at_a_time_with_timeout_and_failure_emails(bundle, resources):
    job = Job.from_dict(resolved_job(bundle, resources, "prod", "intacct_sync"))
    assert job.max_concurrent_runs == 1 and job.queue.enabled
    assert 0 < job.timeout_seconds <= 24 * 3600
    assert job.email_notifications.on_failure == [PROD_VARS["notification_email"]]
    (sync,) = job.tasks
    assert sync.max_retries >= 1 and sync.min_retry_interval_millis >= 60_000
    assert sync.retry_on_timeout is False
    assert 0 < sync.timeout_seconds <= job.timeout_seconds


def test_wheel_task_entry_point_is_the_console_script_of_pyproject(resources):
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from 3.11")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheel_task = task(resources["jobs"]["intacct_sync"], "sync")["python_wheel_task"]
    assert wheel_task["package_name"] == pyproject["project"]["name"]
    target = pyproject["project"]["scripts"][wheel_task["entry_point"]]
    assert target == "intacct_sync.cli:main"
    (entry,) = importlib.metadata.entry_points(
        group="console_scripts", name=wheel_task["entry_point"]
    )
    from intacct_sync.cli import main

    assert entry.value == target and entry.load() is main and callable(main)


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_wheel_task_parameters_are_accepted_by_the_cli(bundle, resources, target):
    from intacct_sync.cli import build_parser

    sync = task(resolved_job(bundle, resources, target, "intacct_sync"), "sync")
    args = build_parser().parse_args(sync["python_wheel_task"]["parameters"])
    assert args.command == "run"
    assert (args.catalog, args.schema, args.secret_scope) == ("main", "intacct", "intacct")
    assert args.progress is False  # no progress bars in job logs
    assert args.staging_schema == "intacct_staging"
    assert args.staging_volume == "/Volumes/main/intacct_staging/staging"


def test_sync_task_writes_to_the_schema_the_bundle_creates(resources):
    params = task(resources["jobs"]["intacct_sync"], "sync")["python_wheel_task"]["parameters"]
    # The resource's name carries development mode's dev_<user>_ prefix; ${var.schema} would not.
    assert params[params.index("--schema") + 1] == "${resources.schemas.intacct.name}"
    assert resources["schemas"]["intacct"]["catalog_name"] == "${var.catalog}"


# --- staging ------------------------------------------------------------------------------

STAGING_VOLUME = (
    "/Volumes/${var.catalog}/${resources.schemas.intacct_staging.name}"
    "/${resources.volumes.staging.name}"
)
PRIVILEGES = set(
    cli_schema()["$defs"]["github.com"]["databricks"]["databricks-sdk-go"]["service"][
        "catalog.Privilege"
    ]["oneOf"][0]["enum"]
)


def test_staging_schema_and_volume_sit_next_to_the_tables_never_in_them(resources):
    main, staging = resources["schemas"]["intacct"], resources["schemas"]["intacct_staging"]
    assert staging["catalog_name"] == main["catalog_name"] == "${var.catalog}"
    assert staging["name"] == "${var.schema}_staging"  # a schema resource: prefixed in dev
    volume = resources["volumes"]["staging"]
    assert volume["catalog_name"] == "${var.catalog}"
    # The resource's name (with dev's prefix); the reference also creates the schema first.
    assert volume["schema_name"] == "${resources.schemas.intacct_staging.name}"
    assert volume["volume_type"] == "MANAGED"


def test_both_jobs_pass_the_bundles_staging_schema_and_volume(resources):
    params = task(resources["jobs"]["intacct_sync"], "sync")["python_wheel_task"]["parameters"]
    assert (
        params[params.index("--staging-schema") + 1] == "${resources.schemas.intacct_staging.name}"
    )
    assert params[params.index("--staging-volume") + 1] == STAGING_VOLUME
    rerun = task(resources["jobs"]["intacct_sync_rerun"], "rerun")["notebook_task"]
    assert rerun["base_parameters"]["staging_schema"] == "${resources.schemas.intacct_staging.name}"
    assert rerun["base_parameters"]["staging_volume"] == STAGING_VOLUME


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_the_job_runs_settings_stage_in_the_volume_outside_the_tables_schema(
    bundle, resources, target
):
    from intacct_sync.cli import _flags, build_parser
    from intacct_sync.config import load_settings

    sync = task(resolved_job(bundle, resources, target, "intacct_sync"), "sync")
    args = build_parser().parse_args(sync["python_wheel_task"]["parameters"])
    # what the wheel task sees on serverless: the runtime, and these flags
    settings = load_settings(_flags(args), env={"DATABRICKS_RUNTIME_VERSION": "client.4.9"})
    assert settings.staging == "intacct_staging" != settings.schema
    assert settings.staging_volume == "/Volumes/main/intacct_staging/staging"
    options = settings.writer_options("VENDOR")
    assert options.transfer == "parquet" and options.staging_dir == settings.staging_volume
    assert settings.table_names(staging=True).qualified("x") == "`main`.`intacct_staging`.`x`"


def test_the_documented_staging_grants_are_real_privileges():
    text = (ROOT / "docs" / "deploy.md").read_text()
    for privilege in ("USE SCHEMA", "CREATE TABLE", "MODIFY", "READ VOLUME", "WRITE VOLUME"):
        assert privilege.replace(" ", "_") in PRIVILEGES
        assert re.search(rf"GRANT [^;]*{privilege}[^;]*intacct_staging", text), privilege


def test_the_serverless_environment_is_one_the_packaging_check_covers(resources):
    job = resources["jobs"]["intacct_sync"]
    (environment,) = job["environments"]
    version = environment["spec"]["environment_version"]
    # tools/serverless/env<N>.txt is what `make serverless-check` installs the wheel against.
    assert (ROOT / "tools" / "serverless" / f"env{version}.txt").is_file()


def test_the_wheel_is_installed_in_the_tasks_serverless_environment(resources):
    job = resources["jobs"]["intacct_sync"]
    key = task(job, "sync")["environment_key"]
    (environment,) = [e for e in job["environments"] if e["environment_key"] == key]
    assert environment["spec"]["environment_version"]
    (dependency,) = environment["spec"]["dependencies"]
    # Paths in resources/ are relative to that folder; this one must be the artifact's dist/.
    assert (ROOT / "resources" / dependency).resolve().parent == ROOT / "dist"


# --- notebooks ------------------------------------------------------------------------------

WIDGET_DEFINED = re.compile(
    r"dbutils\.widgets\.(?:text|dropdown|combobox|multiselect)\(\s*\"(\w+)\""
)
WIDGET_READ = re.compile(r"dbutils\.widgets\.get\(\s*([^)]*)\)")


def widgets(path: Path) -> tuple[set[str], list[str]]:
    text = path.read_text()
    return set(WIDGET_DEFINED.findall(text)), WIDGET_READ.findall(text)


@pytest.mark.parametrize("name", ["rerun.py", "finance_analytics.py"])
def test_notebooks_are_databricks_source_and_read_only_their_own_widgets(name):
    path = ROOT / "notebooks" / name
    assert path.read_text().startswith("# Databricks notebook source\n")
    ast.parse(path.read_text())  # magics are comments, so the file is plain Python
    defined, reads = widgets(path)
    assert reads and {r.strip("\"'") for r in reads} <= defined, reads


def test_rerun_job_passes_exactly_the_notebooks_widgets(resources):
    notebook_task = task(resources["jobs"]["intacct_sync_rerun"], "rerun")["notebook_task"]
    path = (ROOT / "resources" / notebook_task["notebook_path"]).resolve()
    assert path == ROOT / "notebooks" / "rerun.py"
    assert set(notebook_task["base_parameters"]) == widgets(path)[0]


def rerun_build_argv():
    """build_argv from notebooks/rerun.py, with the module-level imports it relies on."""
    tree = ast.parse((ROOT / "notebooks" / "rerun.py").read_text())
    wanted = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    wanted += [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module == "datetime"]
    namespace: dict[str, Any] = {}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), "rerun.py", "exec"), namespace)  # noqa: S102
    return namespace["build_argv"]


BLANK = dict.fromkeys(["objects", "entity", "backfill_from"], "") | {
    "full_refresh": "false",
    "sweep_keys": "false",
    "catalog": "main",
    "schema": "dev_someone_intacct",
    "secret_scope": "intacct",
    "staging_schema": "",
    "staging_volume": "",
}


def test_rerun_notebook_with_blank_widgets_runs_everything_incrementally():
    from intacct_sync.cli import build_parser

    args = build_parser().parse_args(rerun_build_argv()(BLANK))
    assert (args.command, args.schema, args.secret_scope) == (
        "run",
        "dev_someone_intacct",
        "intacct",
    )
    optional = ("objects", "entities", "backfill_from", "full_refresh", "sweep_keys")
    optional += ("staging_schema", "staging_volume")
    assert {name: getattr(args, name) for name in optional} == dict.fromkeys(optional)


def test_rerun_notebook_turns_every_widget_into_a_cli_flag():
    from intacct_sync.cli import build_parser

    chosen = BLANK | {
        "objects": " APBILL, APBILLITEM ,",
        "entity": "E100,E200",
        "backfill_from": "2024-01-31",
        "full_refresh": "true",
        "sweep_keys": "true",
        "staging_schema": "dev_someone_intacct_staging",
        "staging_volume": "/Volumes/main/dev_someone_intacct_staging/staging",
    }
    args = build_parser().parse_args(rerun_build_argv()(chosen))
    assert args.objects == "APBILL,APBILLITEM" and args.entities == ["E100", "E200"]
    assert args.backfill_from == "2024-01-31" and args.full_refresh and args.sweep_keys
    assert args.staging_schema == "dev_someone_intacct_staging"
    assert args.staging_volume == "/Volumes/main/dev_someone_intacct_staging/staging"


def test_rerun_notebook_refuses_a_backfill_date_that_is_not_a_date():
    with pytest.raises(ValueError, match="backfill_from must be a date"):
        rerun_build_argv()(BLANK | {"backfill_from": "31/01/2024"})
