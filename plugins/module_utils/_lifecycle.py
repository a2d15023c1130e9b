# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.
# Do not use it from other collections or standalone modules.

"""The flow the modules share: from options to a result, whatever the object.

``run_module()`` is the ``main()`` of every module and ``execute()`` the part of it that the maintenance_window role
also runs in the controller's process (``plugin_utils/_in_process.py``): build the client, run the module's
``run(module, client)``, turn a StatusPageError into the failure. ``module`` is anything with ``params``,
``check_mode``, ``_diff`` and ``warn()``.

``ModuleRun`` is one run of a write module: its request object (the options, parsed and checked before any request),
its warnings, its result and its diff. ``ObjectRun`` adds the life of a status page incident or maintenance window,
which both write modules share: the per-object lock, the read by ID or the look-up by name within the lookback, the
create with a derived occurrence key, the exactly-once publish of an update, and check mode's predictions. A module
keeps only its own state machine: what its create sends, how it drives an existing object (``converge()``), and
what an update or a create would make of the object, for check mode.
"""

from __future__ import annotations

import dataclasses

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.incident_io.status_page.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    StatusPageClient,
    check_id_option,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._errors import InputError, NotFoundError, StatusPageError
from ansible_collections.incident_io.status_page.plugins.module_utils._lock import host_lock
from ansible_collections.incident_io.status_page.plugins.module_utils._objects import (
    COMPLETE,
    MAINTENANCE_STATE_BY_STATUS,
    MAX_MESSAGE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_UPDATES,
    RESOLVED,
    last_activity,
    latest_update,
    occurrence_key,
    same_message,
    unique_by_id,
)
from ansible_collections.incident_io.status_page.plugins.module_utils._resolve import Resolver
from ansible_collections.incident_io.status_page.plugins.module_utils._time import (
    format_time,
    parse_duration,
    requested_window,
    utcnow,
)

# A derived key can replay a closed occurrence that has left the lookback; each replay reveals one more closed ID,
# so a few attempts are plenty before asking for an explicit key.
MAX_OCCURRENCE_ATTEMPTS = 5


def execute(module, run, *, raise_errors: bool = False) -> dict:
    """Run ``run(module, client)`` and return its result, or ``failed`` with the message of a StatusPageError.

    With ``raise_errors``, a StatusPageError propagates instead, for callers that act on its kind.
    """
    try:
        client = StatusPageClient.from_params(module.params)
        try:
            return run(module, client)
        finally:
            client.close()
    except StatusPageError as exc:
        if raise_errors:
            raise
        return dict(exc.fail_json_kwargs(), failed=True)
    except ValueError as exc:
        if raise_errors:
            raise StatusPageError(str(exc)) from None
        return {"failed": True, "msg": str(exc)}


def run_module(module_args: dict, run) -> None:
    """The ``main()`` of every module."""
    module = AnsibleModule(**module_args)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    result = execute(module, run)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)


def not_found(noun: str, object_id: str, exc: NotFoundError) -> StatusPageError:
    """The failure of a read by the ``id`` option that the API answered with 404."""
    request_id = f", request_id {exc.request_id}" if exc.request_id else ""
    return StatusPageError(
        f"id: no {noun} with ID {object_id!r} exists, or this API key cannot see it (HTTP 404{request_id})")


def stripped_option(params: dict, option: str) -> str | None:
    """A name or reference without surrounding blank space, which is never meant (a value read from a file keeps its
    newline); blank space alone is no value."""
    if params[option] is None:
        return None
    value = params[option].strip()
    if not value:
        raise InputError(f"{option}: must not be empty")
    return value


class Request:
    """A module's options, parsed and checked before any request is sent; ``now`` is the run's one reading of the
    clock."""

    def __init__(self, params: dict, now):
        self.now = now
        self.lookback = params["lookback"]

    def read_schedule(self, params: dict, **options) -> None:
        """start_at, end_at and duration: the window's start and end, and whether each is a fixed time."""
        window = requested_window(params["start_at"], params["end_at"], params["duration"], self.now, **options)
        self.start, self.start_absolute = window.start, window.start_absolute
        # A fixed end (not "now" or an offset) may move an existing window; a relative one never does.
        self.end, self.end_absolute = window.end, window.end_absolute

    def read_lookback(self) -> None:
        self.lookback_start = self.now - parse_duration(self.lookback, option="lookback")


