# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client's messages word for word, and the details its errors carry: what a user reads when a request fails."""

from __future__ import annotations

import pytest

from ansible_collections.incident_io.status_page.plugins.module_utils import _client, _errors
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import (
    API_KEY,
    API_URL,
    Call,
    FakeSession,
    api_error,
    connection_refused,
    make_client,
    read_timeout,
)

READ_OUTCOME = ("Nothing was written. Check that api_url (or INCIDENT_API_URL) is the incident.io API; it is "
                "https://api.incident.test. If it is, the answer does not match the API's documentation: report it "
                "with this message")
CUSTOM_URL_HINT = ("Check api_url (or the INCIDENT_API_URL environment variable): it is https://api.incident.test, "
                   "and the incident.io API is at https://api.incident.io")
UNAVAILABLE = api_error(503, "api_error", "unavailable", "Service unavailable", request_id="req-503")


def failure_of(calls, send, error=_errors.StatusPageError, **client_options):
    client, session, sleeps = make_client(calls, **client_options)
    with pytest.raises(error) as caught:
        send(client)
    session.assert_all_used()
    return caught.value, sleeps


# ----- answers the client cannot use ----------------------------------------------------------------------------


@pytest.mark.parametrize("answer, described", [
    (Call("GET", "/v2/x", text="<p>Sign in</p>"), "answered HTTP 200 with a body that is not JSON ('<p>Sign in</p>')"),
    (Call("GET", "/v2/x", json_body=[1, 2]), "answered HTTP 200 with JSON a list ([1, 2])"),
    (Call("GET", "/v2/x", text='"hello"'), "answered HTTP 200 with JSON a string (\"hello\")"),
    (Call("GET", "/v2/x", status=204), "answered HTTP 204 with an empty body"),
    (Call("GET", "/v2/x", status=299, text="  "), "answered HTTP 299 with an empty body"),
])
def test_a_read_answered_with_something_other_than_an_object(answer, described):
    error, dummy_sleeps = failure_of([answer], lambda client: client.get("/v2/x"), _errors.UnexpectedAnswerError)
    assert str(error) == f"GET /v2/x succeeded, but {described} instead of a JSON object. {READ_OUTCOME}"
    assert (error.method, error.path, error.status, error.outcome) == ("GET", "/v2/x", answer.status, READ_OUTCOME)
    assert error.fail_json_kwargs() == {"msg": str(error), "status": answer.status, "request_id": None}


def test_a_delete_needs_no_answer():
    client, session, dummy_sleeps = make_client([Call("DELETE", "/v2/x", status=200, text="<p>ok</p>")])
    assert client.delete("/v2/x") is None


@pytest.mark.parametrize("send, expected", [
    (lambda client: client.create("/v2/x", {"idempotency_key": "k-1"}),
     "POST /v2/x succeeded, but answered HTTP 200 with an empty body instead of a JSON object. The API accepted the "
     "request, so the object was probably created. Running the task again is safe: the create carries "
     "idempotency_key 'k-1', so the API answers with the object it made instead of making a second one. To check "
     "now, look at the status page or list it with incident_io.status_page.status_page_info"),
    (lambda client: client.put("/v2/x", {}),
     "PUT /v2/x succeeded, but answered HTTP 200 with an empty body instead of a JSON object. The API accepted the "
     "change, so it was probably applied to the object. Running the task again is safe: the PUT sends the whole "
     "desired state. To check now, look at the status page or read the object with "
     "incident_io.status_page.status_page_info"),
    (lambda client: client.post_update("/v2/x", {}, landed=lambda: pytest.fail("the answer came")),
     "POST /v2/x succeeded, but answered HTTP 200 with an empty body instead of a JSON object. The API accepted the "
     "update, so it was probably published. Running the task again is safe: it reads the object first and "
     "publishes nothing when the update is there. To check now, look at the status page or read the object with "
     "incident_io.status_page.status_page_info"),
])
def test_an_empty_answer_to_a_write_says_it_probably_landed(send, expected):
    method = expected.split(" ", 1)[0]
    error, dummy_sleeps = failure_of([Call(method, "/v2/x")], send, _errors.UnexpectedAnswerError)
    assert str(error) == expected and error.status == 200


