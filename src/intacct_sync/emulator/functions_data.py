"""Data functions: readByQuery, readMore, read, readByName (docs/protocol.md §5.1, §5.3).

readByQuery pages by key from a cursor: its resultId stays the same across pages, totalcount is
fixed at the first page, and listtype/record elements are the lowercase object name (§14.4).
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

from .context import Ctx, child_text, format_rows, page_size
from .errors import BAD_QUERY, READMORE_FAILED, Err, FunctionFailure, generic
from .rbq import rbq_sql
from .schema import ObjectDef
from .sessions import Cursor
from .sql import QueryError, Resolver
from .store import q
from .xmlout import E, Rows

NAME_FIELDS = {
    "GLACCOUNT": "ACCOUNTNO",
    "AUDITHISTORY": "ID",
    "GLBATCH": "BATCHNO",
    "APTERM": "NAME",
    "ARTERM": "NAME",
    "GLACCTGRP": "NAME",
    "REPORTINGPERIOD": "NAME",
    "CONTACT": "CONTACTNAME",
    "CHECKINGACCOUNT": "BANKACCOUNTID",
    "GLBUDGETHEADER": "BUDGETID",
}


def query_failure(exc: QueryError, rbq: bool) -> FunctionFailure:
    if exc.kind == "invalid_field":
        return generic(str(exc))
    if rbq:
        return FunctionFailure(Err(BAD_QUERY[0], BAD_QUERY[2], BAD_QUERY[1]))
    return generic(f"Invalid query: {exc}")


def selected(resolver: Resolver, obj: ObjectDef, text: str | None):
    names = (
        obj.names if text in (None, "", "*") else [n.strip() for n in text.split(",") if n.strip()]
    )
    try:
        return [resolver.ref(n) for n in names]
    except QueryError as exc:
        bad = [n for n in names if _bad(resolver, n)]
        raise generic(f"Invalid field(s) {', '.join(bad) or exc.fields[0]} for object {obj.name}")


def _bad(resolver: Resolver, name: str) -> bool:
    try:
        resolver.ref(name)
        return False
    except QueryError:
        return True


def _page(
    ctx: Ctx, obj: ObjectDef, refs, where: str, params: list, after, size: int
) -> list[tuple]:
    cols = ", ".join(r.expr for r in refs) + f", t.{q(obj.key)}"
    extra, args = ("", []) if after is None else (f" AND t.{q(obj.key)} > ?", [after])
    sql = (
        f"SELECT {cols} FROM {q(obj.name)} t WHERE ({where}){extra} ORDER BY t.{q(obj.key)} LIMIT ?"
    )
    return ctx.company.store.execute(sql, [*params, *args, size])


def _data(tag: str, refs, rows: list[tuple], attrs: dict[str, str]) -> E:
    data = E("data", attrs=attrs)
    if rows:
        data.add(
            Rows(
                tag,
                [r.name for r in refs],
                format_rows([r.fdef for r in refs], [row[:-1] for row in rows]),
            )
        )
    return data


def read_by_query(ctx: Ctx, el) -> E:
    obj = ctx.object(child_text(el, "object"), "readByQuery")
    size = page_size(child_text(el, "pagesize"), 100, 1000)
    resolver = Resolver(ctx.company.objects, obj, rbq=True)
    refs = selected(resolver, obj, child_text(el, "fields"))
    try:
        cond, params = rbq_sql(resolver, child_text(el, "query", "") or "")
    except QueryError as exc:
        raise query_failure(exc, rbq=True)
    vis, vparams = ctx.visibility(obj, showprivate=False)
    where, params = f"({vis}) AND ({cond})", [*vparams, *params]
    with ctx.company.lock:
        total = ctx.company.store.execute(
            f"SELECT COUNT(*) FROM {q(obj.name)} t WHERE {where}", params
        )[0][0]
        rows = _page(ctx, obj, refs, where, params, None, size)
    rid = ""
    if total > len(rows):
        cur = ctx.sessions.new_cursor(
            company_id=ctx.company.settings.company_id,
            object=obj.name,
            where=where,
            params=params,
            names=[r.name for r in refs],
            pagesize=size,
            total=total,
            location_id=ctx.location,
        )
        cur.delivered, cur.last_key = len(rows), rows[-1][-1] if rows else None
        rid = cur.id
    return _rbq_data(obj, refs, rows, total, total - len(rows), rid)


def _rbq_data(obj, refs, rows, total: int, remaining: int, result_id: str) -> E:
    """A readByQuery/readMore answer: lowercase list type and the paging attributes (§5.1)."""
    tag = obj.name.lower()
    attrs = {
        "listtype": tag,
        "count": str(len(rows)),
        "totalcount": str(total),
        "numremaining": str(remaining),
        "resultId": result_id,
    }
    return _data(tag, refs, rows, attrs)


def cursor_for(ctx: Ctx, el) -> Cursor:
    rid = child_text(el, "resultId")
    company_id = ctx.company.settings.company_id
    if rid:
        cur = ctx.sessions.cursor(rid, company_id)
    elif child_text(el, "object"):
        rid = child_text(el, "object")
        cur = ctx.sessions.latest_cursor(rid.upper(), company_id)
    else:
        rid = child_text(el, "reportId") or ""
        cur = None
    if cur is None:
        raise FunctionFailure(Err(READMORE_FAILED[0], READMORE_FAILED[1].format(rid=rid)))
    return cur


def read_more(ctx: Ctx, el) -> E:
    cur = cursor_for(ctx, el)
    obj = ctx.company.objects[cur.object]
    resolver = Resolver(ctx.company.objects, obj, rbq=True)
    refs = [resolver.ref(n) for n in cur.names]
    rows = (
        [] if cur.done else _page(ctx, obj, refs, cur.where, cur.params, cur.last_key, cur.pagesize)
    )
    if rows:
        cur.last_key = rows[-1][-1]
    cur.delivered += len(rows)
    remaining = 0 if len(rows) < cur.pagesize else max(cur.total - cur.delivered, 0)
    cur.done = remaining == 0
    return _rbq_data(obj, refs, rows, cur.total, remaining, cur.id)


def _keys(text: str | None) -> list[str]:
    keys = [k.strip() for k in (text or "").split(",") if k.strip()]
    if not keys:
        raise generic("The keys element is required: send a comma-separated list of keys.")
    if len(keys) > 100:  # PHP Read.php MAX_KEY_COUNT (§5.3)
        raise generic(f"Too many keys ({len(keys)}): read takes at most 100.")
    return keys


def read(ctx: Ctx, el, by_name: bool = False) -> E:
    fn = "readByName" if by_name else "read"
    obj = ctx.object(child_text(el, "object"), fn)
    keys = _keys(child_text(el, "keys"))
    resolver = Resolver(ctx.company.objects, obj)
    refs = selected(resolver, obj, child_text(el, "fields"))
    key_field = _name_field(obj) if by_name else obj.key
    try:
        params = [resolver.param(resolver.ref(key_field), k) for k in keys]
    except QueryError:
        raise generic(f"Invalid keys {','.join(keys)} for object {obj.name}")
    vis, vparams = ctx.visibility(obj, showprivate=False)
    cols = ", ".join(r.expr for r in refs) + f", t.{q(obj.key)}"
    rows = ctx.company.store.execute(
        f"SELECT {cols} FROM {q(obj.name)} t WHERE ({vis}) AND t.{q(key_field)} IN "
        f"({', '.join('?' * len(params))}) ORDER BY t.{q(obj.key)}",
        [*vparams, *params],
    )
    return _data(obj.name, refs, rows, {"listtype": obj.name, "count": str(len(rows))})


def _name_field(obj: ObjectDef) -> str:
    if obj.udd:
        return "name"
    return NAME_FIELDS.get(obj.name) or (f"{obj.name}ID" if obj.field(f"{obj.name}ID") else obj.key)
