# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's version is set in galaxy.yml; every other place that names it must say the same.

Module code cannot read galaxy.yml on a managed node, so the client keeps a copy for its User-Agent; the execution
environment examples name the image they build after the version and require a range that must hold it.
"""

from __future__ import annotations

import os
import re

import pytest
import yaml

from ansible_collections.incident_io.status_page.plugins.module_utils import _client

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# Files that name the version, each with what names it.
DOCUMENTED = ["docs/examples/execution-environment.yml", "docs/docsite/rst/awx.rst"]


def read(path: str) -> str:
    with open(os.path.join(COLLECTION_ROOT, path), encoding="utf-8") as handle:
        return handle.read()


def galaxy_version() -> str:
    return str(yaml.safe_load(read("galaxy.yml"))["version"])


def as_tuple(version: str) -> tuple:
    return tuple(int(part) for part in re.match(r"\d+(?:\.\d+)*", version).group(0).split("."))


def test_the_client_announces_the_version_of_galaxy_yml():
    assert _client.COLLECTION_VERSION == galaxy_version()
    assert _client.USER_AGENT.startswith(f"incident_io.status_page/{galaxy_version()} ansible-core/")


@pytest.mark.parametrize("path", DOCUMENTED)
def test_the_documented_image_is_tagged_with_the_version(path):
    tags = re.findall(r"incident-io-ee:(\S+)", read(path))
    assert tags and set(tags) == {galaxy_version()}, f"{path} tags the image {sorted(set(tags))}"


@pytest.mark.parametrize("path", DOCUMENTED)
def test_the_documented_version_range_holds_the_version(path):
    ranges = re.findall(r'version: ">=([^,"]+),<([^,"]+)"', read(path))
    assert ranges, f"{path} requires no version range of the collection"
    for lowest, beyond in ranges:
        assert as_tuple(lowest) <= as_tuple(galaxy_version()) < as_tuple(beyond), f"{path}: >={lowest},<{beyond}"


def test_no_release_in_the_changelog_is_newer_than_galaxy_yml():
    releases = yaml.safe_load(read("changelogs/changelog.yaml")).get("releases") or {}
    assert all(as_tuple(str(release)) <= as_tuple(galaxy_version()) for release in releases)
