"""Translation of ``query`` filters and readByQuery strings into parameterized SQL.

Values are always bound parameters, never pasted into SQL. Field references resolve to a column
of the object or, for ``REL.FIELD`` paths over a MANY2ONE relationship, to a correlated
subquery (docs/protocol.md §5.2). Money compares numerically; dates and timestamps compare in their
sortable storage form.
"""

# ruff: noqa: S608 -- SQL text holds only quoted schema identifiers; values are bound parameters.

from __future__ import annotations

from dataclasses import dataclass

from .schema import FieldDef, ObjectDef
from .store import q
from .values import bool_storage, date_storage, ts_storage


class QueryError(Exception):
    """kind: invalid_field | bad_query (DL02000001) | schema (structure) | bad_value."""

    def __init__(self, kind: str, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.kind, self.fields = kind, fields


@dataclass(frozen=True)
class Ref:
    name: str
    expr: str  # SQL expression producing the storage value
    fdef: FieldDef


class Resolver:
    def __init__(
        self,
        objects: dict[str, ObjectDef],
        obj: ObjectDef,
        caseinsensitive: bool = False,
        rbq: bool = False,
    ) -> None:
        self.objects, self.obj = objects, obj
        self.ci, self.rbq = caseinsensitive, rbq

    def ref(self, name: str) -> Ref:
        fdef = self.obj.field(name)
        if fdef is not None:
            return Ref(name, f"t.{q(name)}", fdef)
        head, _, tail = name.partition(".")
        for rel in self.obj.relationships:
            target = self.objects.get(rel.object)
            if rel.path == head and target is not None and target.field(tail) is not None:
                expr = (
                    f"(SELECT r.{q(tail)} FROM {q(target.name)} r "
                    f"WHERE r.{q(rel.target)} = t.{q(rel.related_by)})"
                )
                return Ref(name, expr, target.field(tail))
        raise QueryError(
            "invalid_field", f"Invalid field(s) {name} for object {self.obj.name}", (name,)
        )

    def param(self, ref: Ref, text: str) -> object:
        fdef = ref.fdef
        try:
            if fdef.type == "INTEGER":
                return int(text.strip())
            if fdef.money:
                return float(text.strip().replace(",", ""))
            if fdef.type == "DATE":
                return date_storage(text)
            if fdef.type == "TIMESTAMP":
                return ts_storage(text)
            if fdef.type == "BOOLEAN":
                return bool_storage(text)
        except ValueError:
            raise QueryError("bad_value", f"Invalid value '{text}' for field {ref.name}")
        if self.rbq and text in fdef.codes:  # readByQuery takes stored codes ('T', 'A', ...)
            text = fdef.codes[text]
        return text.lower() if self._ci(ref) else text

    def _ci(self, ref: Ref) -> bool:
        return self.ci and ref.fdef.type in ("TEXT", "ENUM")

    def lhs(self, ref: Ref) -> str:
        if ref.fdef.money:
            return f"CAST({ref.expr} AS REAL)"
        return f"LOWER({ref.expr})" if self._ci(ref) else ref.expr

    def compare(self, name: str, op: str, values: list[str]) -> tuple[str, list[object]]:
        ref = self.ref(name)
        if op in ("isnull", "isnotnull"):
            return f"{ref.expr} IS {'NOT ' if op == 'isnotnull' else ''}NULL", []
        if op in ("like", "notlike"):
            text = values[0].lower() if self._ci(ref) else values[0]
            expr = f"LOWER({ref.expr})" if self._ci(ref) else ref.expr
            return f"{expr} {'NOT ' if op == 'notlike' else ''}LIKE ?", [text]
        params = [self.param(ref, v) for v in values]
        lhs = self.lhs(ref)
        if op in ("in", "notin"):
            marks = ", ".join("?" * len(params))
            return f"{lhs} {'NOT ' if op == 'notin' else ''}IN ({marks})", params
        if op == "between":
            return f"{lhs} BETWEEN ? AND ?", params
        return f"{lhs} {SQL_OPS[op]} ?", params


SQL_OPS = {
    "equalto": "=",
    "notequalto": "!=",
    "lessthan": "<",
    "lessthanorequalto": "<=",
    "greaterthan": ">",
    "greaterthanorequalto": ">=",
}
VALUE_COUNTS = {
    **{op: (1, 1) for op in SQL_OPS},
    "between": (2, 2),
    "in": (1, 1000),
    "notin": (1, 1000),
    "like": (1, 1),
    "notlike": (1, 1),
    "isnull": (0, 0),
    "isnotnull": (0, 0),
}


def filter_sql(resolver: Resolver, filter_el) -> tuple[str, list[object]]:
    """A query's ``<filter>``: exactly one top-level operator (docs/protocol.md §14.10)."""
    ops = [c for c in filter_el if isinstance(c.tag, str)]
    if len(ops) != 1:
        raise QueryError("schema", f"filter must contain exactly one operator, found {len(ops)}")
    return _op_sql(resolver, ops[0])


def _op_sql(resolver: Resolver, el) -> tuple[str, list[object]]:
    tag = el.tag
    children = [c for c in el if isinstance(c.tag, str)]
    keyset = _keyset(resolver, el, children) if tag == "or" else None
    if keyset is not None:
        return keyset
    if tag in ("and", "or"):
        if len(children) < 2:
            raise QueryError(
                "schema", f"'{tag}' needs at least 2 conditions, found {len(children)}"
            )
        parts = [_op_sql(resolver, c) for c in children]
        sql = f" {tag.upper()} ".join(f"({p})" for p, _ in parts)
        return sql, [v for _, ps in parts for v in ps]
    if tag not in VALUE_COUNTS:
        raise QueryError("schema", f"unknown filter operator '{tag}'")
    fields = [c.text or "" for c in children if c.tag == "field"]
    values = [c.text or "" for c in children if c.tag == "value"]
    low, high = VALUE_COUNTS[tag]
    if len(fields) != 1 or not low <= len(values) <= high:
        raise QueryError("schema", f"'{tag}' takes one field and {low}..{high} values")
    return resolver.compare(fields[0].strip(), tag, values)


def _parts(el) -> tuple[str, str, str] | None:
    kids = [c for c in el if isinstance(c.tag, str)]
    fields = [(c.text or "").strip() for c in kids if c.tag == "field"]
    values = [c.text or "" for c in kids if c.tag == "value"]
    if len(fields) == 1 and len(values) == 1 and len(kids) == 2:
        return el.tag, fields[0], values[0]
    return None


def _keyset(resolver: Resolver, el, children) -> tuple[str, list[object]] | None:
    """``F1 > v OR (F1 = v AND F2 > k)`` becomes the row value ``(F1, F2) > (v, k)`` so SQLite
    walks the (WHENMODIFIED, RECORDNO) index instead of merging two scans; same rows, NULLs
    excluded either way."""
    if len(children) != 2 or children[1].tag != "and":
        return None
    first = _parts(children[0])
    inner = [_parts(c) for c in children[1] if isinstance(c.tag, str)]
    if first is None or first[0] != "greaterthan" or len(inner) != 2 or None in inner:
        return None
    eq = next((p for p in inner if p[0] == "equalto"), None)
    nxt = next((p for p in inner if p[0] in ("greaterthan", "greaterthanorequalto")), None)
    if eq is None or nxt is None or eq[1] != first[1] or eq[2] != first[2] or nxt[1] == first[1]:
        return None
    a, b = resolver.ref(first[1]), resolver.ref(nxt[1])
    op = ">" if nxt[0] == "greaterthan" else ">="
    params = [resolver.param(a, first[2]), resolver.param(b, nxt[2])]
    return f"({resolver.lhs(a)}, {resolver.lhs(b)}) {op} (?, ?)", params