@pytest.mark.parametrize("send, method, path, answer, expected", [
    (lambda client: client.get_incident("I1"), "GET", "/v2/status_page_incidents/I1",
     {"status_page_incident": {"id": "I/1"}},
     "its answer is not usable: status_page_incident.id 'I/1' is not an incident.io ID (letters and digits) (got "
     "{\"status_page_incident\": {\"id\": \"I/1\"}}). " + READ_OUTCOME),
    (lambda client: client.get_maintenance("M1"), "GET", "/v2/status_page_maintenances/M1",
     {"status_page_maintenance": {"id": "M1", "automate_maintenance_status": "yes"}},
     "its answer is not usable: status_page_maintenance.automate_maintenance_status is a string, not true or false "
     "(got {\"status_page_maintenance\": {\"automate_maintenance_status\": \"yes\", \"id\": \"M1\"}}). "
     + READ_OUTCOME),
    (lambda client: client.get_structure("P1"), "GET", "/v2/status_page_structures/P1",
     {"current_structure": {"items": [{"group": {"name": "API", "components": [{"name": "Web"}]}}]}},
     "its answer is not usable: the answer.current_structure.items[0].group.components[0] has no component_id (got "
     "{\"current_structure\": {\"items\": [{\"group\": {\"components\": [{\"name\": \"Web\"}], \"name\": "
     "\"API\"}}]}}). " + READ_OUTCOME),
    (lambda client: client.create_incident({"idempotency_key": "k"}), "POST", "/v2/status_page_incidents",
     {"status_page_incident": {"id": "I1", "updates": [{"published_at": 3}]}},
     "its answer is not usable: status_page_incident.updates[0].published_at is a number, not a string (got "
     "{\"status_page_incident\": {\"id\": \"I1\", \"updates\": [{\"published_at\": 3}]}}). The API accepted the "
     "request, so the incident was probably created. Running the task again is safe: the create carries "
     "idempotency_key 'k', so the API answers with the object it made instead of making a second one. To check "
     "now, look at the status page or list it with incident_io.status_page.status_page_info"),
    (lambda client: client.rename_incident("I1", "n"), "PUT", "/v2/status_page_incidents/I1",
     {"status_page_incident": {"id": "I1", "component_impacts": [{"component_id": "C1"}]}},
     "its answer is not usable: status_page_incident.component_impacts[0] has no component_status (got "
     "{\"status_page_incident\": {\"component_impacts\": [{\"component_id\": \"C1\"}], \"id\": \"I1\"}}). The API "
     "accepted the change, so it was probably applied to the incident. Running the task again is safe: the PUT "
     "sends the whole desired state. To check now, look at the status page or read the incident with "
     "incident_io.status_page.status_page_info"),
    (lambda client: client.post_incident_update({}, landed=lambda: pytest.fail("answered")), "POST",
     "/v2/status_page_incident_updates", {"status_page_incident_update": {"message": ["m"]}},
     "its answer is not usable: status_page_incident_update.message is a list, not a string (got "
     "{\"status_page_incident_update\": {\"message\": [\"m\"]}}). The API accepted the update, so it was probably "
     "published. Running the task again is safe: it reads the object first and publishes nothing when the update "
     "is there. To check now, look at the status page or read the object with "
     "incident_io.status_page.status_page_info"),
    (lambda client: client.create_maintenance({"idempotency_key": "k"}), "POST", "/v2/status_page_maintenances",
     {"status_page_maintenance": {"id": "M1", "component_maintenance_periods": [{"component_id": None}]}},
     "its answer is not usable: status_page_maintenance.component_maintenance_periods[0] has no component_id (got "
     "{\"status_page_maintenance\": {\"component_maintenance_periods\": [{\"component_id\": null}], \"id\": "
     "\"M1\"}}). The API accepted the request, so the maintenance window was probably created. Running the task "
     "again is safe: the create carries idempotency_key 'k', so the API answers with the object it made instead of "
     "making a second one. To check now, look at the status page or list it with "
     "incident_io.status_page.status_page_info"),
    (lambda client: client.update_maintenance("M1", {}), "PUT", "/v2/status_page_maintenances/M1",
     {"status_page_maintenance": {"id": "M1", "status_page_id": "P/1"}},
     "its answer is not usable: status_page_maintenance.status_page_id 'P/1' is not an incident.io ID (letters and "
     "digits) (got {\"status_page_maintenance\": {\"id\": \"M1\", \"status_page_id\": \"P/1\"}}). The API accepted "
     "the change, so it was probably applied to the maintenance window. Running the task again is safe: the PUT "
     "sends the whole desired state. To check now, look at the status page or read the maintenance window with "
     "incident_io.status_page.status_page_info"),
    (lambda client: client.post_maintenance_update({}, landed=lambda: pytest.fail("answered")), "POST",
     "/v2/status_page_maintenance_updates", {"status_page_maintenance_update": {"component_statuses": [{}]}},
     "its answer is not usable: status_page_maintenance_update.component_statuses[0] has no component_id (got "
     "{\"status_page_maintenance_update\": {\"component_statuses\": [{}]}}). The API accepted the update, so it was "
     "probably published. Running the task again is safe: it reads the object first and publishes nothing when "
     "the update is there. To check now, look at the status page or read the object with "
     "incident_io.status_page.status_page_info"),
])
def test_each_endpoint_checks_its_answer_and_says_what_it_means(send, method, path, answer, expected):
    status = 201 if method == "POST" else 200
    error, dummy_sleeps = failure_of([Call(method, path, status=status, json_body=answer)], send,
                                     _errors.UnexpectedAnswerError)
    assert str(error) == f"{method} {path} succeeded, but {expected}"
    assert (error.method, error.path) == (method, path)


