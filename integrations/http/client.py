"""`ApiClient`: the only way the hub sends a request to a provider.

One client per connection, over one `requests.Session`. Every call has a
connect and a read timeout, goes through the rate limiter, is retried by the
method-aware policy in `retries`, has every attempt recorded in the call log,
and ends either in an `ApiResponse` with parsed JSON or in one of the errors
from `errors` (never a bare `requests` exception).
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions
from django.conf import settings

from config import __version__
from integrations import jsoncodec
from integrations.http import call_log
from integrations.http.auth import Auth
from integrations.http.errors import (
    AuthenticationError,
    IntegrationError,
    InvalidResponseError,
    ProviderUnavailableError,
    RateLimitedError,
    body_excerpt,
    error_for_response,
)
from integrations.http.pagination import PAGINATORS, Page
from integrations.http.ratelimit import TokenBucket, WindowReading
from integrations.http.read_ahead import read_ahead as fetched_ahead
from integrations.http.redaction import Redactor, redact_url
from integrations.http.retries import RetryPolicy, server_retry_at

if TYPE_CHECKING:
    from integrations.providers.base import Provider

logger = logging.getLogger(__name__)

USER_AGENT = f"IntegrationHub/{__version__}"
MIN_READ_TIMEOUT = 1.0  # seconds; a nearly spent deadline still leaves one real try
_NO_BODY_METHODS = frozenset({"HEAD", "DELETE"})
_CHUNK = 64 * 1024
# The URL of the request this thread is sending now, redacted as the call log stores
# its path: what a tracing hook (core.tracing) shows instead of the real URL.
_sending: contextvars.ContextVar[str | None] = contextvars.ContextVar("sending", default=None)


def shown_url_of_send() -> str | None:
    """The redacted URL of the request being sent in this context, if the client sends one."""
    return _sending.get()


@dataclass(frozen=True)
class ApiResponse:
    status: int
    headers: Mapping[str, str] = field(repr=False)
    data: Any = field(repr=False)
    request_id: str = ""


@dataclass
class _Call:
    """One `request()` call; the same for each of its attempts."""

    method: str
    url: str
    path: str  # redacted, for logs, errors and the call log
    params: Mapping[str, Any] | None
    json: Any
    headers: Mapping[str, str]
    deadline: float  # seconds from `started` this call and its retries may take
    started: float = field(default_factory=time.monotonic)


class ApiClient:
    """A provider API at one base URL, with one set of credentials."""

    sleep: Callable[[float], None] = staticmethod(time.sleep)  # tests replace it

    def __init__(
        self,
        *,
        provider: Provider,
        base_url: str,
        auth: Auth,
        connection_id: int | None = None,
        deadline: float | None = None,
        rate_limiting: bool = True,
        record_calls: bool = True,
        on_status: Callable[[int, bool], None] | None = None,
        on_thread_exit: Callable[[], None] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        # Every URL the client sends stays under the base URL, so this is their origin.
        self._origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        self.auth = auth
        self.connection_id = connection_id
        self.deadline = deadline if deadline is not None else settings.INTEGRATIONS_REQUEST_DEADLINE
        # A monotonic moment every call must have ended by (an outbox claim's lease).
        self.finish_by: float | None = None
        self._idempotency_key = ""
        self.record_calls = record_calls
        # Injected by whoever builds the client: `on_status` sees every answer's
        # status and whether it refused the credentials (the auth-failure counter),
        # `on_thread_exit` ends each read-ahead thread (releasing what `on_status`
        # opened there).
        self.on_status = on_status
        self.on_thread_exit = on_thread_exit
        self.connect_timeout = settings.INTEGRATIONS_CONNECT_TIMEOUT
        self.read_timeout = settings.INTEGRATIONS_READ_TIMEOUT
        self.max_response_bytes = settings.INTEGRATIONS_MAX_RESPONSE_BYTES
        self.retry_policy = RetryPolicy(
            retry_statuses=provider.retry_statuses,
            write_retry_statuses=provider.write_retry_statuses,
            max_attempts=provider.max_attempts,
        )
        bucket_key = f"{provider.name}:{connection_id if connection_id else self.base_url}"
        self.rate_limiter = (
            TokenBucket(
                bucket_key, rate_limit=provider.rate_limit, windows=provider.rate_limit_windows
            )
            if rate_limiting
            else None
        )
        self._redactor, self._redactor_for = Redactor(), None
        self.session = session or _session_for(self.base_url)
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})

    # --- public API ------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> ApiResponse:
        """Send `method path` (relative to the base URL, or a URL under it) and parse JSON."""
        method = method.upper()
        url = self._url(path)
        headers = dict(headers or {})
        if method == "POST" and self._idempotency_key and self.provider.idempotency_header:
            headers[self.provider.idempotency_header] = self._idempotency_key
        deadline = self.deadline
        if self.finish_by is not None:
            deadline = max(0.0, min(deadline, self.finish_by - time.monotonic()))
        call = _Call(method, url, self._shown_path(url, params), params, json, headers, deadline)
        return self.retry_policy.call(
            method, partial(self._attempt, call), deadline=deadline, sleep=self._sleep
        )

    @contextmanager
    def idempotency_key(self, key: str) -> Iterator[None]:
        """Every POST inside carries `key` where the provider honours idempotency keys
        (`Provider.idempotency_header`), so a repeated attempt of one write creates
        nothing new. One write per key: the provider refuses the key with another body."""
        self._idempotency_key = key
        try:
            yield
        finally:
            self._idempotency_key = ""

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("DELETE", path, **kwargs)

    def paginate(
        self,
        path: str,
        *,
        items_key: str | None,
        params: Mapping[str, Any] | None = None,
        page_size: int = 100,
        style: str | None = None,
        start: Any = None,
        read_ahead: bool = False,
    ) -> Iterator[Page]:
        """Pages of `path` in the provider's pagination style (or `style`), fetched lazily.

        `start` is a `Page.resume` saved earlier: the pages continue from there.
        With `read_ahead`, each next page is fetched in a thread while the
        caller handles the current one (for long runs such as a full sync).
        """
        paginator = PAGINATORS[style or self.provider.pagination_style]
        pages = iter(
            paginator(
                self, path, items_key=items_key, params=params, page_size=page_size, start=start
            )
        )
        return fetched_ahead(pages, on_exit=self.on_thread_exit) if read_ahead else pages

    def redact(self, text: str) -> str:
        """`text` with this client's secrets masked (an OAuth token can change: rebuild then)."""
        if self._redactor_for is not self.auth.secrets:
            self._redactor, self._redactor_for = Redactor(self.auth.secrets), self.auth.secrets
        return self._redactor(text)

    def close(self) -> None:
        self.session.close()

    # --- one attempt -----------------------------------------------------------

    def _attempt(self, call: _Call, number: int) -> ApiResponse:
        self._wait_for_rate_limit(call)
        began = time.monotonic()
        status: int | None = None
        size, request_id, error_class = 0, "", ""
        readings: list[WindowReading] = []
        timed_out = False
        try:
            response, body = self._exchange(call)
            status, size = response.status_code, len(body)
            request_id = self._request_id(response.headers)
            if self.rate_limiter:
                readings = self.rate_limiter.observe(response.headers)
            refused = False
            try:
                return self._result(call, response, body, request_id)
            except AuthenticationError:
                refused = True  # whatever the status: Recruitee's is a 400 (recruitee.md §4)
                raise
            finally:
                if self.on_status:
                    self.on_status(status, refused)
        except IntegrationError as error:
            error_class = type(error).__name__
            status = status if status is not None else error.status
            timed_out = isinstance(error.__cause__, requests.Timeout)
            logger.info("%s (attempt %d)", error, number)
            raise
        finally:
            self._record(
                call, number, status, began, size, error_class, request_id, readings, timed_out
            )

    def _exchange(self, call: _Call) -> tuple[requests.Response, bytes]:
        """Send the request (once more after a 401 if the auth can refresh) and read the body."""
        timeout = self._timeout(call)
        response = self._send(call, timeout)
        if response.status_code == 401 and self.auth.invalidate():
            response.close()
            response = self._send(call, timeout)
        return response, self._read(call, response)

    def _send(self, call: _Call, timeout: tuple[float, float]) -> requests.Response:
        headers = {**call.headers, **self.auth.headers(self.session, timeout)}
        shown = _sending.set(self._origin + call.path)
        try:
            return self.session.request(
                call.method,
                call.url,
                params=call.params,
                json=call.json,
                headers=headers,
                timeout=timeout,
                stream=True,
                allow_redirects=False,  # never carry credentials to another URL
            )
        except requests.RequestException as exc:
            raise self._transport_error(call, exc) from exc
        finally:
            _sending.reset(shown)

    def _read(self, call: _Call, response: requests.Response) -> bytes:
        """The body, refusing to read more than the size cap."""
        cap = self.max_response_bytes
        declared = response.headers.get("Content-Length", "")
        chunks, size = [], 0
        try:
            if declared.isdigit() and int(declared) > cap:
                raise self._too_large(call, response.status_code, int(declared))
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise self._too_large(call, response.status_code, size)
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise ProviderUnavailableError(
                f"the connection failed while reading the response ({type(exc).__name__})",
                outcome_unknown=True,
                **self._context(call),
            ) from exc
        finally:
            response.close()
        return b"".join(chunks)

    def _result(
        self, call: _Call, response: requests.Response, body: bytes, request_id: str
    ) -> ApiResponse:
        status = response.status_code
        if 200 <= status < 300:
            data = self._parse_json(call, status, body, request_id)
            return ApiResponse(status, response.headers, data, request_id)
        now = datetime.now(UTC)
        raise error_for_response(
            provider=self.provider,
            status=status,
            body=body,
            method=call.method,
            path=call.path,
            request_id=request_id,
            retry_at=server_retry_at(response.headers, self.provider.rate_limit_windows, now),
            redact=self.redact,
        )

    def _parse_json(self, call: _Call, status: int, body: bytes, request_id: str) -> Any:
        if not body.strip():
            if status == 204 or call.method in _NO_BODY_METHODS:
                return None
            problem = "the response body is empty"
        else:
            try:
                return jsoncodec.loads(body)
            except ValueError:
                problem = "the response is not valid JSON (truncated or not JSON)"
        raise InvalidResponseError(
            problem,
            status=status,
            request_id=request_id,
            body_excerpt=self.redact(body_excerpt(body)),
            **self._context(call),
        )

    # --- helpers ---------------------------------------------------------------

    def _wait_for_rate_limit(self, call: _Call) -> None:
        if not self.rate_limiter:
            return
        remaining = max(0.0, call.deadline - (time.monotonic() - call.started))
        wait = self.rate_limiter.acquire(max_wait=remaining)
        if wait > remaining:
            raise RateLimitedError(
                "the connection's request budget is spent; not sent",
                retry_at=datetime.now(UTC) + timedelta(seconds=wait),
                **self._context(call),
            )
        if wait > 0:
            self._sleep(wait)

    def _sleep(self, seconds: float) -> None:
        type(self).sleep(seconds)

    def _timeout(self, call: _Call) -> tuple[float, float]:
        remaining = call.deadline - (time.monotonic() - call.started)
        return self.connect_timeout, max(MIN_READ_TIMEOUT, min(self.read_timeout, remaining))

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            # A next-page URL from a response: untrusted, so it must stay under the base URL.
            if not (path == self.base_url or path.startswith(self.base_url + "/")):
                raise InvalidResponseError(
                    "refusing to follow a URL outside the connection's base URL",
                    provider=self.provider.display_name,
                    path=redact_url(urlsplit(path).path),
                )
            url = path
        else:
            url = f"{self.base_url}/{path.lstrip('/')}"
        if any(segment in (".", "..") for segment in urlsplit(url).path.split("/")):
            raise InvalidResponseError(
                "refusing a path with '.' or '..' segments", provider=self.provider.display_name
            )
        return url

    def _shown_path(self, url: str, params: Mapping[str, Any] | None) -> str:
        parts = urlsplit(url)
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        if params:
            path += ("&" if parts.query else "?") + urlencode(params, doseq=True)
        return self.redact(redact_url(path))

    def _request_id(self, headers: Mapping[str, str]) -> str:
        """The provider's request id, redacted: a provider may echo the credential in it."""
        for name in self.provider.request_id_headers:
            if value := headers.get(name):
                return self.redact(value[:200])
        return ""

    def _context(self, call: _Call) -> dict[str, Any]:
        return {"provider": self.provider.display_name, "method": call.method, "path": call.path}

    def _too_large(self, call: _Call, status: int, size: int) -> InvalidResponseError:
        return InvalidResponseError(
            f"the response ({size} bytes or more) is over the {self.max_response_bytes}-byte cap",
            status=status,
            **self._context(call),
        )

    def _transport_error(
        self, call: _Call, exc: requests.RequestException
    ) -> ProviderUnavailableError:
        sent = _may_have_been_sent(exc)
        what = "no answer after the request was sent" if sent else "the request was not sent"
        return ProviderUnavailableError(
            f"{type(exc).__name__}: {what}", outcome_unknown=sent, **self._context(call)
        )

    def _record(
        self,
        call: _Call,
        number: int,
        status: int | None,
        began: float,
        size: int,
        error_class: str,
        request_id: str,
        readings: list[WindowReading],
        timed_out: bool,
    ) -> None:
        if not self.record_calls:
            return
        headroom: dict[str, tuple[int | None, int | None]] = {
            "rate": (None, None),
            "quota": (None, None),
        }
        for reading in readings:
            headroom[reading.window.kind] = (reading.remaining, reading.limit)
        link = call_log.current_link()
        call_log.record(
            call_log.CallRecord(
                connection_id=self.connection_id,
                provider=self.provider.name,
                method=call.method,
                path=call.path[:500],
                status=status,
                duration_ms=int((time.monotonic() - began) * 1000),
                attempt=number,
                error_class=error_class,
                request_id=request_id,
                response_bytes=size,
                created_at=datetime.now(UTC),
                timed_out=timed_out,
                rate_remaining=headroom["rate"][0],
                rate_limit=headroom["rate"][1],
                quota_remaining=headroom["quota"][0],
                quota_limit=headroom["quota"][1],
                sync_run_id=link.sync_run_id,
                outbox_item_id=link.outbox_item_id,
            )
        )


def _session_for(base_url: str) -> requests.Session:
    """A session that reads the environment's proxy and CA-bundle settings once.

    requests reads them (and looks for a .netrc file) on every request, about a
    millisecond each time; a full sync sends thousands. NO_PROXY is applied to
    the API's host; the client never needs netrc (it sends its own credentials).
    """
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    session.verify = bundle or True
    session.trust_env = False
    return session


def _may_have_been_sent(exc: requests.RequestException) -> bool:
    """False only when the connection was never made (refused, DNS, connect timeout, TLS)."""
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return False
    if isinstance(exc, requests.ReadTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    # NewConnectionError (refused, DNS) is a ConnectTimeoutError in urllib3 2.
    return not isinstance(reason, urllib3.exceptions.ConnectTimeoutError)
