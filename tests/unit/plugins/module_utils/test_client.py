# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import email.utils
import http.client
import socket
import ssl
import time

import pytest
import requests
from urllib3 import exceptions as urllib3_exceptions

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.incident_io.status_page.plugins.module_utils import _client, _errors
from ansible_collections.incident_io.status_page.tests.unit.plugins.data import UNAVAILABLE
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import (
    API_KEY,
    Call,
    FakeSession,
    api_error,
    connection_refused,
    connection_reset,
    make_client,
    read_timeout,
)

PAGES = {"status_pages": [{"id": "P1", "name": "Acme"}], "pagination_meta": {"page_size": 250}}
CREATED = {"status_page_incident": {"id": "I1", "name": "Outage"}}
RATE_LIMITED = api_error(429, "too_many_requests", "too_many_requests", "Too many requests", request_id="req-429")


def test_headers_auth_user_agent_and_json():
    client, session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=PAGES)])
    assert client.list_status_pages() == PAGES["status_pages"]
    sent = session.sent[0]
    assert sent["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert sent["headers"]["User-Agent"].startswith(f"incident_io.status_page/{_client.COLLECTION_VERSION} ansible-core/")
    assert sent["query"] == {"page_size": 250}
    assert sent["timeout"] == 30
    session.assert_all_used()


def test_pagination_follows_after_until_absent():
    calls = [
        Call("GET", "/v2/status_page_incidents", query={"status_page_id": "P1", "page_size": 250},
             json_body={"status_page_incidents": [{"id": "A"}, {"id": "B"}], "pagination_meta": {"after": "B"}}),
        Call("GET", "/v2/status_page_incidents", query={"status_page_id": "P1", "page_size": 250, "after": "B"},
             json_body={"status_page_incidents": [{"id": "C"}], "pagination_meta": {"page_size": 250}}),
    ]
    client, session, dummy_sleeps = make_client(calls)
    assert [i["id"] for i in client.list_incidents("P1")] == ["A", "B", "C"]
    session.assert_all_used()


def test_pagination_passes_time_filters():
    calls = [Call("GET", "/v2/status_page_maintenances",
                  query={"status_page_id": "P1", "start_at": "2026-01-01T00:00:00Z", "page_size": 250},
                  json_body={"status_page_maintenances": [], "pagination_meta": {}})]
    client, session, dummy_sleeps = make_client(calls)
    assert client.list_maintenances("P1", start_at="2026-01-01T00:00:00Z") == []
    session.assert_all_used()


def test_pagination_refuses_a_repeated_cursor():
    page = {"status_page_incidents": [{"id": "A"}], "pagination_meta": {"after": "A"}}
    calls = [Call("GET", "/v2/status_page_incidents", json_body=page)] * 2
    client, dummy_session, dummy_sleeps = make_client(calls)
    with pytest.raises(_errors.APIError, match="cursor 'A' twice"):
        client.list_incidents("P1")


@pytest.mark.parametrize("retry_after, expected_wait", [("3", 3.0), (None, _client.RETRY_AFTER_FALLBACK_SECONDS)])
def test_429_waits_retry_after_seconds_then_retries(retry_after, expected_wait):
    headers = {"Retry-After": retry_after} if retry_after else {}
    calls = [Call("GET", "/v2/status_pages", status=429, json_body=RATE_LIMITED, headers=headers),
             Call("GET", "/v2/status_pages", json_body=PAGES)]
    client, session, sleeps = make_client(calls)
    assert client.list_status_pages() == PAGES["status_pages"]
    assert sleeps == [expected_wait]
    session.assert_all_used()


def test_429_retry_after_http_date():
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    calls = [Call("POST", "/v2/status_page_incident_updates", status=429, json_body=RATE_LIMITED, headers={"Retry-After": when}),
             Call("POST", "/v2/status_page_incident_updates", status=201, json_body={"status_page_incident_update": {}})]
    client, session, sleeps = make_client(calls)
    client.post_update("/v2/status_page_incident_updates", {"message": "m"}, landed=lambda: pytest.fail("not ambiguous"))
    assert len(sleeps) == 1 and 3 <= sleeps[0] <= 5
    session.assert_all_used()


def test_parse_retry_after_forms():
    assert _client.parse_retry_after("7") == 7.0
    assert _client.parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=4.0) == 6.0
    assert _client.parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=20.0) == 0.0
    assert _client.parse_retry_after("soon") is None
    assert _client.parse_retry_after(None) is None


