# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-memory state and the semantics of the status-page API.

Every public method takes already schema-validated input and returns ``(status, body)``;
semantic failures raise :class:`api_errors.ApiError`. One lock serialises all of it.
"""

from __future__ import annotations

import datetime
import math
import random
import threading
import time

import yaml

from alert_windows import AlertWindows
from api_errors import ApiError, error_item, invalid_request, not_found, validation_error
from validation import parse_time

UTC = datetime.timezone.utc
MAX_UPDATES = 100
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
INCIDENT_ENDPOINT = "POST /v2/status_page_incidents"
RETROSPECTIVE_ENDPOINT = "POST /v2/status_page_retrospective_incidents"
MAINTENANCE_ENDPOINT = "POST /v2/status_page_maintenances"
DEFAULT_DATA_SINCE = "2024-01-01T00:00:00Z"
MANAGED_BY_DASHBOARD = {"annotations": {}, "managed_by": "dashboard"}


def fmt(moment):
    """Timestamps as the API writes them: UTC, microseconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id(moment=None):
    """A 26-character ULID: 48-bit millisecond time, then 80 random bits, Crockford base32."""
    millis = int((moment.timestamp() if moment else time.time()) * 1000)
    value = (millis << 80) | random.getrandbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


class Page:
    """A status page and its structure, flattened into lookup sets."""

    def __init__(self, seed, components):
        self.id = seed["id"]
        self.name = seed["name"]
        self.public_url = seed.get("public_url")
        self.description = seed.get("description")
        self.display_uptime_mode = seed.get("display_uptime_mode", "chart_and_percentage")
        self.data_available_since = parse_time(seed.get("data_available_since", DEFAULT_DATA_SINCE))
        self.component_ids = set()
        self.groups = {}
        self.sub_pages = {}
        self.items = [self._item(item, components, None) for item in seed.get("structure", [])]

    def _component(self, seed, components, group_id, sub_page_id):
        component_id = seed["id"]
        if component_id not in components:
            components[component_id] = {"id": component_id, "name": seed["name"]}
            if seed.get("description"):
                components[component_id]["description"] = seed["description"]
        self.component_ids.add(component_id)
        if group_id:
            self.groups[group_id].add(component_id)
        if sub_page_id:
            self.sub_pages[sub_page_id].add(component_id)
        return {"component_id": component_id, "hidden": bool(seed.get("hidden", False)),
                "display_uptime": bool(seed.get("display_uptime", True))}

    def _item(self, seed, components, sub_page_id):
        if "component" in seed:
            return {"component": self._component(seed["component"], components, None, sub_page_id)}
        if "group" in seed:
            group = seed["group"]
            self.groups[group["id"]] = set()
            rendered = {"id": group["id"], "name": group["name"], "hidden": bool(group.get("hidden", False)),
                        "display_aggregated_uptime": bool(group.get("display_aggregated_uptime", True)),
                        "components": [self._component(item, components, group["id"], sub_page_id)
                                       for item in group.get("components", [])]}
            if group.get("description"):
                rendered["description"] = group["description"]
            return {"group": rendered}
        if "sub_page" in seed and sub_page_id is None:
            sub_page = seed["sub_page"]
            self.sub_pages[sub_page["id"]] = set()
            return {"sub_page": {"id": sub_page["id"], "name": sub_page["name"],
                                 "items": [self._item(item, components, sub_page["id"]) for item in sub_page.get("items", [])]}}
        raise ValueError(f"structure item must hold one of component, group or sub_page (sub-pages do not nest): {seed!r}")

    def to_api(self):
        result = {"id": self.id, "name": self.name}
        if self.public_url:
            result["public_url"] = self.public_url
        if self.description:
            result["description"] = self.description
        return result

    def structure(self, components):
        def render(item):
            if "component" in item:
                return {"component": dict(item["component"], name=components[item["component"]["component_id"]]["name"])}
            if "group" in item:
                group = dict(item["group"])
                group["components"] = [dict(entry, name=components[entry["component_id"]]["name"]) for entry in group["components"]]
                return {"group": group}
            sub_page = dict(item["sub_page"])
            sub_page["items"] = [render(entry) for entry in sub_page["items"]]
            return {"sub_page": sub_page}
        return {"current_structure": {"items": [render(item) for item in self.items]},
                "display_uptime_mode": self.display_uptime_mode,
                "management_meta": dict(MANAGED_BY_DASHBOARD, annotations={})}


