# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's public status page, as a subscriber sees it in headless Chromium, during a deploy's window.

python -m pytest tests/browser   (needs pytest, requests, tests/emulator/requirements.txt; ansible-core optional)

The maintenance window is opened and completed by the collection's own module through ansible-playbook, as
the demo's deploy does. When ansible-core is not importable here, the same window goes through the API with
requests, and the test output says so. Screenshots and DOM dumps land in tests/output/browser/.
"""

from __future__ import annotations

import datetime
import html.parser
import importlib.util
import json
import os
import signal
import subprocess
import sys
import uuid
import warnings
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EMULATOR = REPO / "tests" / "emulator" / "server.py"
SEED = REPO / "tests" / "emulator" / "seeds" / "demo.yml"
OUTPUT = REPO / "tests" / "output" / "browser"
ENSURE_CHROMIUM = HERE / "ensure_chromium.sh"

API_KEY = "demo-publisher-key"
PAGE_ID = "01JACMEPAGE000000000000001"
PAGE_NAME = "Acme Cloud"
COMPONENTS = {
    "01JACMECMP0000000000000001": "Website",
    "01JACMECMP0000000000000002": "REST API",
    "01JACMECMP0000000000000003": "Webhooks",
    "01JACMECMP0000000000000004": "Web App",
    "01JACMECMP0000000000000007": "Database",
    "01JACMECMP0000000000000008": "Object Storage",
}
# What docs/examples/deploy.yml puts under maintenance.
AFFECTED = {"01JACMECMP0000000000000001": "Website", "01JACMECMP0000000000000004": "Dashboard/Web App"}
WINDOW_NAME = "Web app release 2026.05.2"
START_MESSAGE = "We are deploying release 2026.05.2 of the web app. The dashboard may be briefly slow or unavailable."
COMPLETE_MESSAGE = "Release 2026.05.2 is live and all services are operating normally."

PLAYBOOK = """\
- name: Move the deploy's maintenance window
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Put the window in the requested state
      incident_io.status_page.status_page_maintenance:
        status_page: %(page)s
        name: %(name)s
        state: "{{ window_state }}"
        duration: 15m
        components: %(components)s
        msg: "{{ window_message }}"