def test_429_exhausted_raises_rate_limited():
    calls = [Call("GET", "/v2/status_pages", status=429, json_body=RATE_LIMITED, headers={"Retry-After": "1"})] * 3
    client, session, sleeps = make_client(calls, retries=2)
    with pytest.raises(_errors.RateLimitedError) as caught:
        client.list_status_pages()
    assert caught.value.status == 429 and caught.value.request_id == "req-429"
    assert sleeps == [1.0, 1.0]
    session.assert_all_used()


@pytest.mark.parametrize("method", ["GET", "POST_CREATE", "POST_UPDATE", "PUT", "DELETE"])
def test_connection_refused_is_retried_for_every_method(method):
    path = "/v2/status_page_incidents"
    http_method = method.split("_")[0]
    answer = {"GET": PAGES, "POST_CREATE": CREATED, "POST_UPDATE": {"status_page_incident_update": {}}, "PUT": CREATED}
    ok = Call(http_method, path, status=204 if method == "DELETE" else 200, json_body=answer.get(method))
    client, session, sleeps = make_client([Call(http_method, path, raises=connection_refused()), ok])
    if method == "GET":
        client.get(path)
    elif method == "POST_CREATE":
        client.create(path, {"idempotency_key": "k"})
    elif method == "POST_UPDATE":
        client.post_update(path, {}, landed=lambda: pytest.fail("nothing was sent: no need to check"))
    elif method == "PUT":
        client.put(path, {"name": "n"})
    else:
        client.delete(path)
    assert sleeps == [0.5]
    session.assert_all_used()


@pytest.mark.parametrize("failure", ["503", "reset", "timeout"])
def test_get_is_retried_after_5xx_reset_and_timeout(failure):
    first = {"503": Call("GET", "/v2/status_pages", status=503, json_body=UNAVAILABLE),
             "reset": Call("GET", "/v2/status_pages", raises=connection_reset()),
             "timeout": Call("GET", "/v2/status_pages", raises=read_timeout())}[failure]
    client, session, sleeps = make_client([first, Call("GET", "/v2/status_pages", json_body=PAGES)])
    assert client.list_status_pages() == PAGES["status_pages"]
    assert sleeps == [0.5]
    session.assert_all_used()


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_create_is_retried_after_5xx_with_the_same_idempotency_key(status):
    body = {"idempotency_key": "key-1", "name": "Outage"}
    calls = [Call("POST", "/v2/status_page_incidents", status=status, json_body=UNAVAILABLE, body=body),
             Call("POST", "/v2/status_page_incidents", status=201, json_body=CREATED, body=body)]
    client, session, sleeps = make_client(calls)
    assert client.create("/v2/status_page_incidents", body) == CREATED
    assert sleeps == [0.5]
    session.assert_all_used()


def test_backoff_grows_and_is_capped():
    calls = [Call("GET", "/v2/status_pages", status=502, json_body=UNAVAILABLE)] * 7
    client, dummy_session, sleeps = make_client(calls, retries=6)
    with pytest.raises(_errors.APIError):
        client.list_status_pages()
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]


def test_update_5xx_is_not_resent_when_it_landed():
    calls = [Call("POST", "/v2/status_page_incident_updates", status=503, json_body=UNAVAILABLE)]
    client, session, sleeps = make_client(calls)
    checks = []
    assert client.post_update("/v2/status_page_incident_updates", {"message": "m"}, landed=lambda: checks.append(1) or True) is None
    assert checks == [1] and sleeps == []
    session.assert_all_used()


def test_update_reset_is_resent_only_when_it_did_not_land():
    update = {"status_page_incident_update": {"id": "U1"}}
    calls = [Call("POST", "/v2/status_page_incident_updates", raises=connection_reset()),
             Call("POST", "/v2/status_page_incident_updates", status=201, json_body=update)]
    client, session, sleeps = make_client(calls)
    assert client.post_update("/v2/status_page_incident_updates", {"message": "m"}, landed=lambda: False) == update
    assert sleeps == [0.5]
    session.assert_all_used()


def test_update_5xx_is_never_retried_by_request():
    calls = [Call("POST", "/v2/status_page_incident_updates", status=502, json_body=UNAVAILABLE)]
    client, session, dummy_sleeps = make_client(calls)
    with pytest.raises(_errors.APIError) as caught:
        client.request("POST", "/v2/status_page_incident_updates", body={}, retry_when_maybe_sent=False)
    assert caught.value.status == 502
    session.assert_all_used()


def test_update_uncertain_after_retries_says_what_to_check():
    calls = [Call("POST", "/v2/status_page_maintenance_updates", raises=read_timeout())] * 2
    client, session, dummy_sleeps = make_client(calls, retries=1)
    with pytest.raises(_errors.UncertainWriteError, match="probably not published. Check the status page"):
        client.post_update("/v2/status_page_maintenance_updates", {"message": "m"}, landed=lambda: False)
    session.assert_all_used()


