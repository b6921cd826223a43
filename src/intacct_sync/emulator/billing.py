"""API transactions as Intacct bills them (docs/protocol.md §12, §17).

Each ``query`` or ``readByQuery`` call is one transaction, and so is each ``readMore`` page
(each further page of a read is another call); ``lookup``, ``inspect``, ``getDimensions``,
``getAPISession`` and ``read`` are not counted here (the published definition names query,
readByQuery and writes; writes never run in this read-only gateway). CHOICE: a function counts
when the gateway ran it -- whatever its result, a refused unqueryable field or an empty page
included, and a heavy page lost to a 524 too -- but not when it never ran (control or
authentication failure, the company too busy, an injected or in-process refusal, a fault
answering before the XML).
"""

from __future__ import annotations

BILLABLE = frozenset({"query", "readByQuery", "readMore"})


def transactions(functions: list, outcomes: list, cursor_object) -> list[tuple[str, str]]:
    """(function, OBJECT) per billable function that ran. ``cursor_object(resultId)`` names a
    readMore's object (or None)."""
    out = []
    for fn, outcome in zip(functions, outcomes, strict=False):
        if outcome.function not in BILLABLE or not outcome.ran:
            continue
        body = next((c for c in fn if isinstance(c.tag, str)), None)
        obj = (body.findtext("object") or "").strip().upper() if body is not None else ""
        if not obj and outcome.data is not None:
            obj = outcome.data.attrs.get("listtype", "").upper()
        if not obj and body is not None and body.findtext("resultId"):
            obj = cursor_object(body.findtext("resultId").strip()) or ""
        out.append((outcome.function, obj))
    return out
