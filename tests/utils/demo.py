# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deploy demo behind ``make demo``.

Starts the status-page emulator with the demo seed, runs ``docs/examples/deploy.yml`` against it (a deploy
wrapped by the ``maintenance_window`` role), prints the page's timeline as the API reports it and the address
of the emulator's page view, then stops the emulator (``--keep`` leaves it running).

Run it with an interpreter that has ansible-core and the emulator's requirements, for example
``.nox/demo/bin/python tests/utils/demo.py [--keep] [-- extra ansible-playbook arguments]`` (the venv of ``make demo``).
Only the standard library is used here.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import typing as t
import urllib.parse
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATOR = os.path.join(REPO_ROOT, "tests", "emulator", "server.py")
SEED = os.path.join(REPO_ROOT, "tests", "emulator", "seeds", "demo.yml")
EXAMPLES = os.path.join(REPO_ROOT, "docs", "examples")
PLAYBOOK = os.path.join(EXAMPLES, "deploy.yml")
INVENTORY = os.path.join(EXAMPLES, "inventory.yml")

# Keys of the demo seed: the playbook publishes with the first, the timeline is read with the second.
PUBLISHER_KEY = "demo-publisher-key"
READONLY_KEY = "demo-readonly-key"
STATUS_PAGE = "Acme Cloud"

# With --keep, the emulator stays on a fixed port so that the printed address stays the same between runs.
KEEP_PORT = 8765
START_TIMEOUT = 30
STOP_TIMEOUT = 10

STATUS_LABELS = {
    "maintenance_scheduled": "scheduled",
    "maintenance_in_progress": "in progress",
    "maintenance_complete": "complete",
}


class DemoError(Exception):
    """A problem that stops the demo, with a message for the user."""


def port_is_free(port: int) -> bool:
    """Whether 127.0.0.1:port can be bound right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_emulator(python: str, port: int, work_dir: str) -> tuple[subprocess.Popen, str, str]:
    """Start the emulator in its own session; return (process, URL, log path)."""
    url_file = os.path.join(work_dir, "url")
    log_path = os.path.join(work_dir, "emulator.log")

    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [python, EMULATOR, "--port", str(port), "--seed", SEED, "--url-file", url_file],
            cwd=os.path.dirname(EMULATOR),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # A Ctrl-C in the terminal is for the demo; the demo decides when the emulator stops.
            start_new_session=True,
        )

    deadline = time.monotonic() + START_TIMEOUT

    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DemoError(f"the emulator exited with status {process.returncode}:\n{read_text(log_path)}")

        url = read_text(url_file).strip()

        if url.startswith("http://"):
            return process, url, log_path

        time.sleep(0.1)

    stop_emulator(process)
    raise DemoError(f"the emulator did not start within {START_TIMEOUT}s:\n{read_text(log_path)}")


def stop_emulator(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if the emulator has not exited after STOP_TIMEOUT seconds."""
    if process.poll() is not None:
        return

    process.send_signal(signal.SIGTERM)

    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def read_text(path: str) -> str:
    """The file's content, or an empty string when it does not exist yet."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def collections_tree(work_dir: str) -> str:
    """A collections root whose incident_io/status_page is this checkout, as ansible-playbook needs."""
    root = os.path.join(work_dir, "collections")
    namespace_dir = os.path.join(root, "ansible_collections", "incident_io")
    os.makedirs(namespace_dir)
    os.symlink(REPO_ROOT, os.path.join(namespace_dir, "status_page"))
    return root


def ansible_playbook_command(python: str) -> list[str]:
    """ansible-playbook of the interpreter's environment, else the one on PATH."""
    beside = os.path.join(os.path.dirname(python), "ansible-playbook")

    if os.access(beside, os.X_OK):
        return [beside]

    found = shutil.which("ansible-playbook")

    if found:
        return [found]

    raise DemoError(f"ansible-playbook not found next to {python} nor on PATH; install ansible-core")


def run_playbook(python: str, url: str, collections_root: str, extra_args: t.Sequence[str]) -> int:
    """Run the deploy example against the emulator, streaming its output; return its exit status."""
    env = dict(os.environ)
    # The emulator, not a real account: drop whatever credentials the shell has.
    for name in ("INCIDENT_IO_API_KEY", "INCIDENT_ENDPOINT", "ANSIBLE_COLLECTIONS_PATHS"):
        env.pop(name, None)
    env.update(
        {
            "INCIDENT_API_KEY": PUBLISHER_KEY,
            "INCIDENT_API_URL": url,
            "ANSIBLE_COLLECTIONS_PATH": collections_root,
            "ANSIBLE_NOCOWS": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
        }
    )
    command = ansible_playbook_command(python) + ["-i", INVENTORY, PLAYBOOK] + list(extra_args)
    print(f"$ ansible-playbook -i {os.path.relpath(INVENTORY, REPO_ROOT)} {os.path.relpath(PLAYBOOK, REPO_ROOT)}", *extra_args, flush=True)
    return subprocess.call(command, cwd=EXAMPLES, env=env, stdin=subprocess.DEVNULL)