def test_update_422_is_raised_without_a_landed_check():
    error = api_error(422, "validation_error", "invalid", "too many updates", field="message")
    client, dummy_session, dummy_sleeps = make_client([Call("POST", "/v2/status_page_incident_updates", status=422, json_body=error)])
    with pytest.raises(_errors.APIError, match="message: too many updates"):
        client.post_update("/v2/status_page_incident_updates", {}, landed=lambda: pytest.fail("not ambiguous"))


def test_delete_whose_answer_was_lost_counts_as_deleted():
    calls = [Call("DELETE", "/v2/status_page_maintenances/M1", raises=connection_reset()),
             Call("DELETE", "/v2/status_page_maintenances/M1", status=404, json_body=api_error(404, "not_found", "not_found", "gone"))]
    client, session, dummy_sleeps = make_client(calls)
    assert client.delete("/v2/status_page_maintenances/M1") is None
    session.assert_all_used()


def test_delete_404_on_first_try_is_an_error():
    calls = [Call("DELETE", "/v2/status_page_maintenances/M1", status=404, json_body=api_error(404, "not_found", "not_found", "gone"))]
    client, dummy_session, dummy_sleeps = make_client(calls)
    with pytest.raises(_errors.NotFoundError):
        client.delete("/v2/status_page_maintenances/M1")


def test_create_uncertain_after_retries_names_the_key_and_how_to_check():
    body = {"idempotency_key": "key-1", "name": "Outage"}
    calls = [Call("POST", "/v2/status_page_incidents", status=503, json_body=UNAVAILABLE, body=body),
             Call("POST", "/v2/status_page_incidents", raises=read_timeout(), body=body)]
    client, session, sleeps = make_client(calls, retries=1)
    with pytest.raises(_errors.UncertainWriteError) as caught:
        client.create("/v2/status_page_incidents", body)
    message = str(caught.value)
    assert message.startswith("POST https://api.incident.test/v2/status_page_incidents failed: no answer came from "
                              "api.incident.test within 30 s (timeout); the request may have reached the server")
    assert "may or may not have been created" in message and "'key-1'" in message
    assert "status_page_info" in message
    assert caught.value.method == "POST" and caught.value.path == "/v2/status_page_incidents"
    assert sleeps == [0.5]
    session.assert_all_used()


def test_create_refused_is_not_uncertain():
    error = api_error(422, "validation_error", "invalid", "too long", field="name")
    client, dummy_session, dummy_sleeps = make_client([Call("POST", "/v2/status_page_incidents", status=422, json_body=error)])
    with pytest.raises(_errors.APIError) as caught:
        client.create("/v2/status_page_incidents", {"idempotency_key": "key-1"})
    assert not isinstance(caught.value, _errors.UncertainWriteError)


def test_create_rate_limited_after_retries_is_not_uncertain():
    calls = [Call("POST", "/v2/status_page_incidents", status=429, json_body=RATE_LIMITED,
                  headers={"Retry-After": "1"})] * 2
    client, dummy_session, sleeps = make_client(calls, retries=1)
    with pytest.raises(_errors.RateLimitedError):
        client.create("/v2/status_page_incidents", {"idempotency_key": "key-1"})
    assert sleeps == [1.0]


def test_put_uncertain_after_retries_says_a_rerun_is_safe():
    calls = [Call("PUT", "/v2/status_page_maintenances/M1", status=502, json_body=UNAVAILABLE)] * 2
    client, session, dummy_sleeps = make_client(calls, retries=1)
    with pytest.raises(_errors.UncertainWriteError) as caught:
        client.put("/v2/status_page_maintenances/M1", {"name": "n"})
    assert caught.value.status == 502 and caught.value.request_id == "req-503"
    assert "may or may not have been applied" in str(caught.value) and "status_page_info" in str(caught.value)
    session.assert_all_used()


def test_delete_uncertain_after_retries_says_what_to_check():
    calls = [Call("DELETE", "/v2/status_page_maintenances/M1", status=503, json_body=UNAVAILABLE)] * 2
    client, session, sleeps = make_client(calls, retries=1)
    with pytest.raises(_errors.UncertainWriteError) as caught:
        client.delete("/v2/status_page_maintenances/M1")
    assert "may or may not have been deleted" in str(caught.value) and "status_page_info" in str(caught.value)
    assert sleeps == [0.5]
    session.assert_all_used()


