"""Response XML built as strings (fast) with proper escaping.

``includewhitespace`` true (the default) indents; false writes one line and self-closes empty
elements (docs/protocol.md §2, sample readbyquery_sodocument_compact_response.xml). Elements with
no children (an empty ``<data .../>``) are self-closed in both modes, as in the samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#039;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;"})
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


def esc(text: str) -> str:
    return text.translate(_TEXT)


@dataclass
class E:
    """An element: ``text`` for leaves, ``children`` for containers."""

    tag: str
    text: str | None = None
    children: list = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    def add(self, child: E | Rows) -> E | Rows:
        self.children.append(child)
        return child


@dataclass
class Rows:
    """Data records: ``<tag><F1>v</F1>...</tag>`` for each row of already-formatted text."""

    tag: str
    names: list[str]
    rows: list[list[str]]


def leaf(tag: str, text: str | None) -> E:
    return E(tag, text if text is not None else "")


def _open(el: E) -> str:
    attrs = "".join(f' {k}="{str(v).translate(_ATTR)}"' for k, v in el.attrs.items())
    return f"<{el.tag}{attrs}"


def _leaf_text(tag: str, text: str, pretty: bool) -> str:
    if text == "":
        return f"<{tag}></{tag}>" if pretty else f"<{tag}/>"
    return f"<{tag}>{text.translate(_TEXT)}</{tag}>"


def _rows(rows: Rows, pretty: bool, depth: int, out: list[str]) -> None:
    pad = "\n" + "    " * depth if pretty else ""
    inner = "\n" + "    " * (depth + 1) if pretty else ""
    for row in rows.rows:
        out.append(f"{pad}<{rows.tag}>")
        for name, text in zip(rows.names, row, strict=False):
            out.append(inner + _leaf_text(name, text, pretty))
        out.append(f"{pad}</{rows.tag}>")


def _render(el: E, pretty: bool, depth: int, out: list[str]) -> None:
    pad = "\n" + "    " * depth if pretty else ""
    if el.text is not None and not el.children:
        attrs = _open(el)
        if el.attrs:
            out.append(
                pad + attrs + (">" + el.text.translate(_TEXT) + f"</{el.tag}>" if el.text else "/>")
            )
        else:
            out.append(pad + _leaf_text(el.tag, el.text, pretty))
        return
    if not el.children:
        out.append(f"{pad}{_open(el)}/>")
        return
    out.append(f"{pad}{_open(el)}>")
    for child in el.children:
        if isinstance(child, Rows):
            _rows(child, pretty, depth + 1, out)
        else:
            _render(child, pretty, depth + 1, out)
    out.append(f"{pad}</{el.tag}>")


def render(root: E, pretty: bool) -> str:
    out: list[str] = [DECLARATION]
    _render(root, pretty, 0, out)
    if pretty:
        out.append("\n")
    return "".join(out)