class ObjectRequest(Request):
    """The options every module of a status page incident or maintenance window takes."""

    # What an empty msg is told, after "msg: must not be empty".
    EMPTY_MESSAGE_HINT = ""
    # What the task asks of the object: to delete it, or to leave it closed (resolved, complete).
    deletes = False
    closes = False

    def __init__(self, params: dict, now):
        super().__init__(params, now)
        self.id = check_id_option(params["id"], "id")
        self.status_page = stripped_option(params, "status_page")
        self.name = stripped_option(params, "name")
        if self.name is not None and len(self.name) > MAX_NAME_LENGTH:
            raise InputError(f"name: is {len(self.name)} characters long; the API accepts at most {MAX_NAME_LENGTH}")
        self.message = params["msg"]
        if self.message is not None:
            if not self.message.strip():
                raise InputError("msg: must not be empty" + self.EMPTY_MESSAGE_HINT)
            if len(self.message) > MAX_MESSAGE_LENGTH:
                raise InputError(
                    f"msg: is {len(self.message)} characters long; the API accepts at most {MAX_MESSAGE_LENGTH}")
        self.notify_subscribers = params["notify_subscribers"]
        self.user_key = params["idempotency_key"]
        if self.user_key is not None and not self.user_key.strip():
            raise InputError("idempotency_key: must not be empty")
        self.components = params["components"]


@dataclasses.dataclass(frozen=True)
class ObjectKind:
    """What tells incidents from maintenance windows in the flow they share."""

    name: str
    noun: str
    status_field: str
    closed_status: str
    closed_word: str
    close_verb: str
    status_names: dict = dataclasses.field(default_factory=dict)

    def endpoint(self, client, operation: str):
        """The client's ``operation`` (get, list, create, post_update) for this kind; the client names its endpoints
        after the kind: get_incident, list_incidents, create_incident, post_incident_update."""
        names = {"get": f"get_{self.name}", "list": f"list_{self.name}s", "create": f"create_{self.name}",
                 "post_update": f"post_{self.name}_update"}
        return getattr(client, names[operation])


INCIDENTS = ObjectKind("incident", noun="incident", status_field="incident_status", closed_status=RESOLVED,
                       closed_word="resolved", close_verb="resolve")
MAINTENANCES = ObjectKind("maintenance", noun="maintenance window", status_field="maintenance_status",
                          closed_status=COMPLETE, closed_word="completed", close_verb="complete",
                          status_names=MAINTENANCE_STATE_BY_STATUS)


class ModuleRun:
    """One run of a write module: its request, its warnings, its result and its diff.

    A subclass sets REQUEST (the request class) and RESULT_KEY (the key of the object in the result), and implements
    ``run()``, ``present()`` (the object as returned) and ``describe()`` (the managed fields, for the diff).
    """

    REQUEST = Request
    RESULT_KEY = "object"
    # Actions after which the object is no longer on the page: the diff's after is empty.
    GONE_ACTIONS: tuple = ()

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.check_mode = module.check_mode
        self.warnings: list = []
        self.request = self.REQUEST(self.params(), utcnow())

    @classmethod
    def run_with(cls, module, client, step=None) -> dict:
        """The module's ``run(module, client)``: ``step(run)`` (the run's ``run()`` unless given), with every warning
        passed to the module, also when the run fails."""
        module_run = cls(module, client)
        try:
            return (step or cls.run)(module_run)
        finally:
            for warning in module_run.warnings:
                module.warn(warning)

    def params(self) -> dict:
        return self.module.params

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def run(self) -> dict:
        raise NotImplementedError

    def present(self, obj: dict, /) -> dict:
        return obj

    def describe(self, obj: dict, /) -> dict:
        raise NotImplementedError

    def result(self, action: str, before, after, **extra) -> dict:
        """``changed`` and ``action``, the object after the run (or as it was, if it is gone), and the diff."""
        shown = after if after is not None else before
        result = dict(extra, changed=action != "none", action=action, id=(shown or {}).get("id"))
        result[self.RESULT_KEY] = self.present(shown) if shown else {}
        if self.module._diff:
            gone = action in self.GONE_ACTIONS or not after
            result["diff"] = {"before": self.describe(before) if before else {},
                              "after": {} if gone else self.describe(after)}
        return result


