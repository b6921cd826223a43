"""``query`` filters as small values that render to the XSD's elements (docs/protocol.md §5.2).

>>> f = And(Cmp("greaterthanorequalto", "WHENMODIFIED", "01/01/2024 00:00:00"),
...         Cmp("equalto", "STATE", "Posted"))

Values are always passed through lxml, never pasted into strings.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

OPERATORS = frozenset(
    {
        "equalto",
        "notequalto",
        "lessthan",
        "lessthanorequalto",
        "greaterthan",
        "greaterthanorequalto",
        "between",
        "in",
        "notin",
        "like",
        "notlike",
        "isnull",
        "isnotnull",
    }
)


@dataclass(frozen=True)
class Cmp:
    """One comparison: ``<op><field>F</field><value>v</value>…</op>``."""

    op: str
    field: str
    values: tuple[str, ...]

    def __init__(self, op: str, field: str, *values: str) -> None:
        if op not in OPERATORS:
            raise ValueError(
                f"unknown query filter operator {op!r}; use one of {sorted(OPERATORS)}"
            )
        arity = {"isnull": 0, "isnotnull": 0, "between": 2}.get(op)
        if arity is not None and len(values) != arity:
            raise ValueError(f"filter {op} on {field} takes {arity} values, got {len(values)}")
        if arity is None and op not in ("in", "notin") and len(values) != 1:
            raise ValueError(f"filter {op} on {field} takes one value, got {len(values)}")
        object.__setattr__(self, "op", op)
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "values", tuple(str(v) for v in values))

    def element(self) -> etree._Element:
        el = etree.Element(self.op)
        etree.SubElement(el, "field").text = self.field
        for value in self.values:
            etree.SubElement(el, "value").text = value
        return el


@dataclass(frozen=True)
class _Group:
    tag = ""
    parts: tuple[Filter, ...]

    def __init__(self, *parts: Filter | None) -> None:
        object.__setattr__(self, "parts", tuple(p for p in parts if p is not None))

    def element(self) -> etree._Element:
        # and/or need at least two children (docs/protocol.md §14.10): one part is written alone.
        if len(self.parts) == 1:
            return self.parts[0].element()
        if not self.parts:
            raise ValueError(f"an empty {self.tag} filter cannot be sent")
        el = etree.Element(self.tag)
        for part in self.parts:
            el.append(part.element())
        return el


class And(_Group):
    tag = "and"


class Or(_Group):
    tag = "or"


Filter = Cmp | And | Or
