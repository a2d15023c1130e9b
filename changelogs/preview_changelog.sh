#!/usr/bin/env bash
# Writes CHANGELOG.rst as `antsibull-changelog release` would for the version in galaxy.yml, from the fragments as
# they are now, without consuming them: the release runs in a temporary copy of the collection and only
# CHANGELOG.rst is copied back. At release time, run the real thing from the collection root instead (it moves the
# fragments into changelogs/changelog.yaml and writes CHANGELOG.rst):
#
#   antsibull-changelog release --version 1.0.0 --date YYYY-MM-DD
#
# Usage: changelogs/preview_changelog.sh [DATE]   (needs antsibull-changelog and ansible-core on PATH)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
date="${1:-$(date -u +%Y-%m-%d)}"
version="$(sed -n 's/^version: *//p' "$root/galaxy.yml")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

collection="$work/ansible_collections/incident_io/status_page"
mkdir -p "$collection"
cp -r "$root/galaxy.yml" "$root/meta" "$root/plugins" "$root/roles" "$root/changelogs" "$collection/"
(cd "$collection" && ANSIBLE_COLLECTIONS_PATH="$work" antsibull-changelog release --version "$version" --date "$date")
cp "$collection/CHANGELOG.rst" "$root/CHANGELOG.rst"
echo "CHANGELOG.rst written for $version ($date); changelogs/ is unchanged."
