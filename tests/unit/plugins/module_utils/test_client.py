# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import email.utils
import time

import pytest
import requests

from ansible_collections.incident_io.status_page.plugins.module_utils import _client
from ansible_collections.incident_io.status_page.tests.unit.plugins.http_fake import (
    API_KEY,
    Call,
    api_error,
    connection_refused,
    connection_reset,
    make_client,
    read_timeout,
)

PAGES = {"status_pages": [{"id": "P1", "name": "Acme"}], "pagination_meta": {"page_size": 250}}
CREATED = {"status_page_incident": {"id": "I1", "name": "Outage"}}
UNAVAILABLE = api_error(503, "api_error", "unavailable", "Service unavailable", request_id="req-503")
RATE_LIMITED = api_error(429, "too_many_requests", "too_many_requests", "Too many requests", request_id="req-429")


def test_headers_auth_user_agent_and_json():
    client, session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", json_body=PAGES)])
    assert client.list_status_pages() == PAGES["status_pages"]
    sent = session.sent[0]
    assert sent["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert sent["headers"]["User-Agent"].startswith("incident_io.status_page/1.0.0 ansible-core/")
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
    with pytest.raises(_client.APIError, match="cursor 'A' twice"):
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
    with pytest.raises(_client.RateLimitedError) as caught:
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
    with pytest.raises(_client.APIError):
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
    with pytest.raises(_client.APIError) as caught:
        client.request("POST", "/v2/status_page_incident_updates", body={}, retry_when_maybe_sent=False)
    assert caught.value.status == 502
    session.assert_all_used()


def test_update_uncertain_after_retries_says_what_to_check():
    calls = [Call("POST", "/v2/status_page_maintenance_updates", raises=read_timeout())] * 2
    client, session, dummy_sleeps = make_client(calls, retries=1)
    with pytest.raises(_client.UncertainWriteError, match="probably not published. Check the status page"):
        client.post_update("/v2/status_page_maintenance_updates", {"message": "m"}, landed=lambda: False)
    session.assert_all_used()


def test_update_422_is_raised_without_a_landed_check():
    error = api_error(422, "validation_error", "invalid", "too many updates", field="message")
    client, dummy_session, dummy_sleeps = make_client([Call("POST", "/v2/status_page_incident_updates", status=422, json_body=error)])
    with pytest.raises(_client.APIError, match="message: too many updates"):
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
    with pytest.raises(_client.NotFoundError):
        client.delete("/v2/status_page_maintenances/M1")


def test_create_uncertain_after_retries_names_the_key_and_how_to_check():
    body = {"idempotency_key": "key-1", "name": "Outage"}
    calls = [Call("POST", "/v2/status_page_incidents", status=503, json_body=UNAVAILABLE, body=body),
             Call("POST", "/v2/status_page_incidents", raises=read_timeout(), body=body)]
    client, session, sleeps = make_client(calls, retries=1)
    with pytest.raises(_client.UncertainWriteError) as caught:
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
    with pytest.raises(_client.APIError) as caught:
        client.create("/v2/status_page_incidents", {"idempotency_key": "key-1"})
    assert not isinstance(caught.value, _client.UncertainWriteError)


def test_create_rate_limited_after_retries_is_not_uncertain():
    calls = [Call("POST", "/v2/status_page_incidents", status=429, json_body=RATE_LIMITED,
                  headers={"Retry-After": "1"})] * 2
    client, dummy_session, sleeps = make_client(calls, retries=1)
    with pytest.raises(_client.RateLimitedError):
        client.create("/v2/status_page_incidents", {"idempotency_key": "key-1"})
    assert sleeps == [1.0]


def test_put_uncertain_after_retries_says_a_rerun_is_safe():
    calls = [Call("PUT", "/v2/status_page_maintenances/M1", status=502, json_body=UNAVAILABLE)] * 2
    client, session, dummy_sleeps = make_client(calls, retries=1)
    with pytest.raises(_client.UncertainWriteError) as caught:
        client.put("/v2/status_page_maintenances/M1", {"name": "n"})
    assert caught.value.status == 502 and caught.value.request_id == "req-503"
    assert "may or may not have been applied" in str(caught.value) and "status_page_info" in str(caught.value)
    session.assert_all_used()


def test_delete_uncertain_after_retries_says_what_to_check():
    calls = [Call("DELETE", "/v2/status_page_maintenances/M1", status=503, json_body=UNAVAILABLE)] * 2
    client, session, sleeps = make_client(calls, retries=1)
    with pytest.raises(_client.UncertainWriteError) as caught:
        client.delete("/v2/status_page_maintenances/M1")
    assert "may or may not have been deleted" in str(caught.value) and "status_page_info" in str(caught.value)
    assert sleeps == [0.5]
    session.assert_all_used()


def test_update_whose_reread_fails_is_uncertain():
    calls = [Call("POST", "/v2/status_page_incident_updates", status=503, json_body=UNAVAILABLE)]
    client, session, dummy_sleeps = make_client(calls)

    def landed():
        raise _client.APIError("GET /v2/status_page_incidents/I1 failed with HTTP 503", status=503)

    with pytest.raises(_client.UncertainWriteError) as caught:
        client.post_update("/v2/status_page_incident_updates", {"message": "m"}, landed)
    assert "may or may not have been published" in str(caught.value)
    assert "GET /v2/status_page_incidents/I1 failed" in str(caught.value)
    assert caught.value.path == "/v2/status_page_incident_updates"
    session.assert_all_used()


@pytest.mark.parametrize("status, error_type, error_class", [
    (401, "authentication_error", _client.AuthenticationError),
    (403, "resource_forbidden", _client.ForbiddenError),
    (404, "not_found", _client.NotFoundError),
    (422, "validation_error", _client.APIError),
    (400, "invalid_request_error", _client.APIError),
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
    with pytest.raises(_client.ForbiddenError, match="status_pages.publish_updates"):
        client.create("/v2/status_page_maintenances", {})


def test_forbidden_names_the_permission_once():
    body = api_error(403, "resource_forbidden", "missing_permissions",
                     "This API key is missing the permission (scope status_pages.publish_updates)", request_id="req-403")
    client, dummy_session, dummy_sleeps = make_client([Call("POST", "/v2/status_page_maintenances", status=403, json_body=body)])
    with pytest.raises(_client.ForbiddenError) as caught:
        client.create("/v2/status_page_maintenances", {})
    assert str(caught.value).count("status_pages.publish_updates") == 1
    assert "request_id req-403" in str(caught.value)


def test_unauthorized_names_the_option():
    body = api_error(401, "authentication_error", "invalid_api_key", "The API key is not valid", request_id="req-401")
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", status=401, json_body=body)])
    with pytest.raises(_client.AuthenticationError) as caught:
        client.list_status_pages()
    assert "The API key is not valid" in str(caught.value)
    assert "check api_key" in str(caught.value) and "request_id req-401" in str(caught.value)


def test_tls_failure_names_the_options_and_is_not_sent():
    failure = requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number")
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", raises=failure)], retries=0)
    with pytest.raises(_client.TransportError) as caught:
        client.list_status_pages()
    assert caught.value.maybe_sent is False
    assert "WRONG_VERSION_NUMBER" in str(caught.value)
    assert "nothing was sent" in str(caught.value) and "api_url" in str(caught.value)
    assert "validate_certs" in str(caught.value)


def test_non_json_answers():
    calls = [Call("GET", "/v2/status_pages", status=502, text="<html>Bad gateway</html>"),
             Call("GET", "/v2/status_pages", status=200, text="<html>ok</html>")]
    client, dummy_session, dummy_sleeps = make_client(calls, retries=0)
    with pytest.raises(_client.APIError, match="HTTP 502: <html>Bad gateway"):
        client.list_status_pages()
    client, dummy_session, dummy_sleeps = make_client(calls[1:])
    with pytest.raises(_client.UnexpectedAnswerError) as caught:
        client.list_status_pages()
    assert str(caught.value).startswith("GET /v2/status_pages succeeded, but answered HTTP 200 with a body that is not "
                                        "JSON ('<html>ok</html>') instead of a JSON object. Nothing was written.")


def test_api_key_never_in_exception_text():
    echo = api_error(401, "authentication_error", "invalid", f"Key {API_KEY} is not valid")
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", status=401, json_body=echo)])
    with pytest.raises(_client.AuthenticationError) as caught:
        client.list_status_pages()
    assert API_KEY not in str(caught.value) and "********" in str(caught.value)

    leaky = connection_refused()
    leaky.args = (f"refused while sending Bearer {API_KEY}",)
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", raises=leaky)], retries=0)
    with pytest.raises(_client.TransportError) as caught:
        client.list_status_pages()
    assert API_KEY not in str(caught.value)
    assert API_KEY not in repr(caught.value.fail_json_kwargs())


def test_transport_error_says_whether_anything_was_sent():
    client, dummy_session, dummy_sleeps = make_client([Call("GET", "/v2/status_pages", raises=connection_refused())], retries=0)
    with pytest.raises(_client.TransportError, match="nothing was sent") as caught:
        client.list_status_pages()
    assert caught.value.maybe_sent is False
    client, dummy_session, dummy_sleeps = make_client([Call("POST", "/v2/x", raises=read_timeout())], retries=0)
    with pytest.raises(_client.TransportError, match="may have reached the server") as caught:
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
        with pytest.raises(_client.ConfigurationError, match="api_url"):
            _client.validate_api_url(url)


def test_client_refuses_bad_settings_before_sending():
    for kwargs, message in (({"timeout": 0}, "timeout"), ({"retries": -1}, "retries")):
        with pytest.raises(_client.ConfigurationError, match=message):
            make_client([], **kwargs)
    with pytest.raises(_client.ConfigurationError, match="api_key is required"):
        _client.StatusPageClient("", "https://api.incident.io", session=object())


def test_connection_argument_spec_reads_documented_environment_variables():
    spec = _client.connection_argument_spec(name={"type": "str"})
    assert spec["api_key"]["no_log"] is True
    assert spec["api_key"]["fallback"][1] == ["INCIDENT_API_KEY", "INCIDENT_IO_API_KEY"]
    assert spec["api_url"]["fallback"][1] == ["INCIDENT_API_URL", "INCIDENT_ENDPOINT"]
    assert spec["name"] == {"type": "str"}
    assert "name" not in _client.CONNECTION_ARGUMENT_SPEC
