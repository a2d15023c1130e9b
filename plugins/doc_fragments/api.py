# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The connection options every module of the collection takes.
    DOCUMENTATION = r"""
options:
  api_key:
    description:
      - An incident.io API key (Settings > API keys in the dashboard).
      - Reading status pages needs no particular permission. Writing to them needs the permission
        C(Create status page incidents, status page maintenance windows, and publish status page updates).
      - Alert maintenance windows need scopes of their own, reads included; see the notes of
        M(incident_io.status_page.alert_maintenance_window).
      - If not set, the value of the E(INCIDENT_API_KEY) environment variable is used, then E(INCIDENT_IO_API_KEY).
        A variable that is empty counts as not set.
      - Required. When it is set nowhere, the module fails before any request with a message that names the ways to
        give it (this option, C(module_defaults) for C(group/incident_io.status_page.status_page), or
        E(INCIDENT_API_KEY)).
      - Blank space around the key (such as the newline of a key read from a file) is ignored.
      - The key is never printed, logged or returned.
    type: str
  api_url:
    description:
      - Base URL of the incident.io API.
      - If not set, the value of the E(INCIDENT_API_URL) environment variable is used, then E(INCIDENT_ENDPOINT),
        then V(https://api.incident.io). A variable that is empty counts as not set.
      - Redirects are not followed, so a request only ever goes to this address.
      - Plain C(http://) is accepted only for loopback hosts (C(127.0.0.1), C(::1), C(localhost)), for example
        the collection's API emulator.
    type: str
    default: https://api.incident.io
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate.
      - Set to V(false) only against a test server you control.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP request.
      - Also the longest a write module waits for another run on the same host that manages the same object.
    type: float
    default: 30
  retries:
    description:
      - How many times a request is retried after a rate limit (HTTP 429, honouring C(Retry-After)),
        a connection failure, or a server error (HTTP 5xx).
      - Reads and creates (which carry an idempotency key) are retried on server errors and timeouts.
        An update is never sent twice blindly; the object is read again to see whether the update landed first.
      - V(0) disables retries.
    type: int
    default: 5
requirements:
  - requests
notes:
  - The API key is sent as a C(Bearer) token over HTTPS; it is marked C(no_log) and removed from every message.
"""