class Incident:
    """A status page incident with its updates and component impact timeline."""

    def __init__(self, page_id, name, published_at, idempotency_key):
        self.id = new_id(published_at)
        self.page_id = page_id
        self.name = name
        self.published_at = published_at
        self.idempotency_key = idempotency_key
        self.status = None
        self.updates = []
        self.impacts = []
        self.statuses = {}
        self.resolved_at = None

    def apply(self, moment, status, message, component_statuses):
        """Publish one update: move component statuses and keep the impact timeline in step."""
        if status is not None:
            self.status = status
        for entry in component_statuses or []:
            self._move(entry["component_id"], entry["component_status"], moment)
        if self.status == "resolved":
            for component_id in self.statuses:
                self._move(component_id, "operational", moment)
            self.resolved_at = moment
        else:
            self.resolved_at = None
        self.updates.append({
            "id": new_id(moment), "status_page_incident_id": self.id, "published_at": moment,
            "message": message, "incident_status": self.status,
            # The update carries every affected component's status after it, so a resolve lists
            # them all as operational (the API only says they "update to operational").
            "component_statuses": [{"component_id": cid, "component_status": cs} for cid, cs in self.statuses.items()],
        })
        return self.updates[-1]

    def _move(self, component_id, status, moment):
        if self.statuses.get(component_id) == status:
            return
        self.statuses[component_id] = status
        for impact in self.impacts:
            if impact["component_id"] == component_id and impact["end_at"] is None:
                impact["end_at"] = moment
        if status != "operational":
            self.impacts.append({"component_id": component_id, "component_status": status, "start_at": moment, "end_at": None})

    def interval(self):
        start = min([self.published_at] + [impact["start_at"] for impact in self.impacts])
        if self.resolved_at is None:
            return start, None
        return start, max([self.resolved_at] + [impact["end_at"] for impact in self.impacts if impact["end_at"]])

    def affected(self):
        return set(self.statuses)

    def to_api(self):
        return {
            "id": self.id, "status_page_id": self.page_id, "name": self.name,
            "published_at": fmt(self.published_at), "incident_status": self.status,
            "updates": [update_to_api(update) for update in self.updates],
            "component_impacts": [period_to_api(impact) for impact in self.impacts],
        }


class Maintenance:
    """A maintenance window; its schedule lives in one period per affected component."""

    def __init__(self, page_id, name, published_at, idempotency_key, window, automate):
        self.id = new_id(published_at)
        self.page_id = page_id
        self.name = name
        self.published_at = published_at
        self.idempotency_key = idempotency_key
        self.start_at, self.end_at = window
        self.automate = automate
        self.status = None
        self.updates = []
        self.statuses = {}
        self.completed_at = None

    def apply(self, moment, status, message, component_statuses, affected=None):
        if status is not None:
            self.status = status
        defaults = {"maintenance_scheduled": "operational", "maintenance_in_progress": "under_maintenance",
                    "maintenance_complete": "operational"}
        # Inference: a status change moves every affected component to the status it implies,
        # unless the update says otherwise for a component.
        if status is not None or affected is not None:
            for component_id in affected if affected is not None else list(self.statuses):
                self.statuses[component_id] = defaults[self.status]
        for entry in component_statuses or []:
            self.statuses[entry["component_id"]] = entry["component_status"]
        self.completed_at = moment if self.status == "maintenance_complete" else None
        self.updates.append({
            "id": new_id(moment), "status_page_maintenance_id": self.id, "published_at": moment,
            "message": message, "maintenance_status": self.status,
            "component_statuses": [{"component_id": cid, "component_status": cs} for cid, cs in self.statuses.items()],
        })
        return self.updates[-1]

    def automate_until(self, now):
        """Publish the automated updates that were due by ``now`` (evaluated lazily on access)."""
        if not self.automate:
            return
        last = self.updates[-1]["published_at"] if self.updates else self.published_at
        if self.status == "maintenance_scheduled" and now >= self.start_at:
            last = max(last, self.start_at)
            self.apply(last, "maintenance_in_progress", "This maintenance is now in progress.", None)
        if self.status in ("maintenance_scheduled", "maintenance_in_progress") and now >= self.end_at:
            self.apply(max(last, self.end_at), "maintenance_complete", "This maintenance has completed.", None)

    def interval(self):
        start = min(self.published_at, self.start_at)
        if self.completed_at is None:
            return start, None
        return start, max(self.completed_at, self.end_at)

    def affected(self):
        return set(self.statuses)

    def to_api(self):
        return {
            "id": self.id, "status_page_id": self.page_id, "name": self.name,
            "published_at": fmt(self.published_at), "maintenance_status": self.status,
            "automate_maintenance_status": self.automate,
            "updates": [update_to_api(update) for update in self.updates],
            "component_maintenance_periods": [
                {"component_id": cid, "start_at": fmt(self.start_at), "end_at": fmt(self.end_at)} for cid in self.statuses],
        }


