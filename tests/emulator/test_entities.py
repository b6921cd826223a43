"""Multi-entity visibility: showprivate at top level, entity sessions, restricted users (§10)."""

from __future__ import annotations

from .gw import call, data_call, fn, query, result, rows, session


def _keys(emu, sid, extra=""):
    body = query("VENDOR", ["RECORDNO", "MEGAENTITYID"], "", extra + "<pagesize>2000</pagesize>")
    return {r["RECORDNO"]: r["MEGAENTITYID"] for r in rows(data_call(emu, sid, body))}


def test_private_entity_rows_need_showprivate_at_top_level(emulator_module):
    vendors = emulator_module.company.rows("VENDOR")
    private = {v["RECORDNO"] for v in vendors if v["MEGAENTITYID"] == "E200"}
    assert private, "the seed must give some E200 vendors"
    sid = session(emulator_module)
    hidden = _keys(emulator_module, sid)
    shown = _keys(emulator_module, sid, "<options><showprivate>true</showprivate></options>")
    assert not private & set(hidden) and private <= set(shown) and len(shown) == len(vendors)


def test_entity_session_sees_own_and_shared_rows(emulator_module):
    sid = session(emulator_module, "E200")
    seen = _keys(emulator_module, sid)
    assert set(seen.values()) == {"", "E200"}
    root = data_call(
        emulator_module, sid, fn("<getAPISession><locationid></locationid></getAPISession>")
    )
    assert result(root).findtext("data/api/locationid") == ""
    assert root.findtext("operation/authentication/locationid") == "E200"


def test_entity_login_echoes_locationid(emulator_module):
    root = call(
        emulator_module, fn("<getAPISession/>"), login_extra="<locationid>E100</locationid>"
    )
    assert root.findtext("operation/authentication/locationid") == "E100"
    assert result(root).findtext("data/api/locationid") == "E100"


def test_unknown_entity_fails_like_credentials(emulator_module):
    root = call(
        emulator_module, fn("<getAPISession/>"), login_extra="<locationid>E999</locationid>"
    )
    assert root.findtext("operation/authentication/status") == "failure"
    assert root.findtext("operation/errormessage/error/errorno") == "XL03000006"


def test_restricted_user_cannot_leave_its_entity(emulator):
    emulator.company.settings.users["xml_gateway"].entity = "E100"
    root = call(emulator, fn("<getAPISession/>"))
    assert result(root).findtext("data/api/locationid") == "E100"
    root = call(emulator, fn("<getAPISession/>"), login_extra="<locationid>E200</locationid>")
    assert root.findtext("operation/authentication/status") == "failure"