def test_update_whose_reread_fails_is_uncertain():
    calls = [Call("POST", "/v2/status_page_incident_updates", status=503, json_body=UNAVAILABLE)]
    client, session, dummy_sleeps = make_client(calls)

    def landed():
        raise _errors.APIError("GET /v2/status_page_incidents/I1 failed with HTTP 503", status=503)

    with pytest.raises(_errors.UncertainWriteError) as caught:
        client.post_update("/v2/status_page_incident_updates", {"message": "m"}, landed)
    assert "may or may not have been published" in str(caught.value)
    assert "GET /v2/status_page_incidents/I1 failed" in str(caught.value)
    assert caught.value.path == "/v2/status_page_incident_updates"
    session.assert_all_used()


@pytest.mark.parametrize("status, error_type, error_class", [
    (401, "authentication_error", _errors.AuthenticationError),
    (403, "resource_forbidden", _errors.ForbiddenError),
    (404, "not_found", _errors.NotFoundError),
    (422, "validation_error", _errors.APIError),
    (400, "invalid_request_error", _errors.APIError),
])
def test_error_mapping(status, error_type, error_class):
    body = api_error(status, error_type, "some_code", "The API's own words", field="name", request_id="req-xyz")
    client, dummy_session, sleeps = make_client([Call("POST", "/v2/status_page_incidents", status=status, json_body=body)])
    with pytest.raises(error_class) as caught:
        client.create("/v2/status_page_incidents", {"idempotency_key": "k"})
    error = caught.value
    assert error.__class__ is error_class
    assert (error.status, error.error_type, error.request_id) == (status, error_type, "req-xyz")
    assert error.fields == ["name"] and error.codes == ["some_code"]
    assert "name: The API's own words" in str(error) and "request_id req-xyz" in str(error)
    assert sleeps == []
    kwargs = error.fail_json_kwargs()
    assert kwargs["request_id"] == "req-xyz" and kwargs["status"] == status


def test_forbidden_names_the_permission():
    body = api_error(403, "resource_forbidden", "missing_permissions", "Missing permission")
    client, dummy_session, dummy_sleeps = make_client([Call("POST", "/v2/status_page_maintenances", status=403, json_body=body)])
    with pytest.raises(_errors.ForbiddenError, match="status_pages.publish_updates"):
        client.create("/v2/status_page_maintenances", {})


def test_forbidden_names_the_permission_once():
    body = api_error(403, "resource_forbidden", "missing_permissions",
                     "This API key is missing the permission (scope status_pages.publish_updates)", request_id="req-403")
    client, dummy_session, dummy_sleeps = make_client([Call("POST", "/v2/status_page_maintenances", status=403, json_body=body)])
    with pytest.raises(_errors.ForbiddenError) as caught:
        client.create("/v2/status_page_maintenances", {})
    assert str(caught.value).count("status_pages.publish_updates") == 1
    assert "request_id req-403" in str(caught.value)


def test_unauthorized_names_the_option():
    body = api_error(401, "authentication_error", "invalid_api_key", "The API key is not valid", request_id="req-401")
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", status=401, json_body=body)])
    with pytest.raises(_errors.AuthenticationError) as caught:
        client.list_status_pages()
    assert "The API key is not valid" in str(caught.value)
    assert "check api_key" in str(caught.value) and "request_id req-401" in str(caught.value)


def test_tls_failure_names_the_options_and_is_not_sent():
    failure = requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number")
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", raises=failure)], retries=0)
    with pytest.raises(_errors.TransportError) as caught:
        client.list_status_pages()
    assert caught.value.maybe_sent is False
    assert "WRONG_VERSION_NUMBER" in str(caught.value)
    assert "nothing was sent" in str(caught.value) and "api_url" in str(caught.value)
    assert "validate_certs" in str(caught.value)


def test_non_json_answers():
    calls = [Call("GET", "/v2/status_pages", status=502, text="<html>Bad gateway</html>"),
             Call("GET", "/v2/status_pages", status=200, text="<html>ok</html>")]
    client, dummy_session, dummy_sleeps = make_client(calls, retries=0)
    with pytest.raises(_errors.APIError, match="HTTP 502: <html>Bad gateway"):
        client.list_status_pages()
    client, dummy_session, dummy_sleeps = make_client(calls[1:])
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.list_status_pages()
    assert str(caught.value).startswith("GET /v2/status_pages succeeded, but answered HTTP 200 with a body that is not "
                                        "JSON ('<html>ok</html>') instead of a JSON object. Nothing was written.")


def test_api_key_never_in_exception_text():
    echo = api_error(401, "authentication_error", "invalid", f"Key {API_KEY} is not valid")
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", status=401, json_body=echo)])
    with pytest.raises(_errors.AuthenticationError) as caught:
        client.list_status_pages()
    assert API_KEY not in str(caught.value) and "********" in str(caught.value)

    leaky = connection_refused()
    leaky.args = (f"refused while sending Bearer {API_KEY}",)
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", raises=leaky)], retries=0)
    with pytest.raises(_errors.TransportError) as caught:
        client.list_status_pages()
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value.fail_json_kwargs())


