"""Settings are validated at the door: bad values fail with a message that names the fix."""

from datetime import date, timedelta

import pytest

from intacct_sync.config import ConfigError, Settings, load_settings


def test_defaults_are_the_documented_ones():
    s = load_settings({}, env={})
    assert (s.catalog, s.schema, s.secret_scope) == ("main", "intacct", "intacct")
    assert s.page_size == 2000 and s.max_in_flight == 2
    assert s.lookback == timedelta(hours=3) and s.lag == timedelta(minutes=5)
    assert s.endpoint_url == "https://api.intacct.com/ia/xml/xmlgw.phtml"


def test_flags_win_over_environment_and_environment_over_file(tmp_path):
    cfg = tmp_path / "s.yml"
    cfg.write_text("schema: from_file\ncatalog: file_cat\nobjects: [vendor, apbill]\nlookback: 6\n")
    env = {"INTACCT_SYNC_SCHEMA": "from_env", "INTACCT_SYNC_CONFIG": str(cfg)}
    s = load_settings({"schema": "from_flag"}, env=env)
    assert s.schema == "from_flag"
    assert s.catalog == "file_cat"
    assert s.objects == ("VENDOR", "APBILL")
    assert s.lookback == timedelta(hours=6)
    assert load_settings({}, env=env).schema == "from_env"


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        ({"catalog": "main; DROP TABLE x"}, "catalog"),
        ({"schema": "a`b"}, "schema"),
        ({"schema": "1abc"}, "schema"),
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"page_size": 0}, "page size"),
        ({"page_size": 5000}, "page size"),
        ({"page_size": -3}, "page size"),
        ({"max_in_flight": 0}, "max in flight"),
        ({"endpoint_url": "http://api.intacct.com/ia/xml/xmlgw.phtml"}, "https"),
        ({"endpoint_url": "ftp://x"}, "https"),
        ({"backfill_from": "2024-13-45"}, "backfill_from"),
        ({"backfill_from": "yesterday"}, "backfill_from"),
        ({"backfill_from": "2999-01-01"}, "future"),
        ({"objects": "APBILL,AP BILL"}, "object name"),
        ({"entities": ["E1'; --"]}, "entity"),
        ({"lookback": -1}, "lookback"),
        ({"secret_scope": "bad scope!"}, "secret scope"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(flags, fragment):
    with pytest.raises(ConfigError, match=fragment):
        load_settings(flags, env={})


def test_plain_http_is_allowed_only_for_loopback():
    assert load_settings({"endpoint_url": "http://127.0.0.1:8080/ia/xml/xmlgw.phtml"}, env={})
    assert load_settings({"endpoint_url": "http://localhost:1/ia/xml/xmlgw.phtml"}, env={})
    with pytest.raises(ConfigError):
        load_settings({"endpoint_url": "http://10.0.0.1/ia/xml/xmlgw.phtml"}, env={})


def test_credentials_in_an_endpoint_url_are_not_echoed():
    with pytest.raises(ConfigError) as info:
        load_settings({"endpoint_url": "http://user:hunter2@example.com/x"}, env={})
    assert "hunter2" not in str(info.value)


def test_unknown_setting_in_file_is_refused(tmp_path):
    cfg = tmp_path / "s.yml"
    cfg.write_text("shema: typo\n")
    with pytest.raises(ConfigError, match="unknown settings: shema"):
        load_settings({"config": str(cfg)}, env={})


def test_backfill_date_and_excludes_are_parsed():
    s = load_settings({"backfill_from": "2024-01-31", "exclude": "glentry"}, env={})
    assert s.backfill_from == date(2024, 1, 31)
    assert "GLENTRY" not in s.selected_objects and "APBILL" in s.selected_objects


def test_settings_are_frozen():
    s = Settings()
    with pytest.raises(AttributeError):
        s.schema = "other"  # type: ignore[misc]


def test_renamed_settings_keep_working_with_a_warning(tmp_path, caplog):
    cfg = tmp_path / "s.yml"
    cfg.write_text("reconcile_keys: true\nkey_reconcile_every: 3\n")
    with caplog.at_level("WARNING"):
        s = load_settings({"config": str(cfg)}, env={})
    assert s.sweep_keys is True and s.key_sweep_every == timedelta(days=3)
    assert "now called 'sweep_keys'" in caplog.text
    from_env = load_settings(env={"INTACCT_SYNC_RECONCILE_KEYS": "yes"})
    assert from_env.sweep_keys is True


def test_the_old_reconcile_keys_flag_means_sweep_keys():
    from intacct_sync.cli import build_parser

    args = build_parser().parse_args(["run", "--reconcile-keys"])
    assert args.sweep_keys is True


def test_the_environment_is_read_once_into_settings():
    env = {
        "DATABRICKS_RUNTIME_VERSION": "16.4",
        "INTACCT_SYNC_JARS": "/opt/jars",
        "INTACCT_SENDER_ID": "snd",
        "HOME": "/root",
    }
    s = load_settings(env=env)
    assert s.environment.on_databricks and s.environment.jars_dir == "/opt/jars"
    assert dict(s.environment.variables) == {"INTACCT_SENDER_ID": "snd"}
    assert s.table_names().qualified("vendor") == "`main`.`intacct`.`vendor`"
    assert s.writer_options("VENDOR").transfer == "arrow"  # no staging volume on Databricks
    assert Settings().table_names().qualified("vendor") == "`intacct`.`vendor`"


def test_skip_fields_from_yaml_env_json_and_env_text(tmp_path) -> None:
    from intacct_sync.config import load_settings

    path = tmp_path / "c.yaml"
    path.write_text("skip_fields:\n  apbill: [PAYTOCONTACTNAME, returntocontactname]\n")
    from_file = load_settings(env={}, config_file=str(path))
    assert dict(from_file.skip_fields) == {"APBILL": ("PAYTOCONTACTNAME", "RETURNTOCONTACTNAME")}
    assert dict(from_file.client_options().skip_fields) == dict(from_file.skip_fields)
    text = load_settings(env={"INTACCT_SYNC_SKIP_FIELDS": "APBILL:A|B, ITEM:BASEUOM"})
    assert dict(text.skip_fields) == {"APBILL": ("A", "B"), "ITEM": ("BASEUOM",)}
    as_json = load_settings(env={"INTACCT_SYNC_SKIP_FIELDS": '{"project": ["CFDA"]}'})
    assert dict(as_json.skip_fields) == {"PROJECT": ("CFDA",)}
    for bad in ("APBILL", '{"APBILL": [1, "x;y"]}', "[1]"):
        with pytest.raises(ConfigError):
            load_settings(env={"INTACCT_SYNC_SKIP_FIELDS": bad})