def update_to_api(update):
    result = dict(update)
    result["published_at"] = fmt(update["published_at"])
    result["component_statuses"] = [dict(entry) for entry in update["component_statuses"]]
    return result


def period_to_api(period):
    result = {key: value for key, value in period.items() if value is not None}
    result["start_at"] = fmt(period["start_at"])
    if period["end_at"] is not None:
        result["end_at"] = fmt(period["end_at"])
    return result


class Store:
    """All emulated state, rebuilt from the seed on reset."""

    def __init__(self, seed):
        self.seed = seed
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.reset()

    def reset(self):
        with self.lock:
            self.components = {}
            self.archived = set()
            self.pages = {}
            for page_seed in self.seed.get("status_pages", []):
                page = Page(page_seed, self.components)
                self.pages[page.id] = page
            for component in self.seed.get("components", []):
                self.components.setdefault(component["id"], {"id": component["id"], "name": component["name"]})
                if component.get("description"):
                    self.components[component["id"]]["description"] = component["description"]
            self.incidents = {}
            self.maintenances = {}
            self.idempotency = {INCIDENT_ENDPOINT: {}, RETROSPECTIVE_ENDPOINT: {}, MAINTENANCE_ENDPOINT: {}}
            self.sort_keys = {}
            self.clock_offset = 0.0
            self.alert_windows = AlertWindows(self.seed, self.now, new_id, fmt)

    def now(self):
        return datetime.datetime.now(UTC) + datetime.timedelta(seconds=self.clock_offset)

    # ----- lookups -------------------------------------------------------------------------

    def _page(self, page_id, field=None):
        page = self.pages.get(page_id)
        if page is None:
            raise not_found("Status page", field)
        return page

    def _incident(self, incident_id, field=None):
        incident = self.incidents.get(incident_id)
        if incident is None:
            raise not_found("Status page incident", field)
        return incident

    def _maintenance(self, maintenance_id, field=None):
        maintenance = self.maintenances.get(maintenance_id)
        if maintenance is None:
            raise not_found("Status page maintenance", field)
        maintenance.automate_until(self.now())
        return maintenance

    def _component(self, component_id):
        if component_id not in self.components or component_id in self.archived:
            raise not_found("Status page component")
        return self.components[component_id]

    @staticmethod
    def _check_components(page, component_ids, field):
        """Components must be placed on the page (inference: the API resolves them through its structure)."""
        errors = []
        seen = set()
        for index, component_id in enumerate(component_ids):
            if component_id not in page.component_ids:
                errors.append(error_item("invalid_component", f"Component {component_id} is not part of status page {page.id}", field(index)))
            elif component_id in seen:
                errors.append(error_item("duplicate_component", f"Component {component_id} is listed more than once", field(index)))
            seen.add(component_id)
        if errors:
            raise ApiError(422, errors)

    @staticmethod
    def _check_capacity(item):
        if len(item.updates) >= MAX_UPDATES:
            raise validation_error("too_many_updates", f"There is a limit of {MAX_UPDATES} updates; this one already has {len(item.updates)}")

    def _replay(self, endpoint, key):
        existing = self.idempotency[endpoint].get(key)
        if existing is None:
            return None
        if endpoint == MAINTENANCE_ENDPOINT:
            return 201, {"status_page_maintenance": self._maintenance(existing).to_api()}
        return 201, {"status_page_incident": self.incidents[existing].to_api()}

    # ----- status pages ------------------------------------------------------------------

    def list_status_pages(self, query):
        # Pages keep seed order: there is no creation time to sort them by.
        items = list(self.pages.values())
        return 200, self._paginate("status_pages", items, query, key=None)

    def show_status_page(self, status_page_id):
        return 200, {"status_page": self._page(status_page_id).to_api()}

    def show_structure(self, status_page_id):
        with self.lock:
            return 200, self._page(status_page_id).structure(self.components)

    def availability(self, status_page_id, component_id, query):
        with self.lock:
            page = self._page(status_page_id)
            if component_id not in page.component_ids:
                raise not_found("Status page component")
            start, end = query["start_at"], query["end_at"]
            if end <= start:
                raise invalid_request("invalid_parameter", "end_at must be after start_at", "end_at")
            if end - start > datetime.timedelta(days=366):
                raise invalid_request("invalid_parameter", "The window must not exceed 366 days", "end_at")
            result = {"status_page_id": page.id, "component_id": component_id, "start_at": fmt(start),
                      "end_at": fmt(end), "data_available_since": fmt(page.data_available_since)}
            covered_start, covered_end = max(start, page.data_available_since), min(end, self.now())
            if covered_end > covered_start:
                outages = sorted(
                    (max(impact["start_at"], covered_start), min(impact["end_at"] or covered_end, covered_end))
                    for incident in self.incidents.values() if incident.page_id == page.id
                    for impact in incident.impacts
                    if impact["component_id"] == component_id and impact["component_status"] in ("partial_outage", "full_outage"))
                down, cursor = 0.0, covered_start
                for outage_start, outage_end in outages:
                    outage_start = max(outage_start, cursor)
                    if outage_end > outage_start:
                        down += (outage_end - outage_start).total_seconds()
                        cursor = outage_end
                total = (covered_end - covered_start).total_seconds()
                result["availability_percent"] = f"{math.floor((1 - down / total) * 10000) / 100:.2f}"
            return 200, {"availability": result}

    # ----- listing -----------------------------------------------------------------------

    def _paginate(self, wrapper, items, query, key):
        """Cursor pagination: ``after`` is the id of the last item of the previous page."""
        page_size = query["page_size"]
        after = query.get("after")
        if after is not None:
            if key is None:
                ids = [item.id for item in items]
                if after not in ids:
                    raise invalid_request("invalid_parameter", f"Unknown cursor {after!r}", "after")
                items = items[ids.index(after) + 1:]
            else:
                # Deleted or filtered-out records still have a position, so a cursor stays usable.
                cursor = self.sort_keys.get(after)
                if cursor is None:
                    raise invalid_request("invalid_parameter", f"Unknown cursor {after!r}", "after")
                items = [item for item in items if key(item) < cursor]
        page = items[:page_size]
        meta = {"page_size": page_size}
        if len(items) > page_size:
            meta["after"] = page[-1].id
        return {wrapper: [item.to_api() for item in page], "pagination_meta": meta}

    def _list(self, collection, wrapper, query):
        with self.lock:
            page = self._page(query["status_page_id"])
            now = self.now()
            wanted = None
            if query.get("component_id") is not None:
                if query["component_id"] not in page.component_ids:
                    raise invalid_request("invalid_parameter", "Component is not part of this status page", "component_id")
                wanted = {query["component_id"]}
            for name, groups in (("group_id", page.groups), ("sub_page_id", page.sub_pages)):
                if query.get(name) is not None:
                    if query[name] not in groups:
                        raise invalid_request("invalid_parameter", f"{name} does not name a {name[:-3].replace('_', '-')} of this status page", name)
                    wanted = groups[query[name]] if wanted is None else wanted & groups[query[name]]
            start, end = query.get("start_at"), query.get("end_at")
            if start is not None and end is not None and end < start:
                raise invalid_request("invalid_parameter", "end_at must not be before start_at", "end_at")
            items = []
            for item in collection.values():
                if item.page_id != page.id:
                    continue
                if isinstance(item, Maintenance):
                    item.automate_until(now)
                if wanted is not None and not item.affected() & wanted:
                    continue
                active_from, active_to = item.interval()
                if start is not None and active_to is not None and active_to < start:
                    continue
                if end is not None and active_from > end:
                    continue
                items.append(item)
            items.sort(key=self._sort_key, reverse=True)
            return 200, self._paginate(wrapper, items, query, key=self._sort_key)

    def _sort_key(self, item):
        return self.sort_keys[item.id]

    def _remember(self, item):
        self.sort_keys[item.id] = (item.published_at, item.id)

    # ----- incidents -----------------------------------------------------------------------

    def list_incidents(self, query):
        return self._list(self.incidents, "status_page_incidents", query)

    def show_incident(self, incident_id):
        with self.lock:
            return 200, {"status_page_incident": self._incident(incident_id).to_api()}

    def create_incident(self, body):
        with self.lock:
            replay = self._replay(INCIDENT_ENDPOINT, body["idempotency_key"])
            if replay:
                return replay
            page = self._page(body["status_page_id"], "status_page_id")
            statuses = body.get("component_statuses")
            if statuses is not None and body["incident_status"] == "resolved":
                raise validation_error("not_allowed_when_resolved", "component_statuses must not be set when incident_status is resolved",
                                       "component_statuses")
            self._check_components(page, [entry["component_id"] for entry in statuses or []],
                                   lambda index: f"component_statuses.{index}.component_id")
            now = self.now()
            incident = Incident(page.id, body["name"], now, body["idempotency_key"])
            incident.apply(now, body["incident_status"], body["message"], statuses)
            self._add_incident(incident, INCIDENT_ENDPOINT)
            return 201, {"status_page_incident": incident.to_api()}

    def _add_incident(self, incident, endpoint):
        self.incidents[incident.id] = incident
        self.idempotency[endpoint][incident.idempotency_key] = incident.id
        self._remember(incident)

    def rename_incident(self, incident_id, body):
        with self.lock:
            incident = self._incident(incident_id)
            incident.name = body["name"]
            return 200, {"status_page_incident": incident.to_api()}

    def create_incident_update(self, body):
        with self.lock:
            incident = self._incident(body["status_page_incident_id"], "status_page_incident_id")
            page = self.pages[incident.page_id]
            statuses = body.get("component_statuses")
            status = body.get("incident_status") or incident.status
            if statuses is not None and status == "resolved":
                raise validation_error("not_allowed_when_resolved",
                                       "component_statuses must not be set when the incident is resolved: every component becomes operational",
                                       "component_statuses")
            self._check_components(page, [entry["component_id"] for entry in statuses or []],
                                   lambda index: f"component_statuses.{index}.component_id")
            self._check_capacity(incident)
            update = incident.apply(self.now(), body.get("incident_status"), body["message"], statuses)
            return 201, {"status_page_incident_update": update_to_api(update)}

    def create_retrospective_incident(self, body):
        with self.lock:
            replay = self._replay(RETROSPECTIVE_ENDPOINT, body["idempotency_key"])
            if replay:
                return replay
            page = self._page(body["status_page_id"], "status_page_id")
            updates = body["updates"]
            now = self.now()
            errors = []
            if not updates:
                errors.append(error_item("is_required", "At least one update is required", "updates"))
            if len(updates) > MAX_UPDATES:
                errors.append(error_item("too_many_updates", f"There is a limit of {MAX_UPDATES} updates", "updates"))
            previous = None
            for index, update in enumerate(updates):
                moment = parse_time(update["published_at"])
                if moment > now:
                    errors.append(error_item("must_be_in_past", "published_at must be in the past", f"updates.{index}.published_at"))
                if previous is not None and moment < previous:
                    errors.append(error_item("not_chronological", "Updates must be in chronological order, earliest first",
                                             f"updates.{index}.published_at"))
                previous = moment
                if update.get("component_statuses") is not None and update["incident_status"] == "resolved":
                    errors.append(error_item("not_allowed_when_resolved", "component_statuses must not be set on a resolved update",
                                             f"updates.{index}.component_statuses"))
            if updates and updates[-1]["incident_status"] != "resolved":
                errors.append(error_item("must_be_resolved", "The final update must be resolved", f"updates.{len(updates) - 1}.incident_status"))
            if errors:
                raise ApiError(422, errors)
            for index, update in enumerate(updates):
                self._check_components(page, [entry["component_id"] for entry in update.get("component_statuses") or []],
                                       lambda item, index=index: f"updates.{index}.component_statuses.{item}.component_id")
            incident = Incident(page.id, body["name"], parse_time(updates[0]["published_at"]), body["idempotency_key"])
            for update in updates:
                incident.apply(parse_time(update["published_at"]), update["incident_status"], update["message"], update.get("component_statuses"))
            self._add_incident(incident, RETROSPECTIVE_ENDPOINT)
            return 201, {"status_page_incident": incident.to_api()}

    def list_response_incidents(self, status_page_id, incident_id):
        with self.lock:
            self._page(status_page_id)
            incident = self._incident(incident_id)
            if incident.page_id != status_page_id:
                raise not_found("Status page incident")
            # Response incidents cannot be linked through this API, so the list is always empty.
            return 200, {"incidents": []}

    # ----- maintenances --------------------------------------------------------------------

    def list_maintenances(self, query):
        return self._list(self.maintenances, "status_page_maintenances", query)

    def show_maintenance(self, maintenance_id):
        with self.lock:
            return 200, {"status_page_maintenance": self._maintenance(maintenance_id).to_api()}

    @staticmethod
    def _window(body):
        start, end = parse_time(body["start_at"]), parse_time(body["end_at"])
        if end <= start:
            raise validation_error("invalid_time_range", "end_at must be after start_at", "end_at")
        return start, end

    def create_maintenance(self, body):
        with self.lock:
            replay = self._replay(MAINTENANCE_ENDPOINT, body["idempotency_key"])
            if replay:
                return replay
            page = self._page(body["status_page_id"], "status_page_id")
            window = self._window(body)
            self._check_components(page, body["affected_component_ids"], lambda index: f"affected_component_ids.{index}")
            now = self.now()
            maintenance = Maintenance(page.id, body["name"], now, body["idempotency_key"], window,
                                      bool(body.get("automate_maintenance_status", False)))
            maintenance.apply(now, body["maintenance_status"], body["message"], None, affected=body["affected_component_ids"])
            maintenance.automate_until(now)
            self.maintenances[maintenance.id] = maintenance
            self.idempotency[MAINTENANCE_ENDPOINT][maintenance.idempotency_key] = maintenance.id
            self._remember(maintenance)
            return 201, {"status_page_maintenance": maintenance.to_api()}

    def update_maintenance(self, maintenance_id, body):
        with self.lock:
            maintenance = self._maintenance(maintenance_id)
            maintenance.start_at, maintenance.end_at = self._window(body)
            maintenance.name = body["name"]
            maintenance.automate_until(self.now())
            return 200, {"status_page_maintenance": maintenance.to_api()}

    def delete_maintenance(self, maintenance_id):
        with self.lock:
            maintenance = self._maintenance(maintenance_id)
            del self.maintenances[maintenance.id]
            # Inference: the key of a deleted window is forgotten, so it can name a new window.
            self.idempotency[MAINTENANCE_ENDPOINT].pop(maintenance.idempotency_key, None)
            return 204, None

    def create_maintenance_update(self, body):
        with self.lock:
            maintenance = self._maintenance(body["status_page_maintenance_id"], "status_page_maintenance_id")
            page = self.pages[maintenance.page_id]
            statuses = body.get("component_statuses")
            status = body.get("maintenance_status") or maintenance.status
            if statuses is not None and status == "maintenance_complete":
                raise validation_error("not_allowed_when_complete",
                                       "component_statuses must not be set when the maintenance is complete: every component becomes operational",
                                       "component_statuses")
            self._check_components(page, [entry["component_id"] for entry in statuses or []],
                                   lambda index: f"component_statuses.{index}.component_id")
            self._check_capacity(maintenance)
            if body.get("maintenance_status") is not None:
                maintenance.automate = False
            update = maintenance.apply(self.now(), body.get("maintenance_status"), body["message"], statuses)
            return 201, {"status_page_maintenance_update": update_to_api(update)}

    # ----- components --------------------------------------------------------------------------

    @staticmethod
    def _component_to_api(component):
        return dict(component, management_meta=dict(MANAGED_BY_DASHBOARD, annotations={}))

    def list_components(self):
        with self.lock:
            return 200, {"status_page_components": [self._component_to_api(component) for cid, component in self.components.items()
                                                    if cid not in self.archived]}

    def show_component(self, component_id):
        with self.lock:
            return 200, {"status_page_component": self._component_to_api(self._component(component_id))}

    @staticmethod
    def _component_fields(component, body):
        component["name"] = body["name"]
        # A blank description is stored as none, and an update without one clears it.
        component.pop("description", None)
        if body.get("description", "").strip():
            component["description"] = body["description"]

    def create_component(self, body):
        with self.lock:
            component = {"id": new_id()}
            self._component_fields(component, body)
            self.components[component["id"]] = component
            return 201, {"status_page_component": self._component_to_api(component)}

    def update_component(self, component_id, body):
        with self.lock:
            component = self._component(component_id)
            self._component_fields(component, body)
            return 200, {"status_page_component": self._component_to_api(component)}

    def delete_component(self, component_id):
        with self.lock:
            self._component(component_id)
            placed = [page.name for page in self.pages.values() if component_id in page.component_ids]
            if placed:
                raise validation_error("in_use", f"Component is still placed on a status page: {', '.join(placed)}", "id")
            self.archived.add(component_id)
            return 204, None

    # ----- alert maintenance windows ---------------------------------------------------------------

    def list_alert_windows(self, query):
        with self.lock:
            return self.alert_windows.list(query)

    def show_alert_window(self, window_id):
        with self.lock:
            return self.alert_windows.show(window_id)

    def create_alert_window(self, body):
        with self.lock:
            return self.alert_windows.create(body)

    def update_alert_window(self, window_id, body):
        with self.lock:
            return self.alert_windows.update(window_id, body)

    def archive_alert_window(self, window_id):
        with self.lock:
            return self.alert_windows.archive(window_id)

    # ----- control ---------------------------------------------------------------------------------

    def state(self):
        with self.lock:
            now = self.now()
            for maintenance in self.maintenances.values():
                maintenance.automate_until(now)
            return {
                "now": fmt(now),
                "clock_offset_seconds": self.clock_offset,
                "status_pages": [page.to_api() for page in self.pages.values()],
                "structures": {page.id: page.structure(self.components) for page in self.pages.values()},
                "incidents": [incident.to_api() for incident in self.incidents.values()],
                "maintenances": [maintenance.to_api() for maintenance in self.maintenances.values()],
                "components": [dict(self._component_to_api(component), archived=cid in self.archived)
                               for cid, component in self.components.items()],
                "idempotency_keys": {endpoint: dict(keys) for endpoint, keys in self.idempotency.items()},
                "alert_maintenance_windows": self.alert_windows.state(),
                "users": [dict(user) for user in self.alert_windows.users],
            }

    def history(self, status_page_id, incidents, maintenances, days):
        """Bulk-create resolved incidents and completed maintenances spread over the last ``days``."""
        with self.lock:
            page = self._page(status_page_id, "status_page_id")
            component_ids = sorted(page.component_ids) or [None]
            now = self.now()
            span = datetime.timedelta(days=days)
            created = {"incidents": 0, "maintenances": 0}
            for index in range(incidents):
                start = now - span + span * (index + 0.5) / incidents
                component_id = component_ids[index % len(component_ids)]
                incident = Incident(page.id, f"Historical incident {index + 1}", start, f"history-incident-{start.timestamp()}-{index}")
                statuses = [{"component_id": component_id, "component_status": "partial_outage"}] if component_id else None
                incident.apply(start, "investigating", "We are investigating.", statuses)
                incident.apply(min(start + datetime.timedelta(minutes=45), now), "resolved", "This incident has been resolved.", None)
                self._add_incident(incident, INCIDENT_ENDPOINT)
                created["incidents"] += 1
            for index in range(maintenances):
                start = now - span + span * (index + 0.5) / maintenances
                end = min(start + datetime.timedelta(hours=1), now)
                published = start - datetime.timedelta(days=1)
                maintenance = Maintenance(page.id, f"Historical maintenance {index + 1}", published,
                                          f"history-maintenance-{start.timestamp()}-{index}", (start, end), False)
                maintenance.apply(published, "maintenance_scheduled", "Maintenance scheduled.", None,
                                  affected=[component_ids[index % len(component_ids)]] if component_ids[0] else [])
                maintenance.apply(start, "maintenance_in_progress", "Maintenance in progress.", None)
                maintenance.apply(end, "maintenance_complete", "Maintenance complete.", None)
                self.maintenances[maintenance.id] = maintenance
                self.idempotency[MAINTENANCE_ENDPOINT][maintenance.idempotency_key] = maintenance.id
                self._remember(maintenance)
                created["maintenances"] += 1
            return created


def load_seed(path):
    """Read a YAML or JSON seed file (JSON is valid YAML)."""
    with open(path, encoding="utf-8") as handle:
        seed = yaml.safe_load(handle) or {}
    if not isinstance(seed, dict):
        raise ValueError(f"{path}: the seed must be a mapping")
    for key in seed.get("api_keys", []):
        if not key.get("key"):
            raise ValueError(f"{path}: every api_keys entry needs a key")
    Store(seed)
    return seed
