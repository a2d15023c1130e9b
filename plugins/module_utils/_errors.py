# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module util is private to the collection: it can change at any time.
# Do not use it from other collections or standalone modules.

"""The collection's typed errors: what was asked, what came back, and whether a write may have landed.

Everything a module reports as its failure is a StatusPageError; ``fail_json_kwargs()`` is what the module passes
to ``fail_json``. ShapeError and TimeParseError are ValueErrors of the pure layers (answers, times), which the
client and the modules turn into StatusPageErrors with the context they know.
"""

from __future__ import annotations


class StatusPageError(Exception):
    """Anything a module reports as its failure message."""

    def fail_json_kwargs(self) -> dict:
        return {"msg": str(self)}


class ConfigurationError(StatusPageError):
    """A connection option is unusable; raised before any request is sent."""


class InputError(StatusPageError):
    """A module option is unusable; raised before any request is sent. The message starts with the option."""


class APIError(StatusPageError):
    """The API answered with an error, or could not be reached."""

    def __init__(self, message: str, *, method: str = "", path: str = "", status: int | None = None,
                 error_type: str | None = None, errors: list | None = None, request_id: str | None = None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.error_type = error_type
        self.errors = errors or []
        self.request_id = request_id

    @property
    def fields(self) -> list:
        return [e["source"]["field"] for e in self.errors if isinstance(e.get("source"), dict) and e["source"].get("field")]

    @property
    def codes(self) -> list:
        return [e.get("code") for e in self.errors if e.get("code")]

    def fail_json_kwargs(self) -> dict:
        result = {"msg": str(self), "status": self.status, "request_id": self.request_id}
        if self.error_type:
            result["error_type"] = self.error_type
        if self.errors:
            result["errors"] = self.errors
        return result


class AuthenticationError(APIError):
    """401: no key, or a key the API does not know."""


class ForbiddenError(APIError):
    """403: the key lacks the permission the operation needs."""


class NotFoundError(APIError):
    """404: the object does not exist (or the key cannot see it)."""


class RateLimitedError(APIError):
    """429 after every retry was used."""


class TransportError(APIError):
    """No HTTP answer: connection refused, DNS, TLS, timeout or a dropped connection.

    ``maybe_sent`` is true when the request may have reached the server, so a write may have landed.
    """

    def __init__(self, message: str, *, maybe_sent: bool, **kwargs):
        super().__init__(message, **kwargs)
        self.maybe_sent = maybe_sent


class UncertainWriteError(APIError):
    """A write failed in a way that leaves unknown whether it took effect, and retries are exhausted."""


class UnexpectedAnswerError(APIError):
    """The API said yes, but its answer lacks what the collection relies on (or is not JSON at all).

    ``outcome`` says what that means: for a read, that nothing was written; for a write, that it was probably
    applied, whether running again is safe, and how to check.
    """

    def __init__(self, problem: str, *, method: str, path: str, outcome: str = "", status: int | None = None):
        self.problem = problem
        self.outcome = outcome
        message = f"{method} {path} succeeded, but {problem}"
        if outcome:
            message += f". {outcome}"
        super().__init__(message, method=method, path=path, status=status)

    def with_outcome(self, outcome: str) -> UnexpectedAnswerError:
        return UnexpectedAnswerError(self.problem, outcome=outcome, method=self.method, path=self.path,
                                     status=self.status)


ERROR_CLASSES = {401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError, 429: RateLimitedError}


class ResolveError(StatusPageError):
    """A name matches nothing, or more than one thing."""


class LockTimeoutError(StatusPageError):
    """Another run on this host held the object's lock for longer than the wait allows."""


class ShapeError(ValueError):
    """An answer lacks what the collection relies on, or holds it as another JSON type."""


class TimeParseError(ValueError):
    """The text is not a time or duration this collection understands; the message names the option."""