class ObjectRun(ModuleRun):
    """One run that drives a status page incident or maintenance window to what its task asks.

    The order is fixed: the request checks every option; the page and the components are resolved; then, under the
    object's lock, the object is read by ID or looked up by name, and the run decides, writes unless in check mode,
    and reports. A subclass sets KIND and implements ``resolve_references()``, ``create_body()``,
    ``predict_created()``, ``after_create()``, ``converge()``, ``predict_update()``, ``present()`` and ``describe()``;
    the maintenance module adds ``delete()`` and ``already_closed()``.
    """

    KIND: ObjectKind

    def __init__(self, module, client):
        super().__init__(module, client)
        self.resolver = Resolver(client)
        # The components the task names, as resolve_references() returns them; None when it names none.
        self.desired_components = None
        self.component_names: dict = {}

    def endpoint(self, operation: str):
        return self.KIND.endpoint(self.client, operation)

    def label(self, component_id: str) -> str:
        """A component as results, diffs and messages name it: its qualified name when known, else its ID."""
        return self.component_names.get(component_id) or component_id

    def status_of(self, obj: dict) -> str:
        status = obj.get(self.KIND.status_field)
        return self.KIND.status_names.get(status, status)

    def is_closed(self, obj: dict) -> bool:
        return obj.get(self.KIND.status_field) == self.KIND.closed_status

    # ----- the run -------------------------------------------------------------------------------------------

    def run(self) -> dict:
        request, noun = self.request, self.KIND.noun
        page_id = self.resolver.status_page(request.status_page)["id"] if request.status_page else None
        if page_id is not None:
            self.resolve_components(page_id)
        if request.id is not None:
            lock, what = (request.id, ""), f"{noun} {request.id}"
        else:
            lock, what = (page_id, request.name), f"the {noun} named {request.name!r} on status page {page_id}"
        # Runs on this host that manage the same object read, decide and write in turn, so that parallel runs of one
        # task post each update once (the API has no idempotency key for updates).
        with host_lock(self.client.base_url, self.KIND.name, *lock, timeout=self.client.timeout, what=what):
            return self.decide(page_id)

    def resolve_components(self, page_id: str) -> None:
        if self.request.components:
            # References that land on one component (a name and its ID, say) are one component: the resolver's rule.
            self.desired_components = self.resolve_references(page_id, self.request.components)
            self.component_names.update(self.resolver.component_names(page_id))

    def decide(self, page_id) -> dict:
        request, closed = self.request, []
        if request.id is not None:
            current = self.read_by_id(page_id)
            if current is not None and page_id is None:
                page_id = current.get("status_page_id")
                if request.components and page_id is None:
                    raise StatusPageError(
                        f"components: the API's answer for {self.KIND.noun} {current['id']} names no status page, "
                        "so the components cannot be looked up; give status_page too")
                if page_id is not None:
                    self.resolve_components(page_id)
        else:
            current, closed = self.find_by_name(page_id)
        key = request.user_key
        if key is None and request.id is None:
            key = occurrence_key(page_id, self.KIND.name, request.name, [obj["id"] for obj in closed])
        if request.deletes:
            return self.delete(current, closed, key)
        if current is None and request.closes:
            if closed:
                return self.already_closed(max(closed, key=last_activity), key)
            self.warn(f"No {self.KIND.noun} named {request.name!r} is open on this status page (looked back "
                      f"{request.lookback}); nothing to {self.KIND.close_verb}")
            return self.result("none", None, None, key)
        if current is None:
            return self.create(page_id, closed, key)
        return self.converge(current, key)

    def read_by_id(self, page_id):
        """The object the id option names; None when it does not exist and the task deletes it."""
        request = self.request
        try:
            current = self.endpoint("get")(request.id)
        except NotFoundError as exc:
            if request.deletes:
                return None
            raise not_found(self.KIND.noun, request.id, exc) from None
        if page_id is not None and current.get("status_page_id") not in (None, page_id):
            raise StatusPageError(
                f"id: {self.KIND.noun} {request.id} is on status page {current.get('status_page_id')}, not on "
                f"status_page {request.status_page!r} ({page_id})")
        return current

    def find_by_name(self, page_id: str) -> tuple:
        """(the object with the task's name that is not closed, or None; the closed ones), among the page's objects
        active since the lookback's start. The list's order is undocumented, so nothing relies on it."""
        request, kind = self.request, self.KIND
        listed = self.endpoint("list")(page_id, start_at=format_time(request.lookback_start))
        # An object listed twice (pages that shift while they are read) is one object, and counts once among the
        # closed ones that derive the next occurrence's key.
        named = unique_by_id([obj for obj in listed if obj.get("name") == request.name])
        open_objects = [obj for obj in named if not self.is_closed(obj)]
        if len(open_objects) > 1:
            ids = ", ".join(sorted(obj["id"] for obj in open_objects))
            raise StatusPageError(f"name: {len(open_objects)} {kind.noun}s named {request.name!r} are not "
                                  f"{kind.closed_word} ({ids}); give the one to manage as id")
        return (open_objects[0] if open_objects else None), [obj for obj in named if self.is_closed(obj)]

    def already_closed(self, latest: dict, key) -> dict:
        """The task asks for a closed object, and the latest occurrence with its name is closed."""
        return self.result("none", latest, latest, key)

    def delete(self, current, closed: list, key) -> dict:
        raise NotImplementedError

    # ----- create --------------------------------------------------------------------------------------------

    def create(self, page_id: str, closed: list, key: str) -> dict:
        """Create the object once, whatever retries, re-runs and parallel runs do: every create carries a key.

        A derived key that the API answers with a closed occurrence (one that left the lookback, or was renamed)
        moves on to the next occurrence's key; a key the user gave names one object for good.
        """
        request, kind = self.request, self.KIND
        body = self.create_body(page_id, key)
        if self.check_mode:
            if request.user_key is not None and closed:
                self.warn(f"idempotency_key {key!r} may belong to a {kind.closed_word} {kind.noun} named "
                          f"{request.name!r}; if it does, the real run writes nothing")
            return self.result("created", None, self.predict_created(body), key)
        closed_ids = [obj["id"] for obj in closed]
        for _attempt in range(MAX_OCCURRENCE_ATTEMPTS):
            created = self.endpoint("create")(body)
            key = body["idempotency_key"]
            if request.user_key is not None:
                self.refuse_foreign_object(created, page_id, key)
            if not self.is_closed(created) and created.get("name") == request.name:
                return self.after_create(created, key)
            if request.user_key is not None:
                # The key's occurrence is over: a retried job must not reopen it.
                self.warn(f"idempotency_key {key!r} already names {kind.noun} {created['id']} "
                          f"({created.get('name')!r}, {self.status_of(created)}); nothing was written, so a finished "
                          f"{kind.noun} is not reopened. Use a new idempotency_key for a new {kind.noun}")
                return self.result("none", created, created, key)
            if created["id"] in closed_ids:
                # Deriving yet another key cannot help when the API answers different keys with one object.
                raise StatusPageError(
                    f"idempotency_key: the derived key {key!r} was answered with {kind.noun} {created['id']}, which "
                    f"this run already counted as a past occurrence named {request.name!r}; the API replays that "
                    f"{kind.noun} whatever the key, so no new {kind.noun} was created and deriving another key "
                    f"would not help. Give an idempotency_key to name the {kind.noun} to create")
            closed_ids.append(created["id"])
            body = dict(body, idempotency_key=occurrence_key(page_id, kind.name, request.name, closed_ids))
        raise StatusPageError(
            f"idempotency_key: {MAX_OCCURRENCE_ATTEMPTS} derived keys for {request.name!r} all named earlier "
            f"{kind.noun}s ({', '.join(closed_ids)}); give an idempotency_key or a longer lookback")

    def refuse_foreign_object(self, created: dict, page_id: str, key: str) -> None:
        """A key the user gave names one object, on one page, with one name: the API replays whatever object a key
        first created, so an answer with another page or name is another deploy's object. The replay wrote nothing,
        and this run writes nothing either."""
        kind = self.KIND
        other_page = created.get("status_page_id") not in (None, page_id)
        if not other_page and created.get("name") == self.request.name:
            return
        where = f" on status page {created.get('status_page_id')}" if other_page else ""
        raise StatusPageError(
            f"idempotency_key: {key!r} already names {kind.noun} {created.get('id')} ({created.get('name')!r}, "
            f"{self.status_of(created)}){where}, not the {kind.noun} {self.request.name!r} on status page {page_id}; "
            f"a key names one {kind.noun} on one page with one name, so nothing was written. Give this "
            f"{kind.noun} a key of its own")

    # ----- updates -------------------------------------------------------------------------------------------

    def refuse_when_full(self, current: dict) -> None:
        count = len(current.get("updates") or [])
        if count >= MAX_UPDATES:
            raise StatusPageError(f"{self.KIND.noun} {current.get('id')} already has {count} updates, the most the API "
                                  f"allows ({MAX_UPDATES}); nothing was sent")

    def publish(self, current: dict, body: dict) -> dict:
        """Post one update, exactly once even when a send fails ambiguously, and return the object after it."""
        if self.check_mode:
            return self.predict_update(current, body, None)
        status_field = self.KIND.status_field
        updates_before = len(current.get("updates") or [])
        reread = {}

        def landed() -> bool:
            reread["object"] = fresh = self.endpoint("get")(current["id"])
            latest = latest_update(fresh) or {}
            return (len(fresh.get("updates") or []) > updates_before
                    and same_message(latest.get("message"), body["message"])
                    and latest.get(status_field) == body.get(status_field, current.get(status_field)))

        answer = self.endpoint("post_update")(body, landed)
        if answer is None:
            return reread["object"]
        # An answer without the update's record leaves the prediction, which is what was posted.
        return self.predict_update(current, body, answer or None)

    def result(self, action: str, before, after, key=None, **extra) -> dict:
        return super().result(action, before, after, idempotency_key=key, **extra)

    # ----- what the module supplies --------------------------------------------------------------------------

    def resolve_references(self, page_id: str, references):
        raise NotImplementedError

    def create_body(self, page_id: str, key: str) -> dict:
        raise NotImplementedError

    def predict_created(self, body: dict) -> dict:
        raise NotImplementedError

    def after_create(self, created: dict, key: str) -> dict:
        raise NotImplementedError

    def converge(self, current: dict, key, /) -> dict:
        raise NotImplementedError

    def predict_update(self, current: dict, body: dict, answer) -> dict:
        raise NotImplementedError
