"""``intacct-sync check``: ping the real systems before the first scheduled run.

Logs in to Intacct, reads one row of each configured object, and checks that the target schema
is writable. Prints a pass/fail line per check with what to do when one fails. Writes nothing to
Intacct (nothing ever does) and leaves no table behind in the schema.

It also reports what the client had to change on its own (fields ``query`` refuses, left out),
the API transactions the check cost (docs/protocol.md §12), and the time zone: Intacct's naive
timestamps follow the web-services user's time-zone preference, which the XML gateway does not
reveal (docs/protocol.md §7); the configured zone is checked against never-modified records
instead (``intacct/zone.py``) and a clear mismatch fails the check, naming both.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console

from intacct_sync.config import ConfigError, Settings

console = Console()


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str


def run_check(settings: Settings) -> bool:
    results: list[CheckResult] = []
    try:
        from intacct_sync.runner import make_client

        client = make_client(settings)
    except ConfigError as exc:
        results.append(CheckResult("credentials", False, str(exc)))
        return _report(results)
    with client:
        results.extend(_check_intacct(settings, client))
        results.append(time_zone_line(settings, client))
        usage = client.usage()
        results.append(
            CheckResult(
                "usage",
                True,
                f"{usage.calls} API calls, {usage.transactions} billed transactions (§12)",
            )
        )
    results.append(_check_lake(settings))
    return _report(results)


def _check_intacct(settings: Settings, client) -> list[CheckResult]:
    from intacct_sync.intacct.reader import Window
    from intacct_sync.pipeline import Pipeline
    from intacct_sync.sync_object import utcnow

    out: list[CheckResult] = []
    try:
        specs = Pipeline.resolve_objects_for(settings, client)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return [CheckResult("login", False, f"{exc}")]
    out.append(CheckResult("login", True, f"session opened; {len(specs)} objects to check"))
    for spec in specs:
        try:
            fields = client.readable_fields(spec)
            page = next(
                iter(client.read_pages(spec, fields, Window(None, utcnow()), page_size=1)), None
            )
            total = page.totalcount if page is not None else 0
            detail = f"{len(fields)} fields, {total:,} rows in Intacct"
            left_out = sorted(client.left_out(spec.name))
            if left_out:
                detail += f"; left out (skip_fields or refused by query): {', '.join(left_out)}"
            out.append(CheckResult(spec.name, True, detail))
        except Exception as exc:  # noqa: BLE001
            out.append(CheckResult(spec.name, False, f"{exc}"))
    return out


def time_zone_line(settings: Settings, client=None) -> CheckResult:
    """The configured zone against what the data says; the gateway does not expose it (§7)."""
    text = (
        f"not exposed by the XML gateway; configured {settings.timezone}. It must be the "
        "web-services user's time-zone preference in Intacct (My preferences), which Intacct "
        "applies to WHENMODIFIED and other naive timestamps; the date format must be MM/DD/YYYY."
    )
    if client is None:
        return CheckResult("time zone", True, text)
    try:
        evidence = client.zone_evidence()
    except Exception as exc:  # noqa: BLE001 - evidence is optional, the check goes on
        return CheckResult("time zone", True, f"{text} (no evidence from the data: {exc})")
    return CheckResult(
        "time zone", not evidence.mismatch, f"{text} Data: {evidence.describe(settings.timezone)}."
    )


def _check_lake(settings: Settings) -> CheckResult:
    label = f"schema {settings.catalog}.{settings.schema}"
    try:
        from intacct_sync.runner import open_spark

        spark = open_spark(settings)
        names = settings.table_names()
        names.ensure_schema(spark)
        probe = names.qualified("_intacct_sync_check")
        spark.sql(f"CREATE TABLE IF NOT EXISTS {probe} (ok BOOLEAN) USING DELTA")
        spark.sql(f"DROP TABLE IF EXISTS {probe}")
        return CheckResult(label, True, "writable")
    except Exception as exc:  # noqa: BLE001
        return CheckResult(
            label,
            False,
            f"not writable: {exc}. Grant the job's identity USE CATALOG, USE SCHEMA, "
            "CREATE TABLE and MODIFY.",
        )


def _report(results: list[CheckResult]) -> bool:
    for r in results:
        mark = "[green]PASS[/green]" if r.ok else "[red]FAIL[/red]"
        console.print(f"{mark} {r.name}: {r.detail}")
    ok = all(r.ok for r in results)
    console.print("[green]all checks passed[/green]" if ok else "[red]some checks failed[/red]")
    return ok