@pytest.mark.parametrize("send, label, collection", [
    (lambda client: client.get_structure("P/1"), "status page ID", "/v2/status_page_structures"),
    (lambda client: client.get_incident("P/1"), "incident ID", "/v2/status_page_incidents"),
    (lambda client: client.rename_incident("P/1", "n"), "incident ID", "/v2/status_page_incidents"),
    (lambda client: client.get_maintenance("P/1"), "maintenance window ID", "/v2/status_page_maintenances"),
    (lambda client: client.update_maintenance("P/1", {}), "maintenance window ID", "/v2/status_page_maintenances"),
    (lambda client: client.delete_maintenance("P/1"), "maintenance window ID", "/v2/status_page_maintenances"),
])
def test_each_endpoint_names_the_id_it_refuses_to_put_in_a_url(send, label, collection):
    error, dummy_sleeps = failure_of([], send)
    assert str(error) == (f"{label} 'P/1' is not an incident.io ID (letters and digits); nothing was sent to "
                          f"{collection}/... with it")


@pytest.mark.parametrize("send, method, path, envelope", [
    (lambda client: client.get_structure("P1"), "GET", "/v2/status_page_structures/P1", "current_structure"),
    (lambda client: client.get_incident("I1"), "GET", "/v2/status_page_incidents/I1", "status_page_incident"),
    (lambda client: client.get_maintenance("M1"), "GET", "/v2/status_page_maintenances/M1", "status_page_maintenance"),
])
def test_a_read_without_its_envelope(send, method, path, envelope):
    error, dummy_sleeps = failure_of([Call(method, path, json_body={"other": 1})], send, _errors.UnexpectedAnswerError)
    if envelope == "current_structure":
        assert str(error) == (f"{method} {path} succeeded, but its answer is not usable: the answer has no "
                              f"current_structure (got {{\"other\": 1}}). {READ_OUTCOME}")
    else:
        assert str(error) == (f"{method} {path} succeeded, but its answer has no {envelope} (got {{\"other\": 1}}). "
                              f"{READ_OUTCOME}")


