"""Cut the Databricks CLI's bundle JSON schema down to what this bundle uses, for the tests.

The tests validate databricks.yml and resources/*.yml offline against the schema the CLI itself
publishes. The full schema (about 900 KB, every resource type) is trimmed to the definitions the
bundle's own keys reach, with the resource types it declares (jobs, schemas, volumes,
dashboards) and no descriptions. Regenerate after a CLI upgrade, or when resources/ gains a
resource type:

    databricks bundle schema > full_schema.json   # or bundle/schema/jsonschema.json of the CLI repo
    python tools/bundle-schema/vendor.py full_schema.json tests/fixtures/bundle_schema.json \
        "Databricks CLI vX.Y.Z bundle schema, trimmed by tools/bundle-schema/vendor.py"

The CLI version the copy came from goes in the output's "$comment".
"""

from __future__ import annotations

import json
import sys
from typing import Any

RESOURCES = {"jobs", "schemas", "volumes", "dashboards"}
RESOURCES_DEF = "#/$defs/github.com/databricks/cli/bundle/config.Resources"
DROP = {
    "description",
    "markdownDescription",
    "deprecationMessage",
    "enumDescriptions",
    "doNotSuggest",
    "x-databricks-launch-stage",
}


def _get(schema: dict, ref: str) -> Any:
    node: Any = schema
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _strip(node: Any, names: bool = False) -> Any:
    """``node`` without annotations; ``names``: a ``properties`` map, whose keys are field names
    (a field may be called ``description``)."""
    if isinstance(node, dict):
        return {
            k: _strip(v, k == "properties" and not names)
            for k, v in node.items()
            if names or k not in DROP
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                out.add(value)
            else:
                _refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _refs(value, out)


def trim(schema: dict, comment: str) -> dict:
    out: dict[str, Any] = {"$comment": comment, "$defs": {}}
    for key in ("type", "properties", "additionalProperties", "required"):
        if key in schema:
            out[key] = _strip(schema[key], key == "properties")
    todo: set[str] = set()
    _refs(out, todo)
    seen: set[str] = set()
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        node = _strip(_get(schema, ref))
        if ref == RESOURCES_DEF:
            props = node["oneOf"][0]["properties"]
            node["oneOf"][0]["properties"] = {k: v for k, v in props.items() if k in RESOURCES}
        _refs(node, todo)
        parts = ref.removeprefix("#/$defs/").split("/")
        target = out["$defs"]
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = node
    return out


if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    comment = sys.argv[3] if len(sys.argv) > 3 else f"trimmed from {source.rsplit('/', 1)[-1]}"
    with open(source, encoding="utf-8") as fh:
        trimmed = trim(json.load(fh), comment)
    with open(target, "w", encoding="utf-8") as fh:
        json.dump(trimmed, fh, indent=1, sort_keys=True)
        fh.write("\n")