def test_transport_error_says_whether_anything_was_sent():
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", raises=connection_refused())], retries=0)
    with pytest.raises(_errors.TransportError, match="nothing was sent") as caught:
        client.list_status_pages()
    assert caught.value.maybe_sent is False
    client, dummy_session, dummy_sleeps = make_client([Call("POST", "/v2/x", raises=read_timeout())], retries=0)
    with pytest.raises(_errors.TransportError, match="may have reached the server") as caught:
        client.request("POST", "/v2/x", body={}, retry_when_maybe_sent=False)
    assert caught.value.maybe_sent is True


@pytest.mark.parametrize("url, accepted", [
    ("https://api.incident.io", True),
    ("https://api.incident.io/", True),
    ("http://127.0.0.1:8080", True),
    ("http://localhost:1234", True),
    ("http://[::1]:1234", True),
    ("http://api.incident.io", False),
    ("http://10.0.0.5:8080", False),
    ("ftp://api.incident.io", False),
    ("api.incident.io", False),
    ("", False),
])
def test_api_url_validation(url, accepted):
    if accepted:
        assert not _client.validate_api_url(url).endswith("/")
    else:
        with pytest.raises(_errors.ConfigurationError, match="api_url"):
            _client.validate_api_url(url)


def test_client_refuses_bad_settings_before_sending():
    for kwargs, message in (({"timeout": 0}, "timeout"), ({"retries": -1}, "retries")):
        with pytest.raises(_errors.ConfigurationError, match=message):
            make_client([], **kwargs)
    with pytest.raises(_errors.ConfigurationError, match="api_key is required"):
        _client.StatusPageClient("", "https://api.incident.io", session=object())


def test_connection_argument_spec_reads_documented_environment_variables():
    spec = _client.connection_argument_spec(name={"type": "str"})
    assert spec["api_key"]["no_log"] is True
    assert spec["api_key"]["fallback"][1] == ["INCIDENT_API_KEY", "INCIDENT_IO_API_KEY"]
    assert spec["api_url"]["fallback"][1] == ["INCIDENT_API_URL", "INCIDENT_ENDPOINT"]
    assert spec["name"] == {"type": "str"}
    assert "name" not in _client.CONNECTION_ARGUMENT_SPEC


# ----- messages a user acts on -----------------------------------------------------------------------------------


@pytest.mark.parametrize("api_key", [None, "", "  \n"])
def test_a_missing_key_names_every_way_to_give_one(api_key):
    with pytest.raises(_errors.ConfigurationError) as caught:
        _client.StatusPageClient(api_key, "https://api.incident.io", session=object())
    message = str(caught.value)
    assert message.startswith("api_key is required: set the api_key option")
    assert "module_defaults for group/incident_io.status_page.status_page" in message
    assert "INCIDENT_API_KEY environment variable" in message


def test_a_key_read_from_a_file_loses_its_newline():
    client, session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=PAGES)])
    client = _client.StatusPageClient(f"  {API_KEY}\n", "https://api.incident.test", session=session)
    client.list_status_pages()
    assert session.sent[0]["headers"]["Authorization"] == f"Bearer {API_KEY}"


def test_a_key_with_blank_space_inside_is_refused_without_showing_it():
    with pytest.raises(_errors.ConfigurationError) as caught:
        _client.StatusPageClient("inc_abc def", "https://api.incident.io", session=object())
    assert "blank space or control characters" in str(caught.value) and "abc" not in str(caught.value)