def test_an_update_answered_with_its_record_returns_it():
    update = {"id": "U1", "message": "m", "published_at": "2026-05-01T10:00:00Z"}
    calls = [Call("POST", "/v2/status_page_maintenance_updates", status=201,
                  json_body={"status_page_maintenance_update": update})]
    client, dummy_session, dummy_sleeps = make_client(calls)
    assert client.post_maintenance_update({}, landed=lambda: pytest.fail("answered")) == update
    calls = [Call("POST", "/v2/x", status=201, json_body={"anything": 1})]
    client, dummy_session, dummy_sleeps = make_client(calls)
    assert client.post_update("/v2/x", {}, landed=lambda: pytest.fail("answered")) == {"anything": 1}


# ----- lists ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pages, expected", [
    ([{"status_pages": [{"id": "P1"}], "pagination_meta": {"after": 5}}],
     "its pagination_meta.after is a number, not a string (got {\"after\": 5})"),
    ([{"status_pages": [{"id": "P1"}], "pagination_meta": {"after": "P1"}}] * 2,
     "it returned the pagination cursor 'P1' twice; following it would never end"),
    ([{"status_pages": {"id": "P1"}}],
     "its answer is not usable: status_pages is an object, not a list (got {\"status_pages\": {\"id\": \"P1\"}})"),
    ([{"pages": []}], "its answer has no status_pages (got {\"pages\": []})"),
])
def test_a_list_that_cannot_be_followed(pages, expected):
    calls = [Call("GET", "/v2/status_pages", json_body=page) for page in pages]
    error, dummy_sleeps = failure_of(calls, lambda client: client.list_status_pages(), _errors.UnexpectedAnswerError)
    assert str(error) == f"GET /v2/status_pages succeeded, but {expected}. {READ_OUTCOME}"
    assert (error.method, error.path) == ("GET", "/v2/status_pages")


@pytest.mark.parametrize("meta", [{}, {"after": ""}, {"after": None}, "none", None])
def test_a_list_ends_where_the_cursor_does(meta):
    page = {"status_pages": [{"id": "P1"}], "pagination_meta": meta}
    client, session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=page)])
    assert client.list_status_pages() == [{"id": "P1"}]


def test_an_empty_page_ends_the_list_whatever_its_cursor():
    page = {"status_page_incidents": [], "pagination_meta": {"after": "X"}}
    client, session, dummy_sleeps = make_client([Call("GET", "/v2/status_page_incidents", json_body=page)])
    assert client.list_incidents("P1", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z") == []
    assert session.sent[0]["query"] == {"status_page_id": "P1", "start_at": "2026-01-01T00:00:00Z",
                                        "end_at": "2026-02-01T00:00:00Z", "page_size": 250}


# ----- refusals and failures --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status, headers, expected", [
    (302, {"Location": "https://login.example/"}, "a redirect to https://login.example/"),
    (300, {}, "a redirect to nowhere"),
    (399, {}, "a redirect to nowhere"),
])
def test_redirects_are_named_with_where_they_lead(status, headers, expected):
    error, dummy_sleeps = failure_of([Call("GET", "/v2/x", status=status, headers=headers)],
                                     lambda client: client.get("/v2/x"), _errors.APIError)
    assert str(error) == (f"GET /v2/x answered HTTP {status}, {expected}, which the collection does not follow. "
                          f"{CUSTOM_URL_HINT}")
    assert (error.method, error.path, error.status) == ("GET", "/v2/x", status)


