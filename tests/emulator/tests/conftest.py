# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: one emulator process per test session, reset before every test."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys

import pytest
import requests

EMULATOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, EMULATOR_DIR)

from validation import Spec  # noqa: E402  pylint: disable=wrong-import-position

PUBLISHER_KEY = "emulator-publisher-key"
READONLY_KEY = "emulator-readonly-key"
SPEC = Spec()


@pytest.fixture(scope="session", name="emulator_url")
def fixture_emulator_url(tmp_path_factory):
    # Started from an unrelated directory to prove the server does not depend on its cwd.
    workdir = tmp_path_factory.mktemp("emulator")
    url_file = workdir / "url.txt"
    with subprocess.Popen([sys.executable, os.path.join(EMULATOR_DIR, "server.py"), "--port", "0", "--url-file", str(url_file)],
                          cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            url = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:"), url
            assert url_file.read_text().strip() == url
            yield url
        finally:
            os.kill(process.pid, signal.SIGTERM)
            assert process.wait(timeout=10) == 0


class Client:
    """A requests session that checks every API answer against the spec's response schemas."""

    def __init__(self, url, key=PUBLISHER_KEY):
        self.url = url
        self.session = requests.Session()
        self.key = key

    def request(self, method, path, key="default", check=True, **kwargs):
        key = self.key if key == "default" else key
        headers = kwargs.pop("headers", {})
        if key is not None:
            headers.setdefault("Authorization", f"Bearer {key}")
        response = self.session.request(method, self.url + path, headers=headers, timeout=10, **kwargs)
        if check:
            check_response(method, path, response)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, json=body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request("PUT", path, json=body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def control(self, method, name, body=None):
        response = self.session.request(method, f"{self.url}/_emulator/{name}", json=body, timeout=30)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


def check_response(method, path, response):
    """The body must match the documented schema for its status, with no undocumented fields."""
    assert response.headers.get("X-Request-Id")
    try:
        operation, dummy_params = SPEC.match(method, path.split("?")[0])
    except Exception:  # pylint: disable=broad-exception-caught
        operation = None
    body = response.json() if response.content else None
    if operation is None:
        assert body["type"] in ("not_found", "method_not_allowed")
    else:
        problems = SPEC.response_errors(method, operation.template, response.status_code, body)
        assert not problems, problems
    if body is not None and response.status_code >= 400:
        assert body["request_id"] == response.headers["X-Request-Id"]


@pytest.fixture(name="api")
def fixture_api(emulator_url):
    client = Client(emulator_url)
    client.control("POST", "reset")
    yield client
    client.session.close()


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def error_of(response, status, error_type, code=None, field=None):
    """The error body of ``response``, checked: its status, type and shape, and (if given) one error's code and field."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == error_type and body["status"] == status
    assert set(body) >= {"type", "status", "request_id", "errors"}
    pairs = [(error["code"], error.get("source", {}).get("field")) for error in body["errors"]]
    if code is not None:
        assert any(c == code and (field is None or f == field) for c, f in pairs), pairs
    return body


def walk_pages(api, path, key, page_size):
    """(every item's ID, number of pages) of a list endpoint, following ``after``; checks each page's meta."""
    seen, after, pages = [], None, 0
    separator = "&" if "?" in path else "?"
    while True:
        body = api.get(f"{path}{separator}page_size={page_size}" + (f"&after={after}" if after else "")).json()
        assert body["pagination_meta"]["page_size"] == page_size
        seen += [item["id"] for item in body[key]]
        pages += 1
        after = body["pagination_meta"].get("after")
        if after is None:
            return seen, pages
        # The cursor is the ID of the last item of the page.
        assert after == seen[-1]
