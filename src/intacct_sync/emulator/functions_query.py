"""The ``query`` function (docs/protocol.md §5.2): select fields and aggregates, filter, orderby,
options (caseinsensitive, showprivate), pagesize 1..2000 (default 100) and offset.

Every offset request is a fresh query, not a cursor. Without orderby the order is by key (the
real order is undefined). Aggregates group by the plain selected fields and are named
``COUNT.RECORDNO``, ``SUM.TOTALDUE``...; sums of money are exact (Decimal aggregates).
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

from dataclasses import dataclass

from . import unqueryable
from .context import Ctx, child_text, page_size
from .errors import generic
from .functions_data import query_failure
from .sql import QueryError, Ref, Resolver, filter_sql
from .store import q
from .values import formatter
from .xmlout import E, Rows

AGGREGATES = ("count", "sum", "avg", "min", "max")


@dataclass
class Column:
    name: str  # output element name
    expr: str
    fmt: object  # callable storage -> text
    aggregate: bool


def _aggregate(tag: str, ref: Ref) -> Column:
    money = ref.fdef.money
    if tag == "count":
        return Column(f"COUNT.{ref.name}", f"COUNT({ref.expr})", str, True)
    if tag in ("sum", "avg") and ref.fdef.type not in ("INTEGER",) and not money:
        raise QueryError("schema", f"{tag} needs a numeric field, {ref.name} is {ref.fdef.type}")
    if tag == "sum":
        expr = f"DSUM({ref.expr})" if money else f"SUM({ref.expr})"
        return Column(f"SUM.{ref.name}", expr, str, True)
    if tag == "avg":
        return Column(f"AVG.{ref.name}", f"DAVG({ref.expr})", str, True)
    func = ("DMIN" if tag == "min" else "DMAX") if money else tag.upper()
    return Column(
        f"{tag.upper()}.{ref.name}",
        f"{func}({ref.expr})",
        str if money else formatter(ref.fdef),
        True,
    )


def _columns(resolver: Resolver, select) -> list[Column]:
    items = [c for c in select if isinstance(c.tag, str)] if select is not None else []
    if not items:
        raise generic(
            "The select element must list at least one field; '*' is not supported.",
            "List the fields to return.",
        )
    cols = []
    for item in items:
        name = (item.text or "").strip()
        if name == "*" or not name:
            raise generic("Returning all fields is not supported: list the fields in select.")
        if item.tag not in ("field", *AGGREGATES):
            raise QueryError("schema", f"unknown select element '{item.tag}'")
        ref = resolver.ref(name)
        if item.tag == "field":
            cols.append(Column(name, ref.expr, formatter(ref.fdef), False))
        else:
            cols.append(_aggregate(item.tag, ref))
    return cols


def _order(resolver: Resolver, orderby, key: str, grouped: bool) -> str:
    parts = []
    for order in orderby.findall("order") if orderby is not None else []:
        ref = resolver.ref(child_text(order, "field") or "")
        expr = f"CAST({ref.expr} AS REAL)" if ref.fdef.money else ref.expr
        parts.append(f"{expr} {'DESC' if order.find('descending') is not None else 'ASC'}")
    if not grouped:
        parts.append(f"t.{q(key)}")  # a stable tie-break for offset paging
    return ", ".join(parts) or "1"


def _true(el, path: str) -> bool:
    return (child_text(el, path) or "").lower() == "true" if el is not None else False


def run_query(ctx: Ctx, el) -> E:
    obj = ctx.object(child_text(el, "object"), "query")
    options = el.find("options")
    resolver = Resolver(ctx.company.objects, obj, caseinsensitive=_true(options, "caseinsensitive"))
    size = page_size(child_text(el, "pagesize"), 100, 2000)
    offset_text = child_text(el, "offset", "0") or "0"
    if not offset_text.isdigit():
        raise generic(f"Invalid offset {offset_text}: it must be 0 or more.")
    try:
        cols = _columns(resolver, el.find("select"))
        unqueryable.check(ctx.company, obj, el.find("select"))  # §17: lookup lists, query refuses
        filt = el.find("filter")
        cond, params = filter_sql(resolver, filt) if filt is not None else ("1 = 1", [])
        grouped = any(c.aggregate for c in cols)
        order = _order(resolver, el.find("orderby"), obj.key, grouped)
    except QueryError as exc:
        raise query_failure(exc, rbq=False)
    vis, vparams = ctx.visibility(obj, showprivate=_true(options, "showprivate"))
    where, params = f"({vis}) AND ({cond})", [*vparams, *params]
    group = ", ".join(c.expr for c in cols if not c.aggregate)
    group_sql = f" GROUP BY {group}" if grouped and group else ""
    base = f"FROM {q(obj.name)} t WHERE {where}{group_sql}"
    with ctx.company.lock:
        if grouped and not group_sql:
            total = 1  # aggregates without group fields give one row
        else:
            total = ctx.company.store.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 {base})"
                if group_sql
                else f"SELECT COUNT(*) {base}",
                params,
            )[0][0]
        rows = ctx.company.store.execute(
            f"SELECT {', '.join(c.expr for c in cols)} {base} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, size, int(offset_text)],
        )
    return _data(obj.name, cols, rows, total, int(offset_text))


def _data(name: str, cols: list[Column], rows: list[tuple], total: int, offset: int) -> E:
    data = E(
        "data",
        attrs={
            "listtype": name,
            "totalcount": str(total),
            "offset": str(offset),
            "count": str(len(rows)),
            "numremaining": str(max(total - offset - len(rows), 0)),
        },
    )
    if rows:
        text = [
            ["" if v is None else c.fmt(v) for c, v in zip(cols, row, strict=False)] for row in rows
        ]
        data.add(Rows(name, [c.name for c in cols], text))
    return data
