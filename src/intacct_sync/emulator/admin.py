"""The JSON admin API on /admin/... (separate from the gateway path; not counted as calls).

POST /admin/insert {"object", "values"} -> {"recordno"}
POST /admin/update {"object", "recordno", "values"} -> {}
POST /admin/delete {"object", "recordno"} -> {}
POST /admin/faults {"add": "SPEC" | ["SPEC", ...], "clear": true} -> {"faults", "injected"}
POST /admin/clock  {"advance_seconds": N} | {"set": "ISO-8601"} -> {"now"}
POST /admin/quirks {"value_shapes": false, "hold_seconds": 0.5, ...} -> the switches (quirks.py)
POST /admin/load   {"company_load": N} and/or {"busy_slots": K, "busy_seconds": S}
                   -> {"company_load", "others", "limit"}: other integrations' requests in
                   flight, all along or for S seconds (allowance.py)
GET  /admin/stats -> stats counters (transactions billed included)
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .emulator import Emulator


def _faults(emu: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("clear"):
        emu.faults.clear()
    adds = body.get("add") or []
    for spec in [adds] if isinstance(adds, str) else adds:
        emu.faults.add(spec)
    return {"faults": [f.describe() for f in emu.faults.faults], "injected": emu.faults.injected}


def _clock(emu: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    if "advance_seconds" in body:
        emu.clock.advance(timedelta(seconds=float(body["advance_seconds"])))
    if "set" in body:
        emu.clock.set(datetime.fromisoformat(body["set"]))
    return {"now": emu.clock.now().isoformat()}


def _quirks(emu: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    for key, value in body.items():
        emu.company.settings.quirks.set(key, value)
    return emu.company.settings.quirks.describe()


def _load(emu: Emulator, body: dict[str, Any]) -> dict[str, Any]:
    allowance = emu.gateway.allowance
    if "company_load" in body:
        allowance.set_load(int(body["company_load"]))
    if body.get("busy_slots"):
        allowance.occupy(int(body["busy_slots"]), float(body.get("busy_seconds", 1.0)))
    return {"company_load": allowance.load, "others": allowance.others, "limit": allowance.limit}


def handle_admin(emu: Emulator, method: str, path: str, raw: bytes) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON answer); errors come back as 400 {"error": "..."}."""
    try:
        body = json.loads(raw or b"{}") if method == "POST" else {}
        company = emu.company
        action = path.rstrip("/").rsplit("/", 1)[-1]
        if method == "GET" and action == "stats":
            return 200, emu.stats.snapshot()
        if method != "POST":
            return 405, {"error": f"{method} {path} is not supported; see the admin API docstring"}
        if action == "insert":
            return 200, {"recordno": company.insert(body["object"], body.get("values", {}))}
        if action == "update":
            company.update(body["object"], int(body["recordno"]), body.get("values", {}))
            return 200, {}
        if action == "delete":
            company.delete(body["object"], int(body["recordno"]))
            return 200, {}
        if action == "faults":
            return 200, _faults(emu, body)
        if action == "clock":
            return 200, _clock(emu, body)
        if action == "quirks":
            return 200, _quirks(emu, body)
        if action == "load":
            return 200, _load(emu, body)
        return 404, {"error": f"unknown admin action {action!r}"}
    except (KeyError, ValueError, TypeError) as exc:
        return 400, {"error": f"{type(exc).__name__}: {exc}"}