@pytest.mark.parametrize("body, expected", [
    ({"type": "validation_error", "status": 422, "request_id": "r-1", "errors": [
        {"code": "too_long", "message": "name is too long", "source": {"field": "name"}},
        {"code": "invalid_value"}, {"source": {"field": ""}}, "not an error object"]},
     "POST /v2/x failed with HTTP 422 validation_error: name: name is too long; invalid_value; error [request_id r-1]"),
    ({"type": 7, "request_id": 8, "errors": "no"}, "POST /v2/x failed with HTTP 422"),
    ("x" * 400, "POST /v2/x failed with HTTP 422: " + "x" * 300),
    ("   ", "POST /v2/x failed with HTTP 422"),
])
def test_an_error_answer_of_any_shape_is_described(body, expected):
    call = Call("POST", "/v2/x", status=422, **({"json_body": body} if isinstance(body, dict) else {"text": body}))
    error, dummy_sleeps = failure_of([call], lambda client: client.create("/v2/x", {}), _errors.APIError)
    assert str(error) == expected
    if isinstance(body, dict) and body.get("request_id") == "r-1":
        assert error.error_type == "validation_error" and error.request_id == "r-1"
        assert error.fields == ["name"] and error.codes == ["too_long", "invalid_value"]
        assert error.fail_json_kwargs() == {
            "msg": expected, "status": 422, "request_id": "r-1", "error_type": "validation_error",
            "errors": [e for e in body["errors"] if isinstance(e, dict)]}
    else:
        assert error.error_type is None and error.request_id is None
        assert error.fail_json_kwargs() == {"msg": expected, "status": 422, "request_id": None}


@pytest.mark.parametrize("method, send, hint", [
    ("GET", lambda client: client.get("/v2/x"), _client.READ_FORBIDDEN_HINT),
    ("PUT", lambda client: client.put("/v2/x", {}), _client.PUBLISH_PERMISSION_HINT),
])
def test_a_403_says_what_the_refused_operation_needs(method, send, hint):
    body = api_error(403, "resource_forbidden", "forbidden", "Forbidden", request_id="r-2")
    error, dummy_sleeps = failure_of([Call(method, "/v2/x", status=403, json_body=body)], send, _errors.ForbiddenError)
    assert str(error) == f"{method} /v2/x failed with HTTP 403 resource_forbidden: Forbidden ({hint}) [request_id r-2]"


def test_a_refused_read_is_tried_again_with_growing_waits_until_retries_run_out():
    calls = [Call("GET", "/v2/x", raises=connection_refused())] * 3
    error, sleeps = failure_of(calls, lambda client: client.get("/v2/x"), _errors.TransportError, retries=2)
    assert sleeps == [0.5, 1.0] and error.maybe_sent is False
    assert (error.method, error.path) == ("GET", "/v2/x")


def test_a_read_answered_503_is_tried_again_until_retries_run_out():
    calls = [Call("GET", "/v2/x", status=503, json_body=UNAVAILABLE)] * 4
    error, sleeps = failure_of(calls, lambda client: client.get("/v2/x"), _errors.APIError, retries=3)
    assert sleeps == [0.5, 1.0, 2.0] and error.request_id == "req-503" and error.status == 503


def test_the_backoff_stops_growing():
    client, dummy_session, dummy_sleeps = make_client([])
    assert [client._backoff(attempt) for attempt in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]  # pylint: disable=protected-access


def test_an_uncertain_create_after_retries_keeps_the_api_error_details():
    body = {"idempotency_key": "k-9"}
    calls = [Call("POST", "/v2/x", status=503, json_body=UNAVAILABLE)] * 2
    error, sleeps = failure_of(calls, lambda client: client.create("/v2/x", body), _errors.UncertainWriteError,
                               retries=1)
    assert str(error) == (
        "POST /v2/x failed with HTTP 503 api_error: Service unavailable [request_id req-503] -- no attempt got a usable "
        "answer, so the object may or may not have been created. Running the task again is safe: the create carries "
        "idempotency_key 'k-9', so the API answers with the object it made instead of making a second one. To check "
        "now, look at the status page or list it with incident_io.status_page.status_page_info")
    assert (error.method, error.path, error.status, error.error_type, error.request_id) == (
        "POST", "/v2/x", 503, "api_error", "req-503")
    assert error.errors == UNAVAILABLE["errors"] and sleeps == [0.5]


