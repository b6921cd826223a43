"""Validate bundle YAML against the Databricks CLI's own JSON schema, offline.

The schema is the CLI's (``tests/fixtures/bundle_schema.json``, trimmed by
``tools/bundle-schema/vendor.py``). It uses few keywords: ``$ref``, ``oneOf``, ``anyOf``,
``type``, ``properties``, ``additionalProperties``, ``required``, ``enum``, ``items`` and
``pattern``;
this validator knows exactly those and refuses any other, so a new CLI schema cannot pass by
being misunderstood. Patterns use ``\\p{L}`` and ``[\\p{L}\\p{N}]``, which Python's ``re``
lacks: they are rewritten to the equivalent classes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "bundle_schema.json"
KNOWN = {
    "$ref", "oneOf", "anyOf", "type", "properties", "additionalProperties", "required", "enum",
    "items", "pattern", "$comment", "$defs", "deprecated",
}  # fmt: skip
TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text())


def errors(value: Any, node: dict[str, Any] | None = None, path: str = "") -> list[str]:
    """Every place ``value`` breaks the schema, as ``path: what``; empty when it conforms."""
    node = schema() if node is None else node
    unknown = set(node) - KNOWN
    if unknown:
        raise ValueError(f"{path or '/'}: schema keywords this validator does not know: {unknown}")
    if "$ref" in node:
        return errors(value, _resolve(node["$ref"]), path)
    if "oneOf" in node:
        fits = [option for option in node["oneOf"] if not errors(value, option, path)]
        if len(fits) == 1:
            return []
        if not fits:  # report the form of the value's own type (an object, not a ${var} string)
            tried = [errors(value, o, path) for o in node["oneOf"] if _same_kind(value, o)]
            return min(tried, key=len) if tried else [f"{path}: {value!r} has none of the forms"]
        return [f"{path}: matches {len(fits)} of the allowed forms, not exactly one"]
    if "anyOf" in node:
        tried = [errors(value, option, path) for option in node["anyOf"]]
        return [] if not all(tried) else min(tried, key=len)
    kind = node.get("type")
    if kind is not None and not _is(value, kind):
        return [f"{path}: {value!r} is not of type {kind}"]
    if "enum" in node and value not in node["enum"]:
        return [f"{path}: {value!r} is not one of {node['enum']}"]
    if "pattern" in node and isinstance(value, str) and not _pattern(node["pattern"]).search(value):
        return [f"{path}: {value!r} does not match {node['pattern']}"]
    out: list[str] = []
    if isinstance(value, dict):
        props = node.get("properties", {})
        for key in node.get("required", ()):
            if key not in value:
                out.append(f"{path}: missing required {key!r}")
        extra = node.get("additionalProperties", True)
        for key, item in value.items():
            where = f"{path}/{key}"
            if key in props:
                out += errors(item, props[key], where)
            elif extra is False:
                out.append(f"{where}: not a known field")
            elif isinstance(extra, dict):
                out += errors(item, extra, where)
    if isinstance(value, list) and "items" in node:
        for n, item in enumerate(value):
            out += errors(item, node["items"], f"{path}[{n}]")
    return out


def _same_kind(value: Any, node: dict[str, Any]) -> bool:
    while "$ref" in node:
        node = _resolve(node["$ref"])
    kind = node.get("type")
    return kind is None or _is(value, kind)


def _is(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, TYPES[kind])


def _resolve(ref: str) -> dict[str, Any]:
    node: Any = schema()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


@cache
def _pattern(text: str) -> re.Pattern[str]:
    text = text.replace(r"[\p{L}\p{N}]", r"[^\W_]")  # a letter or a digit
    return re.compile(text.replace(r"\p{L}", r"[^\W\d_]"))  # a letter
