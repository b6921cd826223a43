"""Heavy reads time out: HTTP 524 from the CDN in front of the gateway (docs/protocol.md §4.3, §17).

Production clients reading GLDETAIL or GLENTRY in wide, long pages meet a Cloudflare 524 after
about 100 s: the origin is still working when the CDN gives up. The emulator measures a
``query`` page's cost as *rows on the page x selected columns* and, when a page on one of
``quirks.heavy_objects`` costs more than ``quirks.heavy_budget`` (default 100,000: see
quirks.py), runs it, waits ``quirks.heavy_seconds`` (default 0) and answers the Cloudflare
524 page instead of the XML. Rows on the page, not the pagesize asked, so a small increment
read with pagesize 2000 is not heavy. Only ``query`` (CHOICE): readByQuery pages are at most
1000 rows, and a lost readMore page would move the cursor past rows the client never saw.

A client should halve its pagesize and ask again from the same keyset position (the answer
was lost, not the position); the transaction was still billed (billing.py).
"""

from __future__ import annotations

from .xmlout import Rows


def page_cost(rows: int, columns: int) -> int:
    return rows * columns


def heavy_page(quirks, outcomes) -> tuple[str, int] | None:
    """(object, cost) of the first successful query page over the budget, else None."""
    if not quirks.heavy_timeout:
        return None
    heavy = {name.upper() for name in quirks.heavy_objects}
    for outcome in outcomes:
        if outcome.function != "query" or outcome.status != "success" or outcome.data is None:
            continue
        for child in outcome.data.children:
            if isinstance(child, Rows) and child.tag.upper() in heavy:
                cost = page_cost(len(child.rows), len(child.names))
                if cost > quirks.heavy_budget:
                    return child.tag.upper(), cost
    return None
