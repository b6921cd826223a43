"""The ``intacct-sync`` command; ``main`` is also the Databricks wheel task's entry point.

Exit status: 0 everything succeeded, 1 an object failed (``_sync_runs`` says which and why),
2 bad configuration or credentials (nothing was written). ``main`` ends the process with it
(``SystemExit``); ``execute`` returns it (tests, notebooks).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from intacct_sync import __version__
from intacct_sync.config import Settings, load_settings
from intacct_sync.errors import Action, what_to_do
from intacct_sync.intacct.errors import IntacctError

log = logging.getLogger("intacct_sync")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intacct-sync", description=__doc__.splitlines()[0], allow_abbrev=False
    )
    parser.add_argument("--version", action="version", version=f"intacct-sync {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    target = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    target.add_argument(
        "--config", help="YAML file of settings (flags and environment win over it)"
    )
    target.add_argument("--catalog", help="Unity Catalog catalog (default main)")
    target.add_argument("--schema", help="schema for the tables (default intacct)")
    target.add_argument(
        "--warehouse", help="local runs: warehouse directory (default ./.lakehouse)"
    )
    target.add_argument(
        "--secret-scope", dest="secret_scope", help="Databricks secret scope (default intacct)"
    )
    target.add_argument("--endpoint-url", dest="endpoint_url", help="Intacct XML gateway URL")
    target.add_argument(
        "--entity", dest="entities", action="append", help="entity (location) ID; repeatable"
    )
    target.add_argument(
        "--timezone", help="time zone of Intacct's timestamps (default America/Los_Angeles)"
    )
    target.add_argument(
        "--staging-schema",
        dest="staging_schema",
        help="schema of the staging tables (default <schema>_staging; never the tables' own)",
    )
    target.add_argument(
        "--staging-volume",
        dest="staging_volume",
        help="Unity Catalog volume for Parquet staging: /Volumes/<catalog>/<schema>/<volume>",
    )
    where = target.add_argument_group("Spark outside a Databricks workspace")
    where.add_argument(
        "--databricks",
        action="store_true",
        default=None,
        help="write to Unity Catalog through Databricks Connect as an OAuth service principal "
        "(DATABRICKS_HOST, DATABRICKS_CLIENT_ID, DATABRICKS_CLIENT_SECRET); serverless by default",
    )
    where.add_argument(
        "--cluster-id",
        dest="cluster_id",
        help="with --databricks: run on this cluster instead of serverless "
        "(default $DATABRICKS_CLUSTER_ID)",
    )
    where.add_argument(
        "--remote",
        help="a Spark Connect server, sc://host:port (default $SPARK_REMOTE)",
    )
    target.add_argument("-v", "--verbose", action="store_true", help="debug logging")

    run = sub.add_parser(
        "run", parents=[target], allow_abbrev=False, help="sync Intacct into Delta tables"
    )
    run.add_argument(
        "--objects",
        help="comma list of objects or groups, e.g. APBILL,VENDOR,@ar (default: @default)",
    )
    run.add_argument("--exclude", help="comma list of objects to leave out")
    run.add_argument("--history", help="comma list of objects kept as every version (history mode)")
    run.add_argument("--full-refresh", dest="full_refresh", action="store_true", default=None)
    run.add_argument(
        "--backfill-from", dest="backfill_from", help="re-read changes since this date (YYYY-MM-DD)"
    )
    run.add_argument(
        "--sweep-keys",
        dest="sweep_keys",
        action="store_true",
        default=None,
        help="also compare every key with Intacct and mark missing rows deleted",
    )
    run.add_argument(  # the old name of --sweep-keys, kept working
        "--reconcile-keys", dest="sweep_keys", action="store_true", help=argparse.SUPPRESS
    )
    run.add_argument("--hard-delete", dest="hard_delete", action="store_true", default=None)
    run.add_argument("--page-size", dest="page_size", type=int)
    run.add_argument("--max-in-flight", dest="max_in_flight", type=int)
    run.add_argument("--lookback-hours", dest="lookback", type=float)
    run.add_argument("--lag-minutes", dest="lag", type=float)
    run.add_argument("--no-progress", dest="progress", action="store_false", default=None)
    run.add_argument(
        "--no-analytics",
        dest="analytics",
        action="store_false",
        default=None,
        help="leave the analysis views as they are (no refresh, no hierarchy checks)",
    )

    sub.add_parser("status", parents=[target], allow_abbrev=False, help="last runs and watermarks")
    sub.add_parser(
        "check",
        parents=[target],
        allow_abbrev=False,
        help="log in, read one row of each object, check the schema is writable",
    )
    demo = sub.add_parser(
        "demo", help="emulator -> full sync -> changes -> incremental sync -> summary"
    )
    demo.add_argument("--warehouse", default=".demo/lakehouse")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--scale", default="small")
    emu = sub.add_parser(
        "emulator", help="serve the embedded Intacct gateway emulator", add_help=False
    )
    emu.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """The console script and the Databricks wheel task's entry point.

    A ``python_wheel_task`` calls this function and ignores what it returns: only an exception
    or ``SystemExit`` fails the task (and so triggers its retries and the failure email). So the
    exit status always leaves through ``SystemExit``, however the function is called.
    """
    code = execute(argv)
    if code:
        raise SystemExit(code)


def execute(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status (0 ok, 1 an object failed, 2 configuration)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["emulator"]:  # the emulator parses its own flags
        from intacct_sync.emulator.server import main as emulator_main

        return emulator_main(argv[1:])
    args = build_parser().parse_args(argv)
    _logging(getattr(args, "verbose", False))
    try:
        if args.command == "demo":
            from intacct_sync.demo import run_demo

            return run_demo(warehouse=args.warehouse, seed=args.seed, scale=args.scale)
        settings = load_settings(_flags(args))
        return COMMANDS[args.command](settings)
    except Exception as exc:
        if what_to_do(exc) is not Action.CONFIGURE:
            raise
        what = (
            "Intacct refused the login" if isinstance(exc, IntacctError) else "configuration error"
        )
        print(f"intacct-sync: {what}: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def _flags(args: argparse.Namespace) -> dict:
    flags = {
        k: v for k, v in vars(args).items() if v is not None and k not in {"command", "verbose"}
    }
    return flags


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("py4j", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def cmd_run(settings: Settings) -> int:
    from intacct_sync.progress import Progress
    from intacct_sync.report import print_summary
    from intacct_sync.runner import run_sync

    summary = run_sync(settings, events=Progress(enabled=settings.progress))
    print_summary(summary)
    return summary.exit_code


def cmd_status(settings: Settings) -> int:
    from intacct_sync.report import print_status
    from intacct_sync.runner import open_lake

    spark, names, state = open_lake(settings)
    print_status(state)
    return EXIT_OK


def cmd_check(settings: Settings) -> int:
    from intacct_sync.check import run_check

    return EXIT_OK if run_check(settings) else EXIT_FAILED


COMMANDS = {"run": cmd_run, "status": cmd_status, "check": cmd_check}

if __name__ == "__main__":
    main()
