"""Retries with exponential backoff and jitter (urllib3's `Retry` policy) on connection errors,
429 and 5xx, honouring `Retry-After`. A failed certificate check is never retried."""

from __future__ import annotations

import time
from collections.abc import Callable

import requests
from urllib3.exceptions import MaxRetryError, ProtocolError
from urllib3.util.retry import Retry

from schedscrape.fetch.errors import FetchError, certificate_error, one_line
from schedscrape.wording import plural

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 300.0  # seconds; a server asking for longer is treated as a failure


class Retrier:
    """Runs one request until it gives an answer worth keeping or the retries run out."""

    def __init__(self, retries: int, backoff: float) -> None:
        self._retries = retries
        self._backoff = backoff
        self._policy = Retry(
            total=retries,
            redirect=False,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=backoff,
            backoff_jitter=backoff / 2,
            respect_retry_after_header=True,
            raise_on_status=False,
        )

    def run(
        self, url: str, send: Callable[[], requests.Response], on_retry: Callable[[], None]
    ) -> requests.Response:
        """`send()`'s response; its last one when the retries run out on a retryable status."""
        retry = self._policy
        while True:
            response: requests.Response | None = None
            try:
                response = send()
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                if certificate_error(exc) is not None:
                    raise FetchError(one_line(exc)) from None
                error: Exception | None = exc
            else:
                error = None
                retry_after = "Retry-After" in response.headers
                if not retry.is_retry("GET", response.status_code, retry_after):
                    return response
            try:
                retry = retry.increment("GET", url, error=_urllib3_error(error))
            except MaxRetryError:
                if response is not None:
                    return response  # the caller reports the final status
                raise FetchError(
                    f"gave up after {plural(self._retries + 1, 'attempt')}: {one_line(error)}"
                ) from None
            on_retry()
            time.sleep(self._delay(retry, response))

    def _delay(self, retry: Retry, response: requests.Response | None) -> float:
        header = response.headers.get("Retry-After") if response is not None else None
        if header:
            try:
                wait = retry.parse_retry_after(header)
            except Exception:  # a malformed header: fall back to backoff
                wait = None
            if wait is not None:
                if wait > MAX_RETRY_AFTER:
                    raise FetchError(f"server asks to retry after {wait:.0f} s; giving up")
                return max(wait, retry.get_backoff_time(), self._backoff)
        return max(retry.get_backoff_time(), self._backoff)


def _urllib3_error(error: Exception | None):
    """urllib3's Retry counts errors by type; requests wraps them, so unwrap when possible."""
    if error is None:
        return None
    inner = error.args[0] if error.args and isinstance(error.args[0], Exception) else None
    return inner if inner is not None else ProtocolError(str(error))