def test_an_uncertain_put_after_retries():
    calls = [Call("PUT", "/v2/x", raises=read_timeout())] * 2
    error, sleeps = failure_of(calls, lambda client: client.put("/v2/x", {}), _errors.UncertainWriteError, retries=1)
    assert str(error).endswith(
        "; the request may have reached the server. Check api_url (or the INCIDENT_API_URL environment variable): it "
        "is https://api.incident.test, and the incident.io API is at https://api.incident.io -- no attempt got a "
        "usable answer, so the change to the object may or may not have been applied. Running the task again is "
        "safe: the PUT sends the whole desired state. To check now, look at the status page or read the object with "
        "incident_io.status_page.status_page_info")


def test_an_uncertain_delete_after_retries():
    calls = [Call("DELETE", "/v2/x", status=503, json_body=UNAVAILABLE)] * 3
    error, sleeps = failure_of(calls, lambda client: client.delete("/v2/x"), _errors.UncertainWriteError, retries=2)
    assert str(error) == (
        "DELETE /v2/x failed with HTTP 503 api_error: Service unavailable [request_id req-503] -- no attempt got a "
        "usable answer, so the object may or may not have been deleted. Running the task again is safe: a repeated "
        "delete of a deleted object changes nothing. To check now, look at the status page or read it with "
        "incident_io.status_page.status_page_info")
    assert sleeps == [0.5, 1.0]


def test_a_delete_whose_first_answer_was_lost_and_second_is_404_succeeded():
    not_found = api_error(404, "not_found", "not_found", "Not found")
    calls = [Call("DELETE", "/v2/x", raises=read_timeout()), Call("DELETE", "/v2/x", status=404, json_body=not_found)]
    client, session, sleeps = make_client(calls)
    assert client.delete("/v2/x") is None and sleeps == [0.5]


def test_an_update_whose_re_read_fails_says_so():
    def landed():
        raise _errors.APIError("GET /v2/o failed with HTTP 500", method="GET", path="/v2/o", status=500)

    calls = [Call("POST", "/v2/x", status=503, json_body=UNAVAILABLE)]
    error, sleeps = failure_of(calls, lambda client: client.post_update("/v2/x", {}, landed), _errors.UncertainWriteError)
    assert str(error) == (
        "POST /v2/x failed with HTTP 503 api_error: Service unavailable [request_id req-503] -- no attempt got a "
        "usable answer, so the update may or may not have been published, and re-reading the object to find out "
        "failed (GET /v2/o failed with HTTP 500). Check the status page (or incident_io.status_page.status_page_info) "
        "before running again: a re-run that reads the update there publishes nothing")
    assert (error.method, error.path, error.status, error.request_id) == ("POST", "/v2/x", 503, "req-503")


def test_an_update_not_found_after_every_attempt():
    calls = [Call("POST", "/v2/x", status=503, json_body=UNAVAILABLE)] * 3
    checks = []
    error, sleeps = failure_of(calls, lambda client: client.post_update("/v2/x", {}, lambda: checks.append(1)),
                               _errors.UncertainWriteError, retries=2)
    assert str(error) == (
        "POST /v2/x failed with HTTP 503 api_error: Service unavailable [request_id req-503] -- the update was not "
        "found on the object after 3 attempts; it was probably not published. Check the status page (or "
        "incident_io.status_page.status_page_info) before running again.")
    assert (error.method, error.path, error.status, error.error_type, error.request_id) == (
        "POST", "/v2/x", 503, "api_error", "req-503")
    assert error.errors == UNAVAILABLE["errors"] and sleeps == [0.5, 1.0] and len(checks) == 3


# ----- settings --------------------------------------------------------------------------------------------------


