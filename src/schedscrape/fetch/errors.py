"""The fetch errors a user sees, and how a low-level network error becomes one line."""

from __future__ import annotations

import re
import ssl

from schedscrape.errors import ScheduleError


class FetchError(ScheduleError):
    """A page that could not be fetched; the message says why, in one line."""

    stage = "fetch"


class HTTPStatusError(FetchError):
    """An answer other than 200 OK: `status` tells a missing file (404) from a failure."""

    def __init__(self, status: int, reason: str = "") -> None:
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status = status
        self.reason = reason

    @property
    def absent(self) -> bool:
        """The site says there is nothing at this address (rather than failing to answer)."""
        return self.status in (404, 410)

    def __reduce__(self):  # pickled with its status, not its message
        return type(self), (self.status, self.reason)


class NotCached(FetchError):
    """--offline, and the page is not in the cache: as far as this run knows, not there."""

    absent = True


class CacheError(ScheduleError):
    """The on-disk HTTP cache cannot be opened or used."""

    stage = "fetch"


class LoginRedirect(FetchError):
    pass


class RobotsDisallowed(FetchError):
    stage = "robots"


def one_line(error: Exception | None) -> str:
    """An error as one short line: the underlying reason, not requests' and urllib3's wrapping
    (`ConnectionError(MaxRetryError(pool, url, reason))`), which the URL beside it repeats."""
    if error is None:
        return "unknown error"
    certificate = certificate_error(error)
    if certificate is not None:
        reason = certificate.verify_message or certificate.reason or "unknown reason"
        return f"TLS certificate verification failed: {reason}"
    error = _causes(error)[-1]
    text = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
    text = _CONNECTION_PREFIX.sub("", text)
    return " ".join(text.split())[:200] or type(error).__name__


def certificate_error(error: Exception) -> ssl.SSLCertVerificationError | None:
    """The failed certificate check behind `error`, if that is what it is: never worth a
    retry, since a certificate does not mend between attempts."""
    found = [cause for cause in _causes(error) if isinstance(cause, ssl.SSLCertVerificationError)]
    return found[0] if found else None


def _causes(error: Exception) -> list[Exception]:
    """`error` and what it wraps, outermost first: requests puts the cause in `args[0]`,
    urllib3's MaxRetryError in `reason`, which ssl's errors use for a string instead."""
    chain = [error]
    for _depth in range(5):  # a few levels of wrapping, never a cycle
        if not (error.args and isinstance(error.args[0], Exception)):
            break
        inner = error.args[0]
        reason = getattr(inner, "reason", None)
        error = reason if isinstance(reason, Exception) else inner
        chain.append(error)
    return chain


# urllib3's errors open with the connection ("HTTPConnectionPool(host='x', port=80): ...").
_CONNECTION_PREFIX = re.compile(r"^\w+\(host=[^)]*\):\s*")
