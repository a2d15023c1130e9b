# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Alert maintenance windows (MaintenanceWindows V1): alerts that match conditions are suppressed or rerouted
between ``start_at`` and ``end_at``.

The API accepts references (a subject's reference, an operation's value, a user by email, ID or Slack ID) and
answers with labelled objects (``{label, reference}``, ``{label, value}``, bindings with labels, the lead as an
actor); this module keeps the accepted form and renders the answered one. README.md lists every reading.
"""

from __future__ import annotations

from api_errors import ApiError, error_item, invalid_request, not_found, validation_error
from validation import parse_time

STATUSES = ("active", "upcoming", "past")

# Engine references that every organisation has; alert attributes add ``alert.attributes.<id>`` from the seed.
BUILTIN_SUBJECTS = {"alert.title": "Alert title", "alert.description": "Alert description"}
ATTRIBUTE_PREFIX = "alert.attributes."
# Operation value -> (label, what its parameter binding holds: None for no binding, "value" or "array_value").
OPERATIONS = {
    "contains": ("contains", "value"),
    "does_not_contain": ("does not contain", "value"),
    "starts_with": ("starts with", "value"),
    "is": ("is", "value"),
    "is_not": ("is not", "value"),
    "one_of": ("is one of", "array_value"),
    "not_one_of": ("is not one of", "array_value"),
    "is_set": ("is set", None),
    "is_not_set": ("is not set", None),
}
USER_FIELDS = ("id", "email", "slack_user_id")


class AlertWindow:
    """One window, kept in the form the API accepts; ``to_api`` renders the form it answers with."""

    def __init__(self, window_id, created_at):
        self.id = window_id
        self.created_at = created_at
        self.updated_at = created_at
        self.archived_at = None
        self.payload = {}
        self.lead = None
        self.start_at = None
        self.end_at = None

    def status(self, now):
        if self.end_at <= now:
            return "past"
        if now < self.start_at:
            return "upcoming"
        return "active"


class AlertWindows:
    """The organisation's alert maintenance windows, its users and its alert attributes (from the seed)."""

    def __init__(self, seed, now, new_id, fmt):
        self.now = now
        self.new_id = new_id
        self.fmt = fmt
        self.users = [dict(user) for user in seed.get("users", [])]
        for user in self.users:
            if not user.get("id") or not user.get("name"):
                raise ValueError(f"every users entry needs an id and a name: {user!r}")
        self.subjects = dict(BUILTIN_SUBJECTS)
        for attribute in seed.get("alert_attributes", []):
            self.subjects[ATTRIBUTE_PREFIX + attribute["id"]] = attribute["name"]
        self.escalation_paths = {path["id"]: path["name"] for path in seed.get("escalation_paths", [])}
        self.windows = {}

    # ----- reads ---------------------------------------------------------------------------------

    def _window(self, window_id):
        window = self.windows.get(window_id)
        if window is None:
            raise not_found("Maintenance window")
        return window

    def show(self, window_id):
        return 200, {"maintenance_window": self.to_api(self._window(window_id))}

    def list(self, query):
        now = self.now()
        # Newest first (ties by ID); archived windows keep their place, so a cursor naming one stays valid.
        ordered = sorted(self.windows.values(), key=lambda window: (window.created_at, window.id), reverse=True)
        after = query.get("after")
        if after is not None:
            ids = [window.id for window in ordered]
            if after not in ids:
                raise invalid_request("invalid_parameter", f"Unknown cursor {after!r}", "after")
            ordered = ordered[ids.index(after) + 1:]
        wanted = query.get("status")
        items = [window for window in ordered
                 if window.archived_at is None and (wanted is None or window.status(now) == wanted)]
        page_size = query["page_size"]
        page = items[:page_size]
        meta = {"page_size": page_size}
        if len(items) > page_size:
            meta["after"] = page[-1].id
        return 200, {"maintenance_windows": [self.to_api(window) for window in page], "pagination_meta": meta}

    # ----- writes --------------------------------------------------------------------------------

    def create(self, body):
        now = self.now()
        window = AlertWindow(self.new_id(now), now)
        self._apply(window, body)
        self.windows[window.id] = window
        return 201, {"maintenance_window": self.to_api(window)}

    def update(self, window_id, body):
        window = self._window(window_id)
        if window.archived_at is not None:
            raise validation_error("archived", "An archived maintenance window cannot be updated", "id")
        # PUT replaces the whole window: a field left out is cleared (or back to its default).
        self._apply(window, body)
        window.updated_at = self.now()
        return 200, {"maintenance_window": self.to_api(window)}

    def archive(self, window_id):
        window = self._window(window_id)
        if window.archived_at is not None:
            raise not_found("Maintenance window")
        now = self.now()
        if window.status(now) == "active":
            raise validation_error("window_active",
                                   "An active maintenance window cannot be archived; end it first (set end_at to now)",
                                   "id")
        window.archived_at = now
        window.updated_at = now
        return 204, None

    def _apply(self, window, body):
        errors = []
        start, end = parse_time(body["start_at"]), parse_time(body["end_at"])
        if end <= start:
            errors.append(error_item("invalid_time_range", "end_at must be after start_at", "end_at"))
        if not body["name"].strip():
            errors.append(error_item("is_required", "name must not be blank", "name"))
        lead = self._lead(body["lead"], errors)
        for group_index, group in enumerate(body["alert_condition_groups"]):
            for index, condition in enumerate(group["conditions"]):
                self._check_condition(condition, f"alert_condition_groups.{group_index}.conditions.{index}", errors)
        for index, target in enumerate(body.get("escalation_targets") or []):
            for part in ("escalation_paths", "users"):
                if part in target:
                    self._check_binding(target[part], f"escalation_targets.{index}.{part}", errors)
        for index, channel in enumerate(body.get("notify_channels") or []):
            if not channel["channel_id"].strip():
                errors.append(error_item("is_required", "channel_id must not be blank", f"notify_channels.{index}.channel_id"))
        for name in ("notify_start_minutes_before", "notify_end_minutes_before"):
            if body.get(name) is not None and body[name] < 0:
                errors.append(error_item("too_small", f"{name} must not be negative", name))
        if errors:
            raise ApiError(422, errors)
        window.payload = dict(body)
        window.lead = lead
        window.start_at, window.end_at = start, end

    def _lead(self, reference, errors):
        given = {name: reference[name] for name in USER_FIELDS if reference.get(name)}
        if not given:
            errors.append(error_item("is_required", "lead needs one of id, email or slack_user_id", "lead"))
            return None
        found = []
        for name, value in given.items():
            if name == "email":
                # Email addresses compare without regard to case; IDs are exact.
                matches = [user for user in self.users if (user.get("email") or "").lower() == value.lower()]
            else:
                matches = [user for user in self.users if user.get(name) == value]
            if not matches:
                errors.append(error_item("unknown_user", f"No user with {name} {value!r}", f"lead.{name}"))
                return None
            found.append(matches[0])
        if any(user["id"] != found[0]["id"] for user in found):
            errors.append(error_item("invalid_value", "id, email and slack_user_id of lead name different users", "lead"))
            return None
        return found[0]

    def _check_condition(self, condition, field, errors):
        if condition["subject"] not in self.subjects:
            errors.append(error_item("invalid_value", f"Unknown subject {condition['subject']!r}", f"{field}.subject"))
        operation = OPERATIONS.get(condition["operation"])
        if operation is None:
            errors.append(error_item("invalid_value", f"operation must be one of: {', '.join(OPERATIONS)}", f"{field}.operation"))
            return
        bindings = condition["param_bindings"]
        expected = 0 if operation[1] is None else 1
        if len(bindings) != expected:
            errors.append(error_item("invalid_value", f"{condition['operation']} takes {expected} parameter binding(s), "
                                     f"got {len(bindings)}", f"{field}.param_bindings"))
            return
        for index, binding in enumerate(bindings):
            if operation[1] == "array_value" and not binding.get("array_value"):
                errors.append(error_item("is_required", f"{condition['operation']} needs an array_value",
                                         f"{field}.param_bindings.{index}.array_value"))
            elif operation[1] == "value" and "value" not in binding:
                errors.append(error_item("is_required", f"{condition['operation']} needs a value",
                                         f"{field}.param_bindings.{index}.value"))
            self._check_binding(binding, f"{field}.param_bindings.{index}", errors)

    @staticmethod
    def _check_binding(binding, field, errors):
        if "value" not in binding and not binding.get("array_value"):
            errors.append(error_item("is_required", "a binding needs a value or an array_value", field))
        values = ([("value", binding["value"])] if "value" in binding else []) + \
            [(f"array_value.{index}", item) for index, item in enumerate(binding.get("array_value") or [])]
        for name, value in values:
            if value.get("literal") is None and value.get("reference") is None:
                errors.append(error_item("is_required", "a value needs a literal or a reference", f"{field}.{name}"))

    # ----- the answer's shape --------------------------------------------------------------------

    def _label(self, value, kind=None):
        """A binding value with its label: the subject's name for a reference, the user's name for a user ID."""
        result = {key: value[key] for key in ("literal", "reference") if value.get(key) is not None}
        if "reference" in result:
            result["label"] = self.subjects.get(result["reference"], result["reference"])
        elif kind == "users":
            user = next((user for user in self.users if user["id"] == result["literal"]), None)
            result["label"] = user["name"] if user else result["literal"]
        elif kind == "escalation_paths":
            result["label"] = self.escalation_paths.get(result["literal"], result["literal"])
        else:
            result["label"] = result["literal"]
        return result

    def _binding(self, binding, kind=None):
        result = {}
        if "value" in binding:
            result["value"] = self._label(binding["value"], kind)
        if binding.get("array_value"):
            result["array_value"] = [self._label(item, kind) for item in binding["array_value"]]
        return result

    def to_api(self, window):
        body = window.payload
        user = {key: window.lead[key] for key in ("id", "name", "email", "slack_user_id") if window.lead.get(key)}
        user["role"] = window.lead.get("role", "responder")
        result = {
            "id": window.id,
            "name": body["name"],
            "lead": {"user": user},
            "start_at": self.fmt(window.start_at),
            "end_at": self.fmt(window.end_at),
            "alert_condition_groups": [
                {"conditions": [{
                    "subject": {"label": self.subjects[condition["subject"]], "reference": condition["subject"]},
                    "operation": {"label": OPERATIONS[condition["operation"]][0], "value": condition["operation"]},
                    "param_bindings": [self._binding(binding) for binding in condition["param_bindings"]],
                } for condition in group["conditions"]]}
                for group in body["alert_condition_groups"]
            ],
            "resolve_on_end": bool(body.get("resolve_on_end", False)),
            "reroute_on_end": bool(body.get("reroute_on_end", False)),
            "show_in_sidebar": body["show_in_sidebar"],
            "created_at": self.fmt(window.created_at),
            "updated_at": self.fmt(window.updated_at),
        }
        # Optional fields that were never given (or were cleared by a PUT) are left out, not null.
        if window.archived_at is not None:
            result["archived_at"] = self.fmt(window.archived_at)
        if body.get("escalation_targets"):
            result["escalation_targets"] = [{part: self._binding(target[part], part) for part in ("escalation_paths", "users")
                                             if part in target} for target in body["escalation_targets"]]
        if body.get("notify_channels"):
            result["notify_channels"] = [dict(channel, is_private=channel["channel_type"] == "private")
                                         for channel in body["notify_channels"]]
        for name in ("incident_id", "notification_message"):
            if body.get(name):
                result[name] = body[name]
        for name in ("notify_start_minutes_before", "notify_end_minutes_before"):
            if body.get(name) is not None:
                result[name] = body[name]
        return result

    def state(self):
        now = self.now()
        return [dict(self.to_api(window), status=window.status(now))
                for window in sorted(self.windows.values(), key=lambda window: (window.created_at, window.id))]
