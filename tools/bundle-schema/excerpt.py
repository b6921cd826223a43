"""Cut tests/fixtures/bundle_schema.json out of the Databricks CLI's bundle JSON schema.

The CLI publishes its schema as bundle/schema/jsonschema.json (github.com/databricks/cli). The
bundle tests check our resources' field names against the few definitions they use, kept here
small (the whole schema is megabytes):

    python tools/bundle-schema/excerpt.py path/to/jsonschema.json <cli commit> > \
        tests/fixtures/bundle_schema.json
"""

from __future__ import annotations

import json
import sys

DEFS = {  # our name -> path in the schema's $defs
    "resources": "github.com/databricks/cli/bundle/config.Resources",
    "schema": "github.com/databricks/cli/bundle/config/resources.Schema",
    "volume": "github.com/databricks/cli/bundle/config/resources.Volume",
    "job_environment": "github.com/databricks/databricks-sdk-go/service/jobs.JobEnvironment",
    "environment": "github.com/databricks/databricks-sdk-go/service/compute.Environment",
    "volume_type": "github.com/databricks/databricks-sdk-go/service/catalog.VolumeType",
    "privilege": "github.com/databricks/databricks-sdk-go/service/catalog.Privilege",
}


def lookup(defs: dict, path: str) -> dict:
    owner, _, rest = path.partition("/databricks/")
    node = defs[owner]["databricks"]
    for part in rest.split("/"):
        node = node[part]
    return node["oneOf"][0] if "oneOf" in node else node


def main(path: str, commit: str) -> None:
    defs = json.load(open(path, encoding="utf-8"))["$defs"]
    out: dict = {"_source": f"github.com/databricks/cli bundle/schema/jsonschema.json @ {commit}"}
    for name, where in DEFS.items():
        node = lookup(defs, where)
        if "enum" in node:
            out[name] = {"enum": node["enum"]}
        else:
            out[name] = {
                "properties": sorted(node.get("properties", {})),
                "required": node.get("required", []),
            }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