@pytest.mark.parametrize("environment, expected", [
    ({"INCIDENT_API_URL": "https://one.test"}, "https://one.test"),
    ({"INCIDENT_API_URL": "", "INCIDENT_ENDPOINT": "https://two.test"}, "https://two.test"),
    ({"INCIDENT_API_URL": " ", "INCIDENT_ENDPOINT": ""}, _client.DEFAULT_API_URL),
    ({}, _client.DEFAULT_API_URL),
])
def test_an_empty_environment_variable_counts_as_unset(monkeypatch, environment, expected):
    for name in ("INCIDENT_API_URL", "INCIDENT_ENDPOINT", "INCIDENT_API_KEY", "INCIDENT_IO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("INCIDENT_API_KEY", "")
    monkeypatch.setenv("INCIDENT_IO_API_KEY", "inc_second")
    validated = ArgumentSpecValidator(_client.connection_argument_spec()).validate({})
    assert validated.error_messages == []
    assert validated.validated_parameters["api_url"] == expected
    assert validated.validated_parameters["api_key"] == "inc_second"


def test_no_key_anywhere_is_left_to_the_client_message(monkeypatch):
    for name in ("INCIDENT_API_KEY", "INCIDENT_IO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    validated = ArgumentSpecValidator(_client.connection_argument_spec()).validate({})
    assert validated.error_messages == [] and validated.validated_parameters["api_key"] is None


def test_a_refused_connection_names_the_url_and_how_to_change_it():
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", raises=connection_refused())],
                                                      retries=0)
    with pytest.raises(_errors.TransportError) as caught:
        client.list_status_pages()
    assert str(caught.value) == (
        "GET https://api.incident.test/v2/status_pages failed: api.incident.test refused the connection ([Errno 111] "
        "Connection refused); nothing was sent. Check api_url (or the INCIDENT_API_URL environment variable): it is "
        "https://api.incident.test, and the incident.io API is at https://api.incident.io")


def test_a_name_that_does_not_resolve_says_dns():
    reason = urllib3_exceptions.NameResolutionError("api.incident.test", None, OSError(
        "[Errno -2] Name or service not known"))
    failure = requests.exceptions.ConnectionError(urllib3_exceptions.MaxRetryError(None, "/", reason=reason))
    client = _client.StatusPageClient(API_KEY, _client.DEFAULT_API_URL, session=FakeSession(
        [Call("GET", "/v2/status_pages", raises=failure)]), retries=0)
    with pytest.raises(_errors.TransportError) as caught:
        client.list_status_pages()
    message = str(caught.value)
    assert message.startswith("GET https://api.incident.io/v2/status_pages failed: the host name of api.incident.io "
                              "could not be resolved (DNS: [Errno -2] Name or service not known); nothing was sent.")
    assert "api_url (or the INCIDENT_API_URL environment variable) is https://api.incident.io" in message
    assert caught.value.maybe_sent is False


def test_a_dropped_connection_says_the_request_may_have_arrived():
    client, dummy_session, dummy_sleeps = make_client([Call("POST", "/v2/x", raises=connection_reset())], retries=0)
    with pytest.raises(_errors.TransportError) as caught:
        client.request("POST", "/v2/x", body={}, retry_when_maybe_sent=False)
    message = str(caught.value)
    assert message.startswith("POST https://api.incident.test/v2/x failed: the connection to api.incident.test failed "
                              "or was dropped before an answer came (")
    assert "; the request may have reached the server. Check api_url" in message


def test_a_tls_failure_keeps_the_library_reason():
    reason = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")
    failure = requests.exceptions.SSLError(urllib3_exceptions.MaxRetryError(
        None, "/", reason=urllib3_exceptions.SSLError(reason)))
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", raises=failure)], retries=0)
    with pytest.raises(_errors.TransportError) as caught:
        client.list_status_pages()
    assert str(caught.value).startswith(
        "GET https://api.incident.test/v2/status_pages failed: the TLS handshake with api.incident.test failed "
        "([SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)); nothing was sent.")
    assert str(caught.value).endswith("for a server with a private CA set validate_certs")


def test_a_forbidden_read_says_the_key_cannot_see_the_object():
    body = api_error(403, "resource_forbidden", "forbidden", "Forbidden", request_id="req-403")
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_page_incidents/I1", status=403,
                                                            json_body=body)])
    with pytest.raises(_errors.ForbiddenError) as caught:
        client.get_incident("I1")
    message = str(caught.value)
    assert _client.READ_FORBIDDEN_HINT in message and "publish" not in message
    assert message.endswith("[request_id req-403]")


def test_a_forbidden_write_names_the_publish_permission():
    body = api_error(403, "resource_forbidden", "forbidden", "Forbidden")
    client, dummy_session, dummy_sleeps = make_client([Call("PUT", "/v2/status_page_incidents/I1", status=403,
                                                            json_body=body)])
    with pytest.raises(_errors.ForbiddenError) as caught:
        client.rename_incident("I1", "New name")
    assert _client.PUBLISH_PERMISSION_HINT in str(caught.value) and "cannot see" not in str(caught.value)


def test_a_redirect_is_not_followed():
    calls = [Call("POST", "/v2/status_page_incidents", status=301, headers={"Location": "https://elsewhere.test/"})]
    client, session, dummy_sleeps = make_client(calls)
    with pytest.raises(_errors.APIError) as caught:
        client.create_incident({"idempotency_key": "k"})
    assert "HTTP 301, a redirect to https://elsewhere.test/, which the collection does not follow" in str(caught.value)
    assert session.sent[0]["allow_redirects"] is False and len(session.sent) == 1


@pytest.mark.parametrize("validate_certs", [True, False])
def test_validate_certs_reaches_the_session(validate_certs):
    client, session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=PAGES)],
                                                validate_certs=validate_certs)
    client.list_status_pages()
    assert session.sent[0]["verify"] is validate_certs


