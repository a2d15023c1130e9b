# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Regenerate the structural copy of the status-page OpenAPI document used by the emulator.

Usage: python tests/emulator/vendor_spec.py SOURCE.json [--output PATH]

SOURCE is an extract of the official incident.io document: the status-page one (the default
output) or the alert maintenance windows one (see README.md for their provenance). Everything that only documents the API (descriptions, examples, summaries,
tags, x-* keys) is dropped; what validation needs (paths, parameters, schemas, constraints)
is kept unchanged.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import sys

DOC_KEYS = frozenset(("description", "example", "examples", "summary", "externalDocs", "tags", "title"))
DEFAULT_OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spec", "status-pages-openapi.json")

SOURCE_NOTE = {
    "base": "incident-io/sdk-go openapi3.json @ 6919772d5d91b6f5baf4ddf988a9b5c07c7cfb75 (2026-08-21)",
    "overlay": "incident-io/sdk-ts openapi.json @ da6804e5e3b8574690fd6e0c21a961aa41f29ae0",
    "stripped": "descriptions, examples, summaries, titles, tags, externalDocs and x-* keys",
}


def strip(node, in_properties=False):
    """Drop documentation keys; names inside a ``properties`` map are field names, not keywords."""
    if isinstance(node, list):
        return [strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if not in_properties and (key in DOC_KEYS or key.startswith("x-")):
            continue
        result[key] = strip(value, in_properties=(key == "properties" and not in_properties))
    return result


def structural_copy(document, source_bytes):
    """Return the structural copy of ``document`` with a provenance note."""
    info = document.get("info", {})
    result = {
        "openapi": document["openapi"],
        "info": {"title": info.get("title", ""), "version": info.get("version", "")},
        "servers": [{"url": server["url"]} for server in document.get("servers", [])],
        "security": document.get("security", []),
        "paths": strip(document["paths"]),
        "components": strip(document["components"]),
    }
    # An OpenAPI Response Object requires a description: keep it, emptied, so the copy stays a valid document.
    for path_item in result["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                for response in operation.get("responses", {}).values():
                    response["description"] = ""
    extraction = document.get("x-extraction-notes")
    if not isinstance(extraction, dict):
        # A document without its own notes is the status-page extract of SOURCE_NOTE's commits.
        note = dict(SOURCE_NOTE)
    else:
        # The notes name the document's own sources: an extract made from the base alone has no overlay.
        note = {"stripped": SOURCE_NOTE["stripped"]}
        for part in ("base", "overlay"):
            origin = extraction.get(part)
            if isinstance(origin, dict) and origin.get("commit"):
                date = f" ({origin['commit_date']})" if origin.get("commit_date") else ""
                note[part] = f"{origin['repo']} {origin['path']} @ {origin['commit']}{date}"
    note["source_sha256"] = hashlib.sha256(source_bytes).hexdigest()
    note["generated_on"] = datetime.date.today().isoformat()
    result["x-emulator-source"] = note
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="path to the status-page OpenAPI extract (JSON)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="where to write the structural copy")
    args = parser.parse_args(argv)
    with open(args.source, "rb") as handle:
        source_bytes = handle.read()
    document = json.loads(source_bytes)
    copy = structural_copy(document, source_bytes)
    tmp_path = f"{args.output}.tmp"
    with open(tmp_path, "w", encoding="utf-8") as handle:
        json.dump(copy, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.replace(tmp_path, args.output)
    print(f"wrote {args.output}: {len(copy['paths'])} paths, {len(copy['components']['schemas'])} schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