def test_a_client_from_the_module_options():
    session = FakeSession([])
    params = {"api_key": API_KEY, "api_url": API_URL + "/", "validate_certs": False, "timeout": 7.5, "retries": 2}
    client = _client.StatusPageClient.from_params(params, session=session)
    assert (client.base_url, client.timeout, client.retries, session.verify) == (API_URL, 7.5, 2, False)
    assert session.headers == {"Authorization": f"Bearer {API_KEY}", "User-Agent": _client.USER_AGENT,
                               "Accept": "application/json"}


def test_the_defaults_of_a_client():
    client = _client.StatusPageClient(API_KEY, session=FakeSession([]))
    assert (client.base_url, client.timeout, client.retries, client.session.verify) == (
        _client.DEFAULT_API_URL, 30, 5, True)


@pytest.mark.parametrize("key, accepted", [
    ("inc_!#$%&'*+-.^_`|~", True), ("inc_a b", False), ("inc_a\tb", False), ("inc_a\x1fb", False),
    ("inc_a\x7fb", False), ("inc_a\x80b", True),
])
def test_which_characters_a_key_may_hold(key, accepted):
    if accepted:
        assert _client.StatusPageClient(key, session=FakeSession([]))
        return
    with pytest.raises(_errors.ConfigurationError) as caught:
        _client.StatusPageClient(key, session=FakeSession([]))
    assert str(caught.value) == ("api_key contains blank space or control characters inside it; an incident.io API key "
                                 "is one word, such as inc_ followed by letters and digits")


def test_the_key_is_masked_in_every_message():
    client, dummy_session, dummy_sleeps = make_client([])
    assert client._redact(f"a {API_KEY} b {API_KEY}") == "a ******** b ********"  # pylint: disable=protected-access


def test_the_hint_for_the_default_api_url():
    client = _client.StatusPageClient(API_KEY, session=FakeSession([]))
    assert client._connection_hint(True) == (  # pylint: disable=protected-access
        "api_url (or the INCIDENT_API_URL environment variable) is https://api.incident.io, the incident.io API: check "
        "that this host can reach it (network, DNS, proxy settings); plain http is only for loopback test servers, and "
        "for a server with a private CA set validate_certs")


@pytest.mark.parametrize("url, message", [
    ("https://api.incident.io?x=1", "api_url must not carry a query or fragment, got 'https://api.incident.io?x=1'"),
    ("https://api.incident.io#x", "api_url must not carry a query or fragment, got 'https://api.incident.io#x'"),
    ("https://deploy@api.incident.io", "api_url must not carry a user name or password; give the key as api_key"),
    ("http://10.0.0.5", "api_url 'http://10.0.0.5' uses plain http to a host that is not loopback; the API key would "
                        "travel unencrypted. Use https (plain http is accepted only for 127.0.0.1, ::1 and localhost)"),
    (None, "api_url must be an http(s) URL such as https://api.incident.io, got None"),
    ("https://[::1", "api_url is not a valid URL (Invalid IPv6 URL), got 'https://[::1'"),
])
def test_api_url_messages(url, message):
    with pytest.raises(_errors.ConfigurationError) as caught:
        _client.validate_api_url(url)
    assert str(caught.value) == message


@pytest.mark.parametrize("url, expected", [
    ("https://api.incident.io//", "https://api.incident.io"),
    ("http://app.LOCALHOST:8080/", "http://app.LOCALHOST:8080"),
    ("http://127.0.0.2", "http://127.0.0.2"),
])
def test_api_url_accepted(url, expected):
    assert _client.validate_api_url(url) == expected


def test_the_id_an_error_gives_as_an_example():
    with pytest.raises(_errors.InputError) as caught:
        _client.check_id_option("a-b", "id")
    assert str(caught.value) == ("id: 'a-b' is not an incident.io ID; IDs are letters and digits only, such as "
                                 "01JB5A7Z3KJ4W5M6N7P8Q9R0SV")


@pytest.mark.parametrize("value, seconds", [("0", 0.0), ("-5", 0.0), ("2.5", 2.5)])
def test_retry_after_in_seconds(value, seconds):
    assert _client.parse_retry_after(value) == seconds
