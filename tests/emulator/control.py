# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-side machinery: request log, fault injection and per-key rate limiting."""

from __future__ import annotations

import datetime
import math
import threading
import time

from api_errors import invalid_request

DEFAULT_RATE_LIMIT = {"capacity": 1200, "refill_per_second": 20.0}
# CreateStatusPageRetrospectiveIncident has its own, lower limit (operation description).
RETROSPECTIVE_RATE_LIMIT = {"capacity": 300, "refill_per_second": 5.0}
FAULT_ACTIONS = ("status", "delay", "drop")
FAULT_WHEN = ("before", "after")


class RequestLog:
    """Every API request, with the Authorization value replaced before it is stored."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []
        self.seq = 0

    def add(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.entries.append(entry)
        return entry

    def dump(self):
        with self.lock:
            return [dict(entry) for entry in self.entries]

    def clear(self, restart_seq=False):
        with self.lock:
            self.entries = []
            if restart_seq:
                self.seq = 0


class Fault:
    """One pending fault, consumed by the next ``count`` matching requests."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise invalid_request("invalid_body", "A fault must be a JSON object")
        for name in ("method", "path"):
            if not isinstance(spec.get(name), str) or not spec[name]:
                raise invalid_request("is_required", f"{name} is required (a string)", name)
        self.method = spec["method"].upper()
        self.path = spec["path"]
        self.count = _number(spec, "count", 1, integer=True, minimum=1)
        self.action = _choice(spec, "action", FAULT_ACTIONS)
        self.when = _choice(spec, "when", FAULT_WHEN)
        self.status = _number(spec, "status", 503, integer=True, minimum=100, maximum=599)
        self.delay = _number(spec, "delay", 1.0, minimum=0)
        headers = spec.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(value, str) for value in headers.values()):
            raise invalid_request("invalid_value", "headers must map names to strings", "headers")
        self.headers = dict(headers)
        unknown = set(spec) - {"method", "path", "count", "action", "when", "status", "delay", "headers"}
        if unknown:
            raise invalid_request("unknown_field", f"Unknown fault field {sorted(unknown)[0]!r}", sorted(unknown)[0])

    def matches(self, method, path):
        if self.method not in ("*", method):
            return False
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path

    def to_api(self):
        return {"method": self.method, "path": self.path, "count": self.count, "action": self.action, "when": self.when,
                "status": self.status, "delay": self.delay, "headers": dict(self.headers)}


def _choice(spec, name, choices):
    value = spec.get(name, choices[0])
    if value not in choices:
        raise invalid_request("invalid_value", f"{name} must be one of: {', '.join(choices)}", name)
    return value


def _number(spec, name, default, integer=False, minimum=None, maximum=None):
    value = spec.get(name, default)
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or (minimum is not None and value < minimum) \
            or (maximum is not None and value > maximum):
        raise invalid_request("invalid_value", f"{name} must be a {'whole ' if integer else ''}number in range", name)
    return value


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.pending = []

    def add(self, spec):
        fault = Fault(spec)
        with self.lock:
            self.pending.append(fault)
        return fault

    def take(self, method, path):
        """Consume one use of the first pending fault matching the request."""
        with self.lock:
            for fault in self.pending:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.pending.remove(fault)
                    return fault
        return None

    def dump(self):
        with self.lock:
            return [fault.to_api() for fault in self.pending]

    def clear(self):
        with self.lock:
            self.pending = []


class RateLimiter:
    """Token buckets per API key: full at ``capacity``, refilling continuously (no fixed window)."""

    def __init__(self, config=None):
        self.lock = threading.Lock()
        self.config = dict(DEFAULT_RATE_LIMIT)
        self.configure(config or {})

    def configure(self, config):
        if not isinstance(config, dict):
            raise invalid_request("invalid_body", "The rate limit must be a JSON object")
        capacity = _number(config, "capacity", self.config["capacity"], integer=True, minimum=1)
        refill = _number(config, "refill_per_second", self.config["refill_per_second"], minimum=0.001)
        with self.lock:
            self.config = {"capacity": capacity, "refill_per_second": float(refill)}
            self.buckets = {}
        return dict(self.config)

    def reset(self):
        with self.lock:
            self.buckets = {}

    def consume(self, key, bucket="default"):
        """Take one token; return ``(allowed, headers, retry_after_seconds, limit)``."""
        config = RETROSPECTIVE_RATE_LIMIT if bucket == "retrospective" else self.config
        capacity, refill = config["capacity"], config["refill_per_second"]
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get((key, bucket), (float(capacity), now))
            tokens = min(float(capacity), tokens + (now - last) * refill)
            allowed = tokens >= 1
            if allowed:
                tokens -= 1
            self.buckets[(key, bucket)] = (tokens, now)
        reset_at = time.time() + (capacity - tokens) / refill
        headers = {"X-RateLimit-Limit": str(capacity), "X-RateLimit-Remaining": str(int(tokens)),
                   "X-RateLimit-Used": str(capacity - int(tokens)), "X-RateLimit-Reset": str(math.ceil(reset_at))}
        retry_after = max(1, math.ceil((1 - tokens) / refill)) if not allowed else 0
        return allowed, headers, retry_after, capacity


def rfc3339_in(seconds):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
