"""The command line: flags reach the settings, bad configuration exits 2 before anything runs."""

import pytest

from intacct_sync.cli import EXIT_CONFIG, build_parser, execute


def test_run_flags_parse_into_settings_names():
    args = build_parser().parse_args(
        [
            "run",
            "--objects",
            "APBILL,VENDOR",
            "--full-refresh",
            "--entity",
            "E100",
            "--entity",
            "E200",
            "--backfill-from",
            "2024-01-01",
            "--page-size",
            "500",
            "--no-progress",
        ]
    )
    assert (args.objects, args.full_refresh, args.entities) == (
        "APBILL,VENDOR",
        True,
        ["E100", "E200"],
    )
    assert (args.backfill_from, args.page_size, args.progress) == ("2024-01-01", 500, False)


def test_abbreviated_flags_are_refused():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--full"])


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", "--page-size", "0"], "page size"),
        (["run", "--schema", "x;drop"], "schema"),
        (["run", "--timezone", "Nowhere/Land"], "time zone"),
        (["run", "--endpoint-url", "http://intacct.example.com/ia/xml/xmlgw.phtml"], "https"),
        (["status", "--catalog", "1bad"], "catalog"),
    ],
)
def test_bad_configuration_exits_2_with_the_reason(argv, fragment, capsys, monkeypatch):
    monkeypatch.delenv("INTACCT_SYNC_CONFIG", raising=False)
    assert execute(argv) == EXIT_CONFIG
    assert fragment in capsys.readouterr().err


def test_missing_credentials_exit_2_and_name_the_variables(capsys, monkeypatch):
    for var in (
        "INTACCT_SENDER_ID",
        "INTACCT_SENDER_PASSWORD",
        "INTACCT_COMPANY_ID",
        "INTACCT_USER_ID",
        "INTACCT_USER_PASSWORD",
        "DATABRICKS_RUNTIME_VERSION",
    ):
        monkeypatch.delenv(var, raising=False)
    assert execute(["run", "--schema", "nothing_written"]) == EXIT_CONFIG
    assert "INTACCT_SENDER_PASSWORD" in capsys.readouterr().err


def test_emulator_command_refuses_a_bad_fault_spec():
    assert execute(["emulator", "--fault", "no_such_fault@call=1"]) == 2


def test_a_wheel_task_call_with_bad_settings_exits_2(tmp_path):
    from tests.support.wheel_task import run_wheel_task, task_env

    env = task_env()
    done = run_wheel_task(
        ["run", "--page-size", "5000", "--warehouse", str(tmp_path / "wh"), "--no-progress"], env
    )
    assert done.returncode == 2, done.stderr
    assert "page size 5000 is out of range" in done.stderr
    assert not (tmp_path / "wh").exists()