def api_get(url: str, path: str, query: dict | None = None) -> dict:
    """One GET on the API with the read-only key."""
    address = url + path + ("?" + urllib.parse.urlencode(query) if query else "")
    request = urllib.request.Request(address, headers={"Authorization": f"Bearer {READONLY_KEY}", "Accept": "application/json"})

    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def api_list(url: str, path: str, key: str, query: dict) -> list[dict]:
    """Every item of a paginated list endpoint."""
    items: list[dict] = []
    after = None

    while True:
        page_query = dict(query, page_size=250)

        if after:
            page_query["after"] = after

        body = api_get(url, path, page_query)
        items.extend(body.get(key) or [])
        after = (body.get("pagination_meta") or {}).get("after")

        if not after or not body.get(key):
            return items


def parse_time(value: str) -> datetime.datetime:
    """An API timestamp as an aware datetime."""
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def clock(value: str | None) -> str:
    """HH:MM:SS.mmm of an API timestamp, in UTC."""
    if not value:
        return "?"
    return parse_time(value).astimezone(datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]


def component_names(url: str, status_page_id: str) -> dict[str, str]:
    """Component ID to name, from the page structure."""
    names: dict[str, str] = {}

    def visit(items: list) -> None:
        for item in items or []:
            if item.get("component"):
                names[item["component"]["component_id"]] = item["component"]["name"]
            if item.get("group"):
                for component in item["group"].get("components") or []:
                    names[component["component_id"]] = component["name"]
            if item.get("sub_page"):
                visit(item["sub_page"].get("items"))

    structure = api_get(url, f"/v2/status_page_structures/{status_page_id}")
    visit((structure.get("current_structure") or {}).get("items"))
    return names


def print_timeline(url: str) -> str:
    """Print the page's maintenance windows and incidents, event by event, as the API reports them; return the page's ID."""
    pages = api_list(url, "/v2/status_pages", "status_pages", {})
    page = next((candidate for candidate in pages if candidate["name"] == STATUS_PAGE), None)

    if page is None:
        raise DemoError(f"the emulator has no status page named {STATUS_PAGE!r}")

    names = component_names(url, page["id"])
    maintenances = api_list(url, "/v2/status_page_maintenances", "status_page_maintenances", {"status_page_id": page["id"]})
    incidents = api_list(url, "/v2/status_page_incidents", "status_page_incidents", {"status_page_id": page["id"]})

    print()
    print(f"Timeline of the {STATUS_PAGE} status page, as GET /v2/status_page_maintenances reports it (UTC):")

    if not maintenances:
        print("  (no maintenance window)")

    for window in sorted(maintenances, key=lambda item: item["published_at"]):
        periods = window.get("component_maintenance_periods") or []
        starts = [period["start_at"] for period in periods if period.get("start_at")]
        ends = [period["end_at"] for period in periods if period.get("end_at")]
        components = ", ".join(names.get(period["component_id"], period["component_id"]) for period in periods)
        print()
        print(f"  {window['name']}  [{window['id']}]")
        print(f"    planned {clock(min(starts) if starts else None)} - {clock(max(ends) if ends else None)}; components: {components}")
        print(f"    {clock(window['published_at'])}  window created")

        for update in sorted(window.get("updates") or [], key=lambda item: item["published_at"]):
            label = STATUS_LABELS.get(update.get("maintenance_status"), update.get("maintenance_status") or "update")
            print(f"    {clock(update['published_at'])}  {label:<12} {update.get('message', '')}")

        print(f"    now: {STATUS_LABELS.get(window['maintenance_status'], window['maintenance_status'])}")

    for incident in sorted(incidents, key=lambda item: item["published_at"]):
        print()
        print(f"  Incident: {incident['name']}  [{incident['id']}]")

        for update in sorted(incident.get("updates") or [], key=lambda item: item["published_at"]):
            print(f"    {clock(update['published_at'])}  {update.get('incident_status', ''):<12} {update.get('message', '')}")

    return page["id"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--keep", action="store_true", help="leave the emulator running at the end")
    parser.add_argument("--port", type=int, help=f"emulator port (default: any free port; {KEEP_PORT} with --keep when free)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with ansible-core and the emulator's requirements")
    parser.add_argument("playbook_args", nargs="*", help="extra ansible-playbook arguments, after --")
    options = parser.parse_args()

    port = options.port

    if port is None:
        port = KEEP_PORT if options.keep and port_is_free(KEEP_PORT) else 0

    work_dir = tempfile.mkdtemp(prefix="status_page-demo-")
    emulator = None
    started = time.monotonic()

    try:
        emulator, url, log_path = start_emulator(options.python, port, work_dir)
        print(f"Emulator of the incident.io status-page API with the demo seed: {url}", flush=True)
        returncode = run_playbook(options.python, url, collections_tree(work_dir), options.playbook_args)
        status_page_id = print_timeline(url)
        print()
        print(f"Page view: {url}/status/{status_page_id}  (all pages: {url}/)")

        if options.keep:
            print(f"The emulator keeps running (PID {emulator.pid}, log {log_path}); stop it with: kill {emulator.pid}")
            emulator = None
        else:
            print("The emulator stops now; `make demo KEEP=1` leaves it running to open the page view.")

        print(f"Demo finished in {time.monotonic() - started:.1f}s" + ("" if returncode == 0 else f"; ansible-playbook exited with status {returncode}"))
        return returncode
    except DemoError as ex:
        print(f"demo: {ex}", file=sys.stderr)
        return 1
    finally:
        if emulator is not None:
            stop_emulator(emulator)

        # The emulator kept by --keep writes its log here.
        if not options.keep:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            shutil.rmtree(os.path.join(work_dir, "collections"), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
