"""A safe parser for readByQuery's SQL-like ``<query>`` strings (docs/protocol.md §5.1).

Supports =, !=, <>, <, >, <=, >=, like, not like, in (...), not in (...), IS NULL,
IS NOT NULL, AND, OR, NOT, parentheses, quoted strings with backslash escapes, numbers and
'T'/'F' booleans. Anything else raises QueryError('bad_query'), which the gateway answers with
DL02000001 "There was an error processing the request."
"""

from __future__ import annotations

import re

from .sql import QueryError, Resolver

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<str>'(?:[^'\\]|\\.)*')
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op><=|>=|<>|!=|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
)""",
    re.VERBOSE,
)
OPS = {
    "=": "equalto",
    "!=": "notequalto",
    "<>": "notequalto",
    "<": "lessthan",
    ">": "greaterthan",
    "<=": "lessthanorequalto",
    ">=": "greaterthanorequalto",
}
KEYWORDS = {"AND", "OR", "NOT", "LIKE", "IN", "IS", "NULL"}


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError("bad_query", f"unexpected character at {pos}")
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif kind == "word" and value.upper() in KEYWORDS:
            kind, value = "kw", value.upper()
        tokens.append((kind, value))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, resolver: Resolver, tokens: list[tuple[str, str]]) -> None:
        self.r, self.toks, self.i = resolver, tokens, 0

    def peek(self, kind: str | None = None, value: str | None = None) -> bool:
        if self.i >= len(self.toks):
            return False
        k, v = self.toks[self.i]
        return (kind is None or k == kind) and (value is None or v == value)

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        if not self.peek(kind, value):
            raise QueryError("bad_query", f"expected {value or kind} at token {self.i}")
        self.i += 1
        return self.toks[self.i - 1][1]

    def parse(self) -> tuple[str, list[object]]:
        sql = self.expr()
        if self.i != len(self.toks):
            raise QueryError("bad_query", f"unexpected token at {self.i}")
        return sql

    def expr(self) -> tuple[str, list[object]]:
        return self._chain("OR", self.term)

    def term(self) -> tuple[str, list[object]]:
        return self._chain("AND", self.factor)

    def _chain(self, kw: str, sub) -> tuple[str, list[object]]:
        parts = [sub()]
        while self.peek("kw", kw):
            self.take()
            parts.append(sub())
        if len(parts) == 1:
            return parts[0]
        return f" {kw} ".join(f"({s})" for s, _ in parts), [p for _, ps in parts for p in ps]

    def factor(self) -> tuple[str, list[object]]:
        if self.peek("kw", "NOT"):
            self.take()
            sql, params = self.factor()
            return f"NOT ({sql})", params
        if self.peek("punct", "("):
            self.take()
            inner = self.expr()
            self.take("punct", ")")
            return inner
        return self.comparison()

    def value(self) -> str:
        if self.peek("str") or self.peek("num"):
            return self.take()
        raise QueryError("bad_query", f"expected a value at token {self.i}")

    def comparison(self) -> tuple[str, list[object]]:
        field = self.take("word")
        if self.peek("op"):
            return self.r.compare(field, OPS[self.take()], [self.value()])
        negate = bool(self.peek("kw", "NOT")) and bool(self.take())
        if self.peek("kw", "IS"):
            self.take()
            negate = self.peek("kw", "NOT") and bool(self.take())
            self.take("kw", "NULL")
            return self.r.compare(field, "isnotnull" if negate else "isnull", [])
        if self.peek("kw", "LIKE"):
            self.take()
            return self.r.compare(field, "notlike" if negate else "like", [self.value()])
        self.take("kw", "IN")
        self.take("punct", "(")
        values = [self.value()]
        while self.peek("punct", ","):
            self.take()
            values.append(self.value())
        self.take("punct", ")")
        return self.r.compare(field, "notin" if negate else "in", values)


def rbq_sql(resolver: Resolver, text: str) -> tuple[str, list[object]]:
    """'' -> no condition; otherwise a parameterized WHERE clause body."""
    tokens = tokenize(text or "")
    if not tokens:
        return "1 = 1", []
    return _Parser(resolver, tokens).parse()