# ----- IDs that become URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["01ABC/../../status_pages", "01ABC?status_page_id=x", "abc#frag", "a b", "ÄBC", "..",
                                   "01ABC%2F"])
def test_an_id_that_is_not_letters_and_digits_never_reaches_a_url(value):
    with pytest.raises(_errors.InputError) as caught:
        _client.check_id_option(value, "id")
    assert str(caught.value).startswith(f"id: {value!r} is not an incident.io ID; IDs are letters and digits only")
    client, session, dummy_sleeps = make_client([])
    for send in (client.get_incident, client.get_maintenance, client.delete_maintenance, client.get_structure,
                 lambda object_id: client.rename_incident(object_id, "n"),
                 lambda object_id: client.update_maintenance(object_id, {})):
        with pytest.raises(_errors.StatusPageError, match="is not an incident.io ID"):
            send(value)
    assert session.sent == []


def test_an_id_option_loses_surrounding_blank_space():
    assert _client.check_id_option(" 01ABC\n", "id") == "01ABC"
    assert _client.check_id_option(None, "id") is None
    with pytest.raises(_errors.InputError, match="^id: must not be empty$"):
        _client.check_id_option("  ", "id")


def test_path_segments_are_percent_encoded():
    # Checked IDs are letters and digits, which need no encoding; the encoding stands even so.
    assert _client.object_path("/v2/x", "01ABC", "ID") == "/v2/x/01ABC"
    with pytest.raises(_errors.StatusPageError, match="nothing was sent to /v2/x/... with it"):
        _client.object_path("/v2/x", "a/b", "ID")


# ----- answers the collection cannot use ------------------------------------------------------------------------


def test_an_empty_envelope_on_a_read_says_nothing_was_written():
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_page_incidents/I1", json_body={})])
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.get_incident("I1")
    assert str(caught.value).startswith("GET /v2/status_page_incidents/I1 succeeded, but its answer has no "
                                        "status_page_incident (got {}). Nothing was written.")


def test_an_empty_envelope_after_a_create_says_it_probably_landed_and_how_to_check():
    calls = [Call("POST", "/v2/status_page_maintenances", status=201, json_body={})]
    client, dummy_session, dummy_sleeps = make_client(calls)
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.create_maintenance({"idempotency_key": "key-7"})
    message = str(caught.value)
    assert message.startswith("POST /v2/status_page_maintenances succeeded, but its answer has no "
                              "status_page_maintenance (got {}). The API accepted the request, so the maintenance "
                              "window was probably created.")
    assert "idempotency_key 'key-7'" in message and "status_page_info" in message


def test_an_answer_of_the_wrong_type_after_a_put_says_it_probably_applied():
    calls = [Call("PUT", "/v2/status_page_maintenances/M1", json_body={"status_page_maintenance": ["M1"]})]
    client, dummy_session, dummy_sleeps = make_client(calls)
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.update_maintenance("M1", {"name": "n"})
    message = str(caught.value)
    assert "its answer is not usable: status_page_maintenance is a list, not an object" in message
    assert "so it was probably applied to the maintenance window" in message


def test_an_update_answered_without_its_record_is_accepted():
    calls = [Call("POST", "/v2/status_page_incident_updates", status=201, json_body={})]
    client, dummy_session, dummy_sleeps = make_client(calls)
    assert client.post_incident_update({"message": "m"}, landed=lambda: pytest.fail("not ambiguous")) == {}


def test_an_update_answered_with_a_broken_record_says_it_was_probably_published():
    calls = [Call("POST", "/v2/status_page_incident_updates", status=201, text="<html>ok</html>")]
    client, dummy_session, dummy_sleeps = make_client(calls)
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.post_incident_update({"message": "m"}, landed=lambda: pytest.fail("not ambiguous"))
    assert "a body that is not JSON ('<html>ok</html>')" in str(caught.value)
    assert "so it was probably published" in str(caught.value)


@pytest.mark.parametrize("answer, problem", [
    ({"status_page_incident": {"id": "I/1", "status_page_id": "P1"}}, "status_page_incident.id 'I/1' is not an incident.io ID"),
    ({"status_page_incident": {"id": "I1", "updates": {}}}, "status_page_incident.updates is an object, not a list"),
    ({"status_page_incident": {"id": "I1", "updates": [{"published_at": "now"}]}},
     "status_page_incident.updates[0].published_at 'now' is not an RFC 3339 time"),
    ({"status_page_incident": {"id": "I1", "component_impacts": [{"component_id": "C1"}]}},
     "status_page_incident.component_impacts[0] has no component_status"),
    ({"status_page_incident": {"id": "I1", "name": 7}}, "status_page_incident.name is a number, not a string"),
    ({"status_page_incident": {"name": "x"}}, "status_page_incident has no id"),
])
def test_a_field_of_the_wrong_type_is_named(answer, problem):
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_page_incidents/I1", json_body=answer)])
    with pytest.raises(_errors.UnexpectedAnswerError) as caught:
        client.get_incident("I1")
    assert f"its answer is not usable: {problem}" in str(caught.value)