"""

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
                  "--hide-scrollbars")


# ----- the page as a tree ------------------------------------------------------------------------------


class Node:
    def __init__(self, tag, attrs):
        self.tag = tag
        self.attrs = dict(attrs)
        self.children = []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self):
        return " ".join(" ".join(child if isinstance(child, str) else child.text() for child in self.children).split())

    def find_all(self, predicate):
        for child in self.children:
            if isinstance(child, Node):
                if predicate(child):
                    yield child
                yield from child.find_all(predicate)

    def find(self, predicate):
        return next(self.find_all(predicate), None)

    def by_class(self, name):
        return list(self.find_all(lambda node: name in node.classes))


class TreeBuilder(html.parser.HTMLParser):
    VOID = {"meta", "link", "br", "img", "input", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(markup):
    builder = TreeBuilder()
    builder.feed(markup)
    builder.close()
    return builder.root


def component_statuses(document):
    """{component name: status word} for every component row on the page."""
    rows = {}
    for row in document.find_all(lambda node: node.tag == "li" and "data-component-id" in node.attrs):
        name = row.find(lambda node: "name" in node.classes)
        status = row.find(lambda node: "status" in node.classes)
        # The name span also holds the description; the name is its first text.
        rows[next(child for child in name.children if isinstance(child, str)).strip()] = status.text()
    return rows


# ----- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session", name="chromium")
def fixture_chromium():
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        result = subprocess.run(["bash", str(ENSURE_CHROMIUM)], env=dict(os.environ, CHROMIUM=path),
                                capture_output=True, text=True, timeout=900, check=False)
        assert result.returncode == 0, f"could not install chromium:\n{result.stderr}"
    return path


@pytest.fixture(scope="module", name="emulator_url")
def fixture_emulator_url(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("emulator")
    with subprocess.Popen([sys.executable, str(EMULATOR), "--port", "0", "--seed", str(SEED)], cwd=workdir,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        url = process.stdout.readline().strip()
        if not url.startswith("http://127.0.0.1:"):
            process.kill()
            pytest.fail(f"the emulator did not start (needs tests/emulator/requirements.txt):\n{process.stderr.read()}")
        try:
            yield url
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0


@pytest.fixture(scope="session", name="output_dir")
def fixture_output_dir():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


class Browser:
    """Headless Chromium, one process per page load, each with a throwaway profile."""

    def __init__(self, path, workdir):
        self.path = path
        self.workdir = workdir
        self.runs = 0

    def _run(self, url, *flags):
        self.runs += 1
        profile = self.workdir / f"profile-{self.runs}"
        command = [self.path, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *flags, url]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}"
        return result.stdout

    def dom(self, url, save_as=None):
        markup = self._run(url, "--dump-dom")
        assert "<html" in markup, f"no document from {url}: {markup[:200]!r}"
        if save_as is not None:
            save_as.write_text(markup, encoding="utf-8")
        return parse(markup)

    def screenshot(self, url, path):
        if path.exists():
            path.unlink()
        self._run(url, f"--screenshot={path}", "--window-size=1280,1000")
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
        assert path.stat().st_size > 10_000, f"{path} looks blank"
        print(f"screenshot: {path}")


@pytest.fixture(name="browser")
def fixture_browser(chromium, tmp_path):
    return Browser(chromium, tmp_path)


class PlaybookPublisher:
    """Moves the window with the collection's status_page_maintenance module, as the demo's deploy does."""

    how = "ansible-playbook with incident_io.status_page.status_page_maintenance"

    def __init__(self, url, workdir):
        self.url = url
        self.workdir = workdir
        collection = workdir / "collections" / "ansible_collections" / "incident_io" / "status_page"
        collection.parent.mkdir(parents=True)
        collection.symlink_to(REPO, target_is_directory=True)
        self.playbook = workdir / "window.yml"
        self.playbook.write_text(PLAYBOOK % {"page": json.dumps(PAGE_NAME), "name": json.dumps(WINDOW_NAME),
                                             "components": json.dumps(sorted(AFFECTED.values()))}, encoding="utf-8")

    def _run(self, state, message):
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(self.workdir / "collections"),
                   ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_HOME=str(self.workdir / "ansible-home"),
                   ANSIBLE_LOCAL_TEMP=str(self.workdir / "ansible-tmp"), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_LOCALHOST_WARNING="false",
                   INCIDENT_API_URL=self.url, INCIDENT_API_KEY=API_KEY)
        command = [sys.executable, "-m", "ansible", "playbook", "-i", "localhost,", str(self.playbook),
                   "-e", json.dumps({"window_state": state, "window_message": message})]
        result = subprocess.run(command, env=env, cwd=self.workdir, capture_output=True, text=True, timeout=300, check=False)
        print(result.stdout)
        assert result.returncode == 0, f"ansible-playbook failed:\n{result.stdout}\n{result.stderr}"
        assert "changed=1" in result.stdout, result.stdout

    def start(self):
        self._run("in_progress", START_MESSAGE)

    def complete(self):
        self._run("completed", COMPLETE_MESSAGE)


class ApiPublisher:
    """The same window, through the API directly (when ansible-core is not installed here)."""

    how = "the API with requests (ansible-core is not importable in this interpreter)"

    def __init__(self, url, workdir):
        del workdir
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {API_KEY}"
        self.window_id = None

    def _post(self, path, body):
        response = self.session.post(self.url + path, json=body, timeout=30)
        assert response.status_code == 201, response.text
        return response.json()

    def start(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        window = self._post("/v2/status_page_maintenances", {
            "status_page_id": PAGE_ID, "name": WINDOW_NAME, "maintenance_status": "maintenance_in_progress",
            "message": START_MESSAGE, "idempotency_key": str(uuid.uuid4()), "notify_subscribers": False,
            "affected_component_ids": sorted(AFFECTED), "start_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_at": (now + datetime.timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%SZ")})
        self.window_id = window["status_page_maintenance"]["id"]

    def complete(self):
        self._post("/v2/status_page_maintenance_updates", {
            "status_page_maintenance_id": self.window_id, "maintenance_status": "maintenance_complete",
            "message": COMPLETE_MESSAGE, "notify_subscribers": False})


@pytest.fixture(name="publisher")
def fixture_publisher(emulator_url, tmp_path):
    requests.post(f"{emulator_url}/_emulator/reset", timeout=10).raise_for_status()
    if importlib.util.find_spec("ansible") is not None:
        publisher = PlaybookPublisher(emulator_url, tmp_path)
    else:
        publisher = ApiPublisher(emulator_url, tmp_path)
        warnings.warn(f"subscriber view: the maintenance window goes through {publisher.how}", UserWarning)
    print(f"maintenance window driven through {publisher.how}")
    return publisher


# ----- tests -------------------------------------------------------------------------------------------


def test_index_links_to_the_status_page(emulator_url, browser, output_dir):
    document = browser.dom(emulator_url + "/", save_as=output_dir / "index.html")
    links = {link.text(): link.attrs["href"] for link in document.find_all(lambda node: node.tag == "a")}
    assert links == {PAGE_NAME: f"/status/{PAGE_ID}"}
    assert [node.text() for node in document.by_class("status")] == ["Operational"]


def test_deploy_window_as_a_subscriber_sees_it(emulator_url, browser, publisher, output_dir):
    page_url = f"{emulator_url}/status/{PAGE_ID}"

    publisher.start()
    document = browser.dom(page_url, save_as=output_dir / "subscriber-view-in-progress.html")
    assert document.find(lambda node: node.tag == "h1").text() == PAGE_NAME
    assert document.by_class("banner")[0].text() == "Maintenance in progress"
    under_maintenance = {name.split("/")[-1] for name in AFFECTED.values()}
    assert component_statuses(document) == {
        name: "Under maintenance" if name in under_maintenance else "Operational" for name in COMPONENTS.values()}
    rows = document.find_all(lambda node: node.tag == "li" and node.attrs.get("data-status") == "under_maintenance")
    assert all("under_maintenance" in row.find(lambda node: "status" in node.classes).classes for row in rows)
    windows = list(document.find_all(lambda node: node.tag == "article" and "maintenance" in node.classes))
    assert len(windows) == 1 and WINDOW_NAME in windows[0].text() and "In progress" in windows[0].text()
    assert START_MESSAGE in windows[0].text()
    browser.screenshot(page_url, output_dir / "subscriber-view-in-progress.png")

    publisher.complete()
    document = browser.dom(page_url, save_as=output_dir / "subscriber-view-complete.html")
    assert document.by_class("banner")[0].text() == "All systems operational"
    assert component_statuses(document) == {name: "Operational" for name in COMPONENTS.values()}
    assert not document.by_class("maintenances"), "a completed window is no longer shown as ongoing"
    past = [entry.text() for entry in document.by_class("past")]
    assert len(past) == 1 and WINDOW_NAME in past[0] and COMPLETE_MESSAGE in past[0]
    browser.screenshot(page_url, output_dir / "subscriber-view-complete.png")
