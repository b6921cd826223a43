"""Multi-entity companies: which entity a session really reads (docs/protocol.md §10).

A top-level sync uses ``showprivate`` so private-entity rows are seen; each row's owner is its
MEGAENTITYID (empty for shared, top-level records). One session per listed entity
(``entities``) reads that entity's rows plus the shared ones.

A user restricted to one entity cannot open a top-level session: Intacct quietly gives it a
session at its entity instead, and a top-level sync would then miss every other entity's rows
without any error. ``check_scope`` turns that into a clear failure.
"""

from __future__ import annotations

import threading

from intacct_sync.errors import EntityScopeError


def session_entity(client) -> str:
    """The entity (locationid) Intacct echoed when the session was opened; '' at top level."""
    # getAPISession answers data/api/locationid (docs/protocol.md §10); the client keeps it on its
    # session. Opening the session is the login every sync makes anyway.
    return client._session._current().locationid  # noqa: SLF001 - no public accessor yet


def check_scope(client, wanted: str) -> None:
    """Fail with what to do when the session's entity is not ``wanted`` ('' = top level)."""
    actual = session_entity(client)
    if actual == (wanted or ""):
        return
    if not wanted:
        raise EntityScopeError(
            f"the Intacct user is restricted to entity {actual!r}, so a top-level sync would "
            f"read only that entity's rows. Either sync it explicitly (entities: [{actual}]) "
            "or give the web-services user access at the top level."
        )
    raise EntityScopeError(
        f"asked for entity {wanted!r} but Intacct opened the session at "
        f"{actual or 'the top level'!r}; check the entity ID in the entities setting."
    )


_TABLE_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


def table_lock(table: str) -> threading.Lock:
    """One entity session at a time writes a given table.

    With ``entities``, the sessions of one object run in parallel and write the same table:
    the first run would race to create it (Delta refuses concurrent creation), and later runs
    would make their MERGEs conflict and retry. Other objects still sync in parallel.
    """
    with _GUARD:
        return _TABLE_LOCKS.setdefault(table, threading.Lock())