def test_an_empty_answer_to_a_read_is_named():
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", status=204)])
    with pytest.raises(_errors.UnexpectedAnswerError, match="answered HTTP 204 with an empty body instead of a JSON"):
        client.list_status_pages()


def test_a_cursor_of_the_wrong_type_is_named():
    page = {"status_pages": [{"id": "P1"}], "pagination_meta": {"after": 5}}
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=page)])
    with pytest.raises(_errors.UnexpectedAnswerError, match="pagination_meta.after is a number, not a string"):
        client.list_status_pages()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_retry_after_that_is_no_number_of_seconds_is_ignored(value):
    assert _client.parse_retry_after(value) is None


@pytest.mark.parametrize("url, message", [
    ("https://user:secret@api.incident.io", "must not carry a user name or password"),
    ("https://api.incident.io:99999", "api_url is not a valid URL"),
])
def test_api_url_with_credentials_or_a_bad_port(url, message):
    with pytest.raises(_errors.ConfigurationError, match=message) as caught:
        _client.validate_api_url(url)
    assert "secret" not in str(caught.value)


def wrapped(reason: BaseException, kind=requests.exceptions.ConnectionError) -> Exception:
    """A failure as requests raises it: its error around urllib3's MaxRetryError around the reason."""
    return kind(urllib3_exceptions.MaxRetryError(None, "/v2/status_pages", reason=reason))


def caused_by(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize("failure, expected", [
    (wrapped(urllib3_exceptions.NameResolutionError("h", None, "no")),
     "the host name of h:1 could not be resolved (DNS)"),
    (wrapped(caused_by(urllib3_exceptions.NewConnectionError(None, "no"), socket.gaierror(-3, "Try again"))),
     "the host name of h:1 could not be resolved (DNS: [Errno -3] Try again)"),
    # urllib3 1.26 has no NameResolutionError: the resolver's words say it.
    (wrapped(urllib3_exceptions.NewConnectionError(None, "Failed to establish a new connection: nodename nor servname "
                                                         "provided, or not known")),
     "the host name of h:1 could not be resolved (DNS)"),
    (wrapped(caused_by(urllib3_exceptions.NewConnectionError(None, "no"), ConnectionRefusedError())),
     "h:1 refused the connection"),
    (wrapped(urllib3_exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset"))),
     "the connection to h:1 failed or was dropped before an answer came ([Errno 104] Connection reset)"),
    (wrapped(urllib3_exceptions.ProtocolError("Connection aborted.", http.client.RemoteDisconnected("Remote end closed"))),
     "the connection to h:1 failed or was dropped before an answer came (Remote end closed)"),
    (wrapped(urllib3_exceptions.SSLError(ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate")),
        requests.exceptions.SSLError),
     "the TLS handshake with h:1 failed ([SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed "
     "certificate)"),
    (requests.exceptions.SSLError("bad handshake"), "the TLS handshake with h:1 failed (bad handshake)"),
    (requests.exceptions.ConnectTimeout("slow"), "connecting to h:1 timed out after 2.5 s"),
    (requests.exceptions.ReadTimeout("slow"), "no answer came from h:1 within 2.5 s (timeout)"),
    (requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(3 bytes read)"),
     "ChunkedEncodingError: Connection broken: IncompleteRead(3 bytes read)"),
])
def test_transport_failures_in_words(failure, expected):
    assert _client.describe_transport_failure(failure, "h:1", 2.5) == expected


def test_the_causes_of_a_failure_that_refers_to_itself_are_finite():
    failure = requests.exceptions.ConnectionError("loop")
    failure.__context__ = failure
    assert _client._causes(failure) == [failure]  # pylint: disable=protected-access


@pytest.mark.parametrize("failure, sent", [
    (requests.exceptions.ConnectTimeout("slow"), False),
    (requests.exceptions.InvalidHeader("bad header"), False),
    (wrapped(urllib3_exceptions.ConnectTimeoutError("slow")), False),
    (wrapped(urllib3_exceptions.ProtocolError("Connection aborted.")), True),
    (requests.exceptions.ConnectionError("no reason"), True),
    (requests.exceptions.ReadTimeout("slow"), True),
])
def test_whether_a_failed_request_may_have_been_sent(failure, sent):
    assert _client._nothing_was_sent(failure) is not sent  # pylint: disable=protected-access
